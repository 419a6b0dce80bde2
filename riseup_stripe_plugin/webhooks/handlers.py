"""
What each Stripe event does: the handler table, and processing a stored event idempotently.

Processing re-reads the object from Stripe (events are snapshots, delivered
late, twice, or out of order), so the end state depends on Stripe's present
truth, never on the order of arrival.
"""

from __future__ import annotations

import json
import logging

from django.db.models import F
from django.utils import timezone

from .. import conf
from ..billing.disputes import handle_dispute
from ..billing.invoices import order_for_invoice, record_invoice
from ..billing.refunds import handle_charge_refunded, handle_credit_note
from ..configuration.installation import is_foreign
from ..exceptions import ForeignInstallation, NotYourOrder
from ..models import Invoice, StripeEvent
from ..orders.fulfilment import apply_session, mark_payment_failed
from ..states import OrderState, caused_by
from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)

def _ours(obj: dict) -> bool:
    return bool((obj.get("metadata") or {}).get("riseup_order"))


def handle_checkout_session(event: dict, gateway: StripeGateway) -> str:
    obj = event["data"]["object"]
    if not _ours(obj):
        return "ignored: session not created by this plugin"
    session = gateway.retrieve_checkout_session(obj["id"])
    try:
        order = apply_session(session, gateway=gateway)
    except NotYourOrder:
        return "ignored: session names no order of ours"
    if event["type"] == "checkout.session.async_payment_failed" and session.get("payment_status") != "paid":
        mark_payment_failed(order)
    return f"order {order.uuid}: {order.state}"


def handle_invoice(event: dict, gateway: StripeGateway) -> str:
    obj = event["data"]["object"]
    if order_for_invoice(obj) is None:
        return "ignored: invoice of no order of ours"
    if (Invoice.objects.filter(stripe_invoice_id=obj["id"], stripe_status="paid")
            .exclude(order__state__in=WAITING_FOR_PAYMENT).exists()):
        # Paid is final for an invoice, and its order is settled: nothing to re-read.
        return f"invoice {obj['id']} already recorded as paid"
    invoice = gateway.retrieve_invoice(obj["id"])
    record = record_invoice(invoice)
    order = record.order if record else None
    if order is not None and order.checkout_session_id and order.state in WAITING_FOR_PAYMENT:
        # The invoice may be the first news of a payment whose session event is late or lost.
        try:
            apply_session(gateway.retrieve_checkout_session(order.checkout_session_id), gateway=gateway,
                          invoice=invoice)
        except NotYourOrder:
            pass
    return f"invoice {invoice.get('id')} recorded"


#: Order states in which an invoice event is worth a look at the session (else it is already settled).
WAITING_FOR_PAYMENT = (OrderState.CREATED, OrderState.AWAITING_PAYMENT, OrderState.PAYMENT_PENDING, OrderState.PAID)

HANDLERS = {
    "checkout.session.completed": handle_checkout_session,
    "checkout.session.async_payment_succeeded": handle_checkout_session,
    "checkout.session.async_payment_failed": handle_checkout_session,
    "checkout.session.expired": handle_checkout_session,
    "invoice.finalized": handle_invoice,
    "invoice.paid": handle_invoice,
    "charge.refunded": handle_charge_refunded,
    "credit_note.created": handle_credit_note,
    "credit_note.voided": handle_credit_note,
    "charge.dispute.created": handle_dispute,
    "charge.dispute.closed": handle_dispute,
}


#: API versions of events already warned about, by this process (one log line each, not one per event).
_warned_versions: set[str] = set()


def version_warning(record: StripeEvent) -> str:
    """
    An event in another API version than the pinned one: its snapshot is not read, the objects are.

    Every handler re-reads what it acts on through the gateway, which asks Stripe in
    the pinned version; the warning stays on the event and is logged once per version.
    """
    if not record.api_version or record.api_version == conf.PINNED_API_VERSION:
        return ""
    if record.api_version not in _warned_versions:
        _warned_versions.add(record.api_version)
        log.warning("Stripe sends events in API version %s; the plugin is written against %s and re-reads every "
                    "object in that version. Set the webhook endpoint's API version to it "
                    "(riseup_stripe_register_webhook).", record.api_version, conf.PINNED_API_VERSION)
    return f"event in API version {record.api_version}, objects re-read in {conf.PINNED_API_VERSION}"[:255]


#: The outcome of an event about another installation's objects (production and staging on one account).
FOREIGN = "ignored: another installation"


def process_event(record: StripeEvent, gateway: StripeGateway) -> str:
    """
    Process a stored event; safe to call again, and twice at once, for the same event.

    No transaction spans the handler: it calls Stripe (seconds, at worst) and the
    platform's enrollment (whose side effects a rollback would not undo). Each
    handler step is its own short transaction under the order's row lock, and
    every step is idempotent, so a duplicate delivery racing this one changes
    nothing twice. The event is marked processed once its handler succeeded. Every caller has just
    read or written the record, so its ``processed`` is not asked again: the check only spares work,
    it never made two concurrent runs safe (idempotence does).
    """
    if record.processed:
        return "duplicate"
    event = json.loads(record.raw_body)
    handler = HANDLERS.get(record.type)
    warning = version_warning(record)
    if is_foreign((event.get("data") or {}).get("object")):
        outcome = FOREIGN
    elif handler is None:
        outcome = "ignored: event type not handled"
    else:
        try:
            with caused_by(record.event_id):
                outcome = handler(event, gateway)
        except ForeignInstallation as exc:  # an object read back names another installation
            log.info("Event %s concerns another installation: %s", record.event_id, exc.detail)
            outcome = FOREIGN
    StripeEvent.objects.filter(pk=record.pk).update(
        processed=True, ignored=outcome.startswith("ignored"), processed_at=timezone.now(),
        attempts=F("attempts") + 1, error="", outcome=outcome[:255], warning=warning,
        needs_attention=False, last_attempt_at=timezone.now(),
    )
    return outcome
