"""
Analytics: an order's life as tracking-log events, named and shaped like the platform's enrollment events.

The platform emits ``edx.course.enrollment.activated`` with ``{"course_id", "user_id", "mode"}``;
the plugin emits ``riseup.course.purchase.<what>`` with the same three fields first, then the order's
money (integer minor units and currency; never card data, never an email address). Each event is
emitted once the change is committed (a rolled-back change emits nothing), and a tracker that fails
is logged, never allowed to break a payment. Webhooks and tasks have no request: the context then
says the learner, the course and its org itself.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

from .. import edxapp_wrapper as platform
from ..states import OrderState

log = logging.getLogger(__name__)

PREFIX = "riseup.course.purchase"
PAID = f"{PREFIX}.paid"
FULFILLED = f"{PREFIX}.fulfilled"
CANCELLED = f"{PREFIX}.cancelled"
REFUNDED = f"{PREFIX}.refunded"
DISPUTED = f"{PREFIX}.disputed"
DISPUTE_CLOSED = f"{PREFIX}.dispute_closed"

#: The event each order state is announced by.
STATE_EVENTS = {OrderState.PAID: PAID, OrderState.FULFILLED: FULFILLED, OrderState.CANCELLED: CANCELLED}


def order_data(order) -> dict:
    """What every event says about its order."""
    return {
        "course_id": str(order.course_key),
        "user_id": order.user_id,
        "mode": order.enrollment_mode or "",
        "order_id": str(order.uuid),
        "state": order.state,
        "currency": order.currency,
        "amount": order.amount,
        "amount_paid": order.amount_paid,
        "amount_discount": order.amount_discount,
        "promotion_code": order.promotion_code,
        "audience_scope": order.audience_scope,
    }


def context_for(order) -> dict:
    context = {"course_id": str(order.course_key), "org_id": getattr(order.course_key, "org", "")}
    if platform.get_current_user() is None:
        # A webhook or a task: nobody signed in, so no user in the tracker's context; the learner is who
        # the event is about. In a person's request (an administrator's), the tracker says who acted.
        context["user_id"] = order.user_id
    return context


def _send(name: str, data: dict, context: dict) -> None:
    try:
        platform.emit_event(name, data, context)
    except Exception:  # noqa: BLE001 - analytics never break a payment
        log.exception("Tracking event %s for order %s could not be emitted", name, data.get("order_id"))


def emit(name: str, order, **extra) -> None:
    """Emit ``name`` about ``order`` after the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(_send, name, {**order_data(order), **extra}, context_for(order)))


def order_state_changed(order=None, source=None, target=None, **kwargs) -> None:
    """Receiver of :data:`signals.order_state_changed`: paid, fulfilled and cancelled orders are announced."""
    name = STATE_EVENTS.get(target)
    if name is not None and order is not None:
        emit(name, order, previous_state=source)


def credit_note_issued(order, note) -> None:
    """A credit note (a cancellation's, or one for a refund made in Stripe) was stored."""
    emit(REFUNDED, order, credit_note_id=note.stripe_credit_note_id, credit_note_amount=note.amount,
         credit_note_tax=note.tax, refund_id=note.refund_id, source=note.source, reason=note.reason)


def dispute_changed(order, dispute_id: str, status: str, closed: bool) -> None:
    emit(DISPUTE_CLOSED if closed else DISPUTED, order, dispute_id=dispute_id, dispute_status=status)
