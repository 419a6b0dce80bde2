"""
Bringing an invoice in line with its refunds and credit notes as Stripe has them now.

Refunded or credited in full: cancelled, as with the cancel icon; in part: partially refunded.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from ..models import Invoice, InvoiceStatus
from ..stripe_gateway import StripeGateway
from .cancellation import apply_cancellation, lock_order_of
from .charges import charge_for
from .credit_notes import actor_from, is_cancellation, live_credit_notes, store_credit_note


def reconcile_invoice(invoice: Invoice, gateway: StripeGateway, *, charge: dict | None = None) -> str:
    """
    Bring an invoice in line with its refunds and credit notes as Stripe has them now.

    Fully refunded or fully credited: cancelled, as with the cancel icon (no new
    credit note: Stripe's own are recorded). Partly: "partially refunded", access kept.
    """
    if charge is None:
        charge = charge_for(invoice.order, gateway)
    notes = live_credit_notes(gateway, invoice.stripe_invoice_id)
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
    if refunded or notes:
        apply_partial_refund(invoice, notes=notes, refunded=refunded)
        return f"invoice {invoice.stripe_invoice_id}: partially refunded"
    return f"invoice {invoice.stripe_invoice_id}: nothing refunded"


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
