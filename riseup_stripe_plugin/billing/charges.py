"""The charge behind an order, and the order behind a charge or PaymentIntent, even before the session's own event."""

from __future__ import annotations

from ..exceptions import NotYourOrder, PaymentRequestError
from ..models import Order
from ..orders.fulfilment import apply_session
from ..stripe_gateway import StripeGateway, object_id


def charge_for(order: Order, gateway: StripeGateway) -> dict | None:
    """The charge that paid an order, as Stripe has it now (None for a purchase that cost nothing)."""
    if not order.payment_intent_id:
        return None
    intent = gateway.retrieve_payment_intent(order.payment_intent_id)
    charge_id = object_id(intent.get("latest_charge"))
    return gateway.retrieve_charge(charge_id) if charge_id else None


def refundable(charge: dict | None, order: Order) -> int:
    if charge is None or order.dispute_status == "lost":  # a lost chargeback already returned the money
        return 0
    return max(0, int(charge.get("amount") or 0) - int(charge.get("amount_refunded") or 0))


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
