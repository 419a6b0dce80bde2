"""
The life of a purchase, as one explicit state machine.

Every change of an order's state goes through :func:`check_transition`; a
transition that makes no sense (refunding an order never paid, paying an
expired one) raises instead of silently corrupting the books.
"""

import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


class OrderState(models.TextChoices):
    CREATED = "created", _("Created")
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PAYMENT_PENDING = "payment_pending", _("Payment pending")
    PAID = "paid", _("Paid")
    FULFILLED = "fulfilled", _("Fulfilled")
    FLAGGED = "flagged", _("Needs review")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


S = OrderState

TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.AWAITING_PAYMENT, S.FAILED, S.EXPIRED}),
    # A Checkout Session exists and the learner may be on Stripe's page.
    S.AWAITING_PAYMENT: frozenset({S.PAYMENT_PENDING, S.PAID, S.FLAGGED, S.EXPIRED, S.FAILED}),
    # The session completed with a delayed payment method (e.g. SEPA debit).
    S.PAYMENT_PENDING: frozenset({S.PAID, S.FLAGGED, S.FAILED}),
    # Money received, enrollment not yet made (or made and about to be recorded).
    S.PAID: frozenset({S.FULFILLED, S.CANCELLED}),
    # FLAGGED: a disputed payment, when access is suspended while the bank decides.
    S.FULFILLED: frozenset({S.CANCELLED, S.FLAGGED}),
    # Amount or currency did not match the snapshot: an administrator decides.
    S.FLAGGED: frozenset({S.FULFILLED, S.CANCELLED}),
    S.EXPIRED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}

#: States in which the learner has a purchase under way (one at a time per course).
OPEN_STATES = frozenset({S.CREATED, S.AWAITING_PAYMENT, S.PAYMENT_PENDING})
#: States in which the order grants, or is about to grant, access to the course.
ACCESS_STATES = frozenset({S.PAID, S.FULFILLED})
#: States after which nothing happens any more.
FINAL_STATES = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


class InvalidTransition(Exception):
    """A state change the purchase's life does not allow."""

    def __init__(self, current: str, target: str):
        super().__init__(f"An order cannot go from {current} to {target}.")
        self.current = current
        self.target = target


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise InvalidTransition(current, target)


#: The Stripe event being processed in this context, named by each transition it causes.
current_event: ContextVar[str] = ContextVar("riseup_stripe_current_event", default="")


@contextmanager
def caused_by(event_id: str):
    """Transitions made inside this block are logged as caused by this Stripe event."""
    token = current_event.set(event_id or "")
    try:
        yield
    finally:
        current_event.reset(token)


_PLAIN = re.compile(r"^[A-Za-z0-9_.:+@/-]+$")


def log_fields(**fields) -> str:
    """``key=value`` pairs, values with spaces or quotes quoted: one line a log search can split."""
    def value(item):
        text = "-" if item in (None, "") else str(item)
        return text if _PLAIN.match(text) else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return " ".join(f"{key}={value(item)}" for key, item in fields.items())


def log_transition(order, current: str, target: str, *, event_id: str | None = None) -> None:
    """
    The one log line of an order's transition, from its single transition point (:meth:`Order.transition`).

    Ids and states only: never card data (the order holds none), an email, a name or a key.
    """
    event = current_event.get() if event_id is None else event_id
    log.info("order_transition %s", log_fields(order=order.uuid, event=event, **{"from": current}, to=target,
                                               course=order.course_key, user=order.user_id))
