"""
Ending an order and the access it bought.

The order is cancelled under its row lock; the learner is unenrolled unless they hold the course another way.
"""

from __future__ import annotations

import logging

from .. import edxapp_wrapper as platform
from ..models import BackOfficeEnrollment, Order
from ..states import ACCESS_STATES, OrderState

log = logging.getLogger(__name__)

#: Order states a cancellation or a lost dispute ends.
CANCELLABLE_ORDER_STATES = (OrderState.PAID, OrderState.FULFILLED, OrderState.FLAGGED)

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
