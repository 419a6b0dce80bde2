"""
Cancelling a paid invoice, and bringing refunds and disputes made in Stripe into line.

A paid invoice is never deleted nor voided: it is offset by a credit note
(French law: a *facture d'avoir*) that refunds the learner. Stripe is asked
first; only when it agreed does one database transaction store the credit
note, mark the invoice cancelled, cancel the order and revoke the access that
order bought. A refusal or an outage therefore changes nothing here, and a
retry is safe: the credit note's idempotency key comes from the invoice, and
a credit note already issued at Stripe is found and reused.

Refunds, credit notes and disputes made in the Stripe Dashboard arrive as
webhooks; the handlers below re-read the objects from Stripe and converge on
the same end state whatever the order of arrival.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import conf
from . import edxapp_wrapper as platform
from .exceptions import NotYourOrder, PaymentRequestError, RiseupStripeError
from .fulfilment import apply_session, grant_access
from .invoices import record_invoice
from .models import BackOfficeEnrollment, CreditNote, Invoice, InvoiceStatus, Order
from .states import ACCESS_STATES, OrderState
from .stripe_gateway import StripeGateway, object_id, timestamp

log = logging.getLogger(__name__)

#: Invoices an administrator may cancel.
CANCELLABLE = (InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED)
#: Credit note metadata naming the invoice a cancellation was made for, and who made it.
CANCELLATION_KEY = "riseup_cancellation"
ACTOR_KEY = "riseup_actor"
#: Stripe's credit note reasons (the free-text reason goes to the memo).
STRIPE_REASONS = ("order_change", "product_unsatisfactory", "duplicate", "fraudulent")
#: Order states a cancellation or a lost dispute ends.
CANCELLABLE_ORDER_STATES = (OrderState.PAID, OrderState.FULFILLED, OrderState.FLAGGED)
#: Dispute statuses once the bank has decided.
DISPUTE_CLOSED = ("won", "lost", "warning_closed", "prevented")


class CancellationRefused(RiseupStripeError):
    """The invoice cannot be cancelled (not paid, or not ours)."""

    default_message = _("This invoice cannot be cancelled.")


# -- reading Stripe -----------------------------------------------------------


def live_credit_notes(gateway: StripeGateway, invoice_id: str) -> list[dict]:
    """The credit notes of an invoice at Stripe, voided ones left out."""
    return [note for note in gateway.list_credit_notes(invoice_id) if note.get("status") != "void"]


def charge_for(order: Order, gateway: StripeGateway) -> dict | None:
    """The charge that paid an order, as Stripe has it now (None for a purchase that cost nothing)."""
    if not order.payment_intent_id:
        return None
    intent = gateway.retrieve_payment_intent(order.payment_intent_id)
    charge_id = object_id(intent.get("latest_charge"))
    return gateway.retrieve_charge(charge_id) if charge_id else None


def _refundable(charge: dict | None, order: Order) -> int:
    if charge is None or order.dispute_status == "lost":  # a lost chargeback already returned the money
        return 0
    return max(0, int(charge.get("amount") or 0) - int(charge.get("amount_refunded") or 0))


def _is_cancellation(note: dict, invoice: Invoice) -> bool:
    return (note.get("metadata") or {}).get(CANCELLATION_KEY) == invoice.stripe_invoice_id


def _actor_from(note: dict):
    value = str((note.get("metadata") or {}).get(ACTOR_KEY) or "")
    return get_user_model().objects.filter(pk=int(value)).first() if value.isdigit() else None


# -- the administrator's cancel -------------------------------------------------


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
    if not any(_is_cancellation(note, invoice) for note in notes) and credited < total:
        amount = total - credited
        refund_amount = min(amount, _refundable(charge, invoice.order))
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
            log.info("Invoice %s cancelled (order %s) by %s", invoice, invoice.order.uuid,
                     getattr(actor, "pk", "Stripe"))
        return _cancellation_note(invoice)


def store_credit_note(invoice: Invoice, data: dict, *, actor=None) -> CreditNote:
    """Our copy of a Stripe credit note, stored once by its id."""
    existing = CreditNote.objects.filter(stripe_credit_note_id=data["id"]).first()
    if existing is not None:
        return existing
    ours = _is_cancellation(data, invoice)
    refunds = [object_id(entry.get("refund")) for entry in data.get("refunds") or [] if isinstance(entry, dict)]
    fields = {
        "invoice": invoice,
        "number": data.get("number") or "",
        "amount": int(data.get("amount") or 0),
        "currency": (data.get("currency") or invoice.currency).lower(),
        "refund_id": ",".join(filter(None, refunds))[:255],
        "reason": data.get("reason") or "",
        "memo": data.get("memo") or "",
        "pdf_url": data.get("pdf") or "",
        "source": CreditNote.Source.ADMIN if ours else CreditNote.Source.STRIPE,
        "created_by": (actor or _actor_from(data)) if ours else None,
        "issued_at": timestamp(data.get("effective_at") or data.get("created")),
    }
    try:
        with transaction.atomic():
            return CreditNote.objects.create(stripe_credit_note_id=data["id"], **fields)
    except IntegrityError:  # the webhook and the administrator's request stored it at once
        return CreditNote.objects.get(stripe_credit_note_id=data["id"])


# -- ending an order and its access ----------------------------------------------


def has_other_access(order: Order) -> bool:
    """Whether the learner holds the course another way: another purchase, or a back-office enrollment."""
    other_orders = Order.objects.filter(
        user_id=order.user_id, course_key=order.course_key, state__in=ACCESS_STATES,
    ).exclude(pk=order.pk)
    # A back-office enrollment counts when it came after this purchase (before it, the learner
    # could not have bought the course: they were enrolled already).
    return other_orders.exists() or BackOfficeEnrollment.objects.filter(
        learner_id=order.user_id, course_key=order.course_key, created__gte=order.created,
    ).exists()


def revoke_access(order: Order) -> bool:
    """Unenroll the learner from what this order bought, unless they hold access another way."""
    if order.fulfilled_at is None:  # never enrolled by this order (not fulfilled yet, or flagged at payment)
        return False
    if has_other_access(order):
        log.info("Order %s ended; learner %s keeps %s through another access", order.uuid, order.user_id,
                 order.course_key)
        return False
    try:
        platform.unenroll(order.user, order.course_key)
    except platform.EnrollmentRefused as exc:
        # The money side is settled; say loudly that the access side needs a hand.
        log.error("Order %s ended but the platform refused to unenroll learner %s from %s: %s",
                  order.uuid, order.user_id, order.course_key, exc)
        Order.objects.filter(pk=order.pk).update(last_error=f"unenrollment refused: {exc}"[:2000])
        return False
    log.info("Order %s ended: learner %s unenrolled from %s", order.uuid, order.user_id, order.course_key)
    return True


def end_order(order: Order, **changes) -> bool:
    """Cancel an order that paid (under a row lock) and revoke its access; False if already over."""
    order = order.locked()
    if order.state not in CANCELLABLE_ORDER_STATES:
        return False
    order.transition(OrderState.CANCELLED, **changes)
    revoke_access(order)
    return True


# -- refunds and credit notes made in Stripe ----------------------------------------


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
        ours = [note for note in notes if _is_cancellation(note, invoice)]
        if ours:
            actor, reason = _actor_from(ours[0]), ours[0].get("memo") or ""
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


def _invoice_for(order: Order, gateway: StripeGateway) -> Invoice | None:
    invoice = Invoice.objects.filter(order=order).select_related("order").first()
    if invoice is None and order.stripe_invoice_id:  # the invoice's own webhook is late or lost
        invoice = record_invoice(gateway.retrieve_invoice(order.stripe_invoice_id))
    return invoice


def order_for_payment_intent(intent_id: str, gateway: StripeGateway) -> Order | None:
    """
    Our order paid by this PaymentIntent, even when its session event has not arrived yet.

    Events come in any order: a refund or a dispute can be the first news of a
    payment. The PaymentIntent's metadata names the order; its session is then
    re-read and applied first, so the refund or dispute lands on a paid order.
    """
    if not intent_id:
        return None
    order = Order.objects.filter(payment_intent_id=intent_id).first()
    if order is not None:
        return order
    try:
        intent = gateway.retrieve_payment_intent(intent_id)
    except PaymentRequestError:  # no such PaymentIntent for our key: not ours
        return None
    order = Order.by_reference((intent.get("metadata") or {}).get("riseup_order"))
    if order is None or not order.checkout_session_id:
        return None
    try:
        return apply_session(gateway.retrieve_checkout_session(order.checkout_session_id), gateway=gateway)
    except NotYourOrder:
        return None


def record_refund(charge: dict, gateway: StripeGateway) -> str:
    """``charge.refunded``: ``charge`` freshly retrieved from Stripe."""
    order = order_for_payment_intent(object_id(charge.get("payment_intent")), gateway)
    if order is None:
        return "ignored: charge of no order of ours"
    invoice = _invoice_for(order, gateway)
    if invoice is not None:
        return reconcile_invoice(invoice, gateway, charge=charge)
    if int(charge.get("amount_refunded") or 0) >= int(charge.get("amount") or 0) > 0:
        with transaction.atomic():
            end_order(order)
        return f"order {order.uuid}: cancelled (no invoice)"
    return f"order {order.uuid}: partial refund, no invoice to record it on"


def record_credit_note(data: dict, gateway: StripeGateway) -> str:
    """``credit_note.created``: ``data`` freshly retrieved from Stripe."""
    invoice_id = object_id(data.get("invoice"))
    invoice = Invoice.objects.filter(stripe_invoice_id=invoice_id or "-").select_related("order").first()
    if invoice is None:
        order = Order.objects.filter(stripe_invoice_id=invoice_id or "-").first()
        invoice = _invoice_for(order, gateway) if order else None
    if invoice is None:
        return "ignored: credit note on no invoice of ours"
    return reconcile_invoice(invoice, gateway)


# -- disputes ------------------------------------------------------------------------


def record_dispute(dispute: dict, gateway: StripeGateway) -> str:
    """``charge.dispute.created`` / ``closed``: ``dispute`` freshly retrieved from Stripe."""
    intent = object_id(dispute.get("payment_intent"))
    if not intent and dispute.get("charge"):
        intent = object_id(gateway.retrieve_charge(object_id(dispute["charge"])).get("payment_intent"))
    order = order_for_payment_intent(intent, gateway)
    if order is None:
        return "ignored: dispute on no order of ours"
    return apply_dispute(order, dispute)


def apply_dispute(order: Order, dispute: dict) -> str:
    """
    Flag the order with the dispute's status for the administrator.

    Open: access kept, or suspended (order flagged, learner unenrolled) when
    ``RISEUP_STRIPE_REVOKE_ACCESS_ON_DISPUTE`` is on. Won: a suspended access comes
    back. Lost: the bank returned the money, the order is cancelled and its access revoked.
    """
    status = dispute.get("status") or ""
    S = OrderState
    with transaction.atomic():
        order = order.locked()
        Order.objects.filter(pk=order.pk).update(dispute_id=dispute["id"], dispute_status=status)
        order.dispute_id, order.dispute_status = dispute["id"], status
        note = f"dispute {dispute['id']} ({dispute.get('reason') or 'unknown reason'}): {status}"
        suspended = order.state == S.FLAGGED and order.fulfilled_at is not None and order.flag_reason.startswith(
            f"dispute {dispute['id']}")
        if status not in DISPUTE_CLOSED:
            if order.state == S.FULFILLED and conf.get("RISEUP_STRIPE_REVOKE_ACCESS_ON_DISPUTE"):
                order.transition(S.FLAGGED, flag_reason=note)
                revoke_access(order)
                return f"order {order.uuid}: disputed, access suspended"
            return f"order {order.uuid}: disputed ({status})"
        if status == "lost":
            if end_order(order, flag_reason=note):
                return f"order {order.uuid}: dispute lost, cancelled"
            return f"order {order.uuid}: dispute lost"
        if suspended:
            try:
                grant_access(order, flag_reason=note)
            except IntegrityError:  # the learner bought the course again meanwhile: that order grants access
                return f"order {order.uuid}: dispute {status}, access held by another order"
            return f"order {order.uuid}: dispute {status}, access restored"
        return f"order {order.uuid}: dispute {status}"


# -- webhook handlers (see ``webhooks.HANDLERS``) -----------------------------------------


def handle_charge_refunded(event: dict, gateway: StripeGateway) -> str:
    obj = event["data"]["object"]
    if not may_be_ours(obj) or order_for_payment_intent(object_id(obj.get("payment_intent")), gateway) is None:
        return "ignored: charge of no order of ours"
    return record_refund(gateway.retrieve_charge(obj["id"]), gateway)


def handle_credit_note(event: dict, gateway: StripeGateway) -> str:
    obj = event["data"]["object"]
    invoice_id = object_id(obj.get("invoice")) or "-"
    if not (Invoice.objects.filter(stripe_invoice_id=invoice_id).exists()
            or Order.objects.filter(stripe_invoice_id=invoice_id).exists()):
        return "ignored: credit note on no invoice of ours"
    return record_credit_note(gateway.retrieve_credit_note(obj["id"]), gateway)


def handle_dispute(event: dict, gateway: StripeGateway) -> str:
    obj = event["data"]["object"]
    if obj.get("payment_intent") and not may_be_ours(obj):
        return "ignored: dispute on no order of ours"
    return record_dispute(gateway.retrieve_dispute(obj["id"]), gateway)


def may_be_ours(obj: dict) -> bool:
    """
    Whether a charge or dispute may concern one of our orders, without asking Stripe when it can tell.

    Known PaymentIntent: ours. Metadata naming our order: ours (its session event may be late).
    Other metadata: another integration's. No metadata: perhaps ours, the PaymentIntent will tell.
    """
    intent = object_id(obj.get("payment_intent"))
    if not intent:
        return False
    if Order.objects.filter(payment_intent_id=intent).exists():
        return True
    metadata = obj.get("metadata") or {}
    return "riseup_order" in metadata or not metadata
