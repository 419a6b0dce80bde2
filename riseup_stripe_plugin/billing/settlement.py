"""
Bringing an invoice in line with its refunds and credit notes as Stripe has them now.

Refunded or credited in full: cancelled, as with the cancel icon; in part: partially refunded.
A refund no credit note covers gets one first (``coverage``); after a void, the invoice follows
what remains credited.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext

from ..models import Invoice, InvoiceStatus
from ..stripe_gateway import StripeGateway
from .cancellation import apply_cancellation, lock_order_of
from .charges import charge_for
from .coverage import cover_refunds
from .credit_notes import actor_from, is_cancellation, live_credit_notes, store_credit_note

log = logging.getLogger(__name__)


def reconcile_invoice(invoice: Invoice, gateway: StripeGateway, *, charge: dict | None = None,
                      voided: dict | None = None) -> str:
    """
    Bring an invoice in line with its refunds and credit notes as Stripe has them now.

    A refund without a credit note gets one (linked to it: nothing is refunded twice).
    Fully refunded or fully credited: cancelled, as with the cancel icon. Partly:
    "partially refunded", access kept. After ``voided`` (a credit note voided in Stripe),
    no credit note is issued and the invoice goes back to what remains credited.
    """
    if charge is None:
        charge = charge_for(invoice.order, gateway)
    notes = live_credit_notes(gateway, invoice.stripe_invoice_id)
    if voided is None:
        notes += cover_refunds(invoice, charge, notes, gateway)
    else:
        store_credit_note(invoice, voided)
    refunded = int(charge.get("amount_refunded") or 0) if charge else 0
    paid = int(charge.get("amount") or 0) if charge else 0
    credited = sum(int(note.get("amount") or 0) for note in notes)
    if (paid > 0 and refunded >= paid) or (invoice.total > 0 and credited >= invoice.total):
        ours = [note for note in notes if is_cancellation(note, invoice)]
        if ours:
            actor, reason = actor_from(ours[0]), ours[0].get("memo") or ""
        else:
            actor, reason = None, gettext("Refunded or credited in full in Stripe.")
        apply_cancellation(invoice, notes=notes, actor=actor, reason=reason, refunded=refunded)
        return f"invoice {invoice.stripe_invoice_id}: cancelled"
    if voided is not None and invoice.total > 0:
        status = follow_remaining_credit(invoice, notes=notes, refunded=refunded)
        return f"invoice {invoice.stripe_invoice_id}: credit note {voided['id']} voided, {status}"
    if refunded or notes:
        apply_partial_refund(invoice, notes=notes, refunded=refunded)
        return f"invoice {invoice.stripe_invoice_id}: partially refunded"
    return f"invoice {invoice.stripe_invoice_id}: nothing refunded"


def follow_remaining_credit(invoice: Invoice, *, notes: list[dict], refunded: int) -> str:
    """
    After a void that leaves the invoice less than fully credited: partially refunded, or paid again.

    The order keeps its state: a cancelled order stays cancelled (its learner was
    unenrolled; an administrator may enroll them from the back office).
    """
    status = InvoiceStatus.PARTIALLY_REFUNDED if (refunded or notes) else InvoiceStatus.PAID
    with transaction.atomic():
        lock_order_of(invoice)
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        for data in notes:
            store_credit_note(invoice, data)
        if invoice.status in (InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED, InvoiceStatus.CANCELLED):
            if invoice.status == InvoiceStatus.CANCELLED:
                log.warning("Invoice %s is no longer fully credited after a void; order %s stays cancelled",
                            invoice, invoice.order_id)
            invoice.status = status
            invoice.amount_refunded = refunded
            invoice.cancelled_at = None
            invoice.save(update_fields=["status", "amount_refunded", "cancelled_at", "modified"])
    return invoice.status


def apply_partial_refund(invoice: Invoice, *, notes: list[dict], refunded: int) -> Invoice:
    """Record a partial refund or credit: the invoice says so, the learner keeps the course."""
    with transaction.atomic():
        lock_order_of(invoice)
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        for data in notes:
            store_credit_note(invoice, data)
        if invoice.status != InvoiceStatus.CANCELLED:
            invoice.status = InvoiceStatus.PARTIALLY_REFUNDED
            invoice.amount_refunded = max(invoice.amount_refunded, refunded)
            invoice.save(update_fields=["status", "amount_refunded", "modified"])
    return invoice
