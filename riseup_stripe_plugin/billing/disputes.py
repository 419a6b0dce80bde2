"""Disputes (chargebacks): the order is flagged for the administrator, access kept or suspended, ended when lost."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .. import conf
from ..models import Order
from ..orders import analytics
from ..orders.access import end_order, revoke_access
from ..orders.fulfilment import grant_access
from ..states import OrderState
from ..stripe_gateway import StripeGateway, object_id
from .charges import may_be_ours, order_for_payment_intent

#: Dispute statuses once the bank has decided.
DISPUTE_CLOSED = ("won", "lost", "warning_closed", "prevented")

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
        if (order.dispute_id, order.dispute_status) != (dispute["id"], status):
            analytics.dispute_changed(order, dispute["id"], status, closed=status in DISPUTE_CLOSED)
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


def handle_dispute(event: dict, gateway: StripeGateway) -> str:
    obj = event["data"]["object"]
    if obj.get("payment_intent") and not may_be_ours(obj):
        return "ignored: dispute on no order of ours"
    return record_dispute(gateway.retrieve_dispute(obj["id"]), gateway)
