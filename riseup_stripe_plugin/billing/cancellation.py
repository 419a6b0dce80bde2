"""
The administrator's cancel: a paid invoice is never deleted nor voided, it is offset by a credit note.

French law calls it a *facture d'avoir*: it refunds the learner. Stripe is asked
first; only when it agreed does one database transaction store the credit
note, mark the invoice cancelled, cancel the order and revoke the access that
order bought. A refusal or an outage therefore changes nothing here, and a
retry is safe: the credit note's idempotency key comes from the invoice, and
a credit note already issued at Stripe is found and reused.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..exceptions import RiseupStripeError
from ..models import CreditNote, Invoice, InvoiceStatus
from ..orders.access import end_order
from ..orders.emails import purchase_cancelled
from ..stripe_gateway import StripeGateway
from .charges import charge_for, refundable
from .credit_notes import ACTOR_KEY, CANCELLATION_KEY, is_cancellation, live_credit_notes, store_credit_note

log = logging.getLogger(__name__)

#: Invoices an administrator may cancel.
CANCELLABLE = (InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED)

#: Stripe's credit note reasons (the free-text reason goes to the memo).
STRIPE_REASONS = ("order_change", "product_unsatisfactory", "duplicate", "fraudulent")

class CancellationRefused(RiseupStripeError):
    """The invoice cannot be cancelled (not paid, or not ours)."""

    default_message = _("This invoice cannot be cancelled.")


def cancel_invoice(invoice: Invoice, *, actor, reason: str, stripe_reason: str = "order_change",
                   gateway: StripeGateway | None = None) -> CreditNote | None:
    """
    Cancel a paid invoice: a Stripe credit note for what is left, refunded, then the local books.

    Idempotent: an invoice already cancelled returns its credit note and calls
    nobody. Returns None only for an invoice of zero that needed no credit note.
    Raises :class:`CancellationRefused` or a Stripe error (nothing changed).
    """
    invoice = Invoice.objects.select_related("order").get(pk=invoice.pk)
    if invoice.status == InvoiceStatus.CANCELLED:
        return _cancellation_note(invoice)
    if invoice.status not in CANCELLABLE:
        raise CancellationRefused(
            gettext("Only a paid invoice can be cancelled; invoice {number} is {status}.").format(
                number=invoice, status=invoice.get_status_display())
        )
    if stripe_reason not in STRIPE_REASONS:
        stripe_reason = "order_change"
    reason = (reason or "").strip()
    gateway = gateway or StripeGateway()
    remote = gateway.retrieve_invoice(invoice.stripe_invoice_id)
    notes = live_credit_notes(gateway, invoice.stripe_invoice_id)
    charge = charge_for(invoice.order, gateway)
    refunded = int(charge.get("amount_refunded") or 0) if charge else 0
    total = int(remote.get("total") or 0)
    credited = sum(int(note.get("amount") or 0) for note in notes)
    if not any(is_cancellation(note, invoice) for note in notes) and credited < total:
        amount = total - credited
        refund_amount = min(amount, refundable(charge, invoice.order))
        metadata = {CANCELLATION_KEY: invoice.stripe_invoice_id, "riseup_order": str(invoice.order.uuid)}
        if actor is not None and actor.pk:
            metadata[ACTOR_KEY] = str(actor.pk)
        note = gateway.create_credit_note(
            invoice.stripe_invoice_id, amount,
            refund_amount=refund_amount, out_of_band_amount=amount - refund_amount,
            reason=stripe_reason, memo=reason, metadata=metadata,
            idempotency_key=f"riseup-cancel-{invoice.stripe_invoice_id}-{amount}-{refund_amount}",
        )
        notes.append(note)
        refunded += refund_amount
    return apply_cancellation(invoice, notes=notes, actor=actor, reason=reason, refunded=refunded)


def lock_order_of(invoice: Invoice) -> None:
    """Locks are always taken order first, then invoice (see :meth:`Order.locked`)."""
    invoice.order.locked()


def _cancellation_note(invoice: Invoice) -> CreditNote | None:
    notes = invoice.credit_notes.order_by("-amount", "created")
    return notes.filter(source=CreditNote.Source.ADMIN).first() or notes.first()


def apply_cancellation(invoice: Invoice, *, notes: list[dict], actor, reason: str,
                       refunded: int) -> CreditNote | None:
    """The local half of a cancellation, in one transaction; a second call only adds missing credit notes."""
    with transaction.atomic():
        lock_order_of(invoice)
        invoice = Invoice.objects.select_for_update().select_related("order").get(pk=invoice.pk)
        for data in notes:
            store_credit_note(invoice, data, actor=actor)
        if invoice.status != InvoiceStatus.CANCELLED:
            invoice.status = InvoiceStatus.CANCELLED
            invoice.cancelled_at = timezone.now()
            invoice.cancelled_by = actor
            invoice.cancellation_reason = reason
            invoice.amount_refunded = max(invoice.amount_refunded, refunded)
            invoice.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancellation_reason",
                                        "amount_refunded", "modified"])
            end_order(invoice.order)
            transaction.on_commit(partial(purchase_cancelled, invoice))  # the learner is told by email
            log.info("Invoice %s cancelled (order %s) by %s", invoice, invoice.order.uuid,
                     getattr(actor, "pk", "Stripe"))
        return _cancellation_note(invoice)
