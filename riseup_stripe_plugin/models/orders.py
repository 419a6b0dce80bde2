"""One purchase of one course by one learner; its life is the state machine of ``states``."""

from __future__ import annotations

import uuid
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from ..signals import order_state_changed
from ..states import (
    ACCESS_STATES,
    OPEN_STATES,
    InvalidTransition,
    OrderState,
    check_transition,
    current_event,
    log_transition,
)
from .compiled import CompiledQuery
from .offers import CourseOffer


class Order(models.Model):
    """
    One purchase of one course by one learner.

    Its state changes only through :meth:`transition`. Two slot columns let the
    database enforce what matters, on SQLite and MySQL alike (MySQL has no
    partial unique index): ``open_slot`` holds "user:course" while a purchase is
    under way (never two open checkouts), ``access_slot`` while the order grants
    access (never two live purchases of one course).

    .. pii: belongs to a user; holds Stripe ids of their customer and payment.
    .. pii_types: id
    .. pii_retirement: retained
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("UUID"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="riseup_stripe_orders",
        verbose_name=_("learner"),
    )
    course_key = CourseKeyField(max_length=255, db_index=True, verbose_name=_("course id"))
    #: The course's name when the purchase started (the one the Checkout page and the invoice show).
    course_name = models.CharField(max_length=255, blank=True, default="", verbose_name=_("course name"))
    offer = models.ForeignKey(CourseOffer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("offer"))
    state = models.CharField(max_length=32, choices=OrderState.choices, default=OrderState.CREATED,
        verbose_name=_("state"))
    # The price and currency at the moment of purchase: what the learner agreed to pay.
    amount = models.PositiveBigIntegerField(verbose_name=_("amount"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    stripe_price_id = models.CharField(max_length=255, verbose_name=_("Stripe price id"))
    enrollment_mode = models.CharField(max_length=100, blank=True, default="", verbose_name=_("enrollment mode"))
    amount_paid = models.BigIntegerField(null=True, blank=True, verbose_name=_("amount paid"))
    amount_discount = models.BigIntegerField(null=True, blank=True, verbose_name=_("discount"))
    promotion_code_id = models.CharField(max_length=255, blank=True, default="",
        verbose_name=_("promotion code (Stripe id)"))
    #: The code as the learner typed it (WELCOME10), from Stripe's promotion_code object.
    promotion_code = models.CharField(max_length=255, blank=True, default="", verbose_name=_("promotion code"))
    # The learner's audience scope when the order was made; empty for orders from before it was recorded.
    audience_scope = models.CharField(max_length=16, blank=True, default="",
                                      verbose_name=_("audience scope at purchase"))
    stripe_customer_id = models.CharField(max_length=255, blank=True, default="", verbose_name=_("Stripe customer id"))
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True,
        verbose_name=_("Checkout Session id"))
    checkout_url = models.TextField(blank=True, default="", verbose_name=_("Checkout address"))
    checkout_expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("Checkout expires at"))
    payment_intent_id = models.CharField(max_length=255, blank=True, default="", db_index=True,
        verbose_name=_("PaymentIntent id"))
    stripe_invoice_id = models.CharField(max_length=255, blank=True, default="", db_index=True,
        verbose_name=_("Stripe invoice id"))
    open_slot = models.CharField(max_length=300, unique=True, null=True, blank=True, editable=False,
        verbose_name=_("open purchase slot"))
    access_slot = models.CharField(max_length=300, unique=True, null=True, blank=True, editable=False,
        verbose_name=_("access slot"))
    flag_reason = models.TextField(blank=True, default="", verbose_name=_("flag reason"))
    dispute_id = models.CharField(max_length=255, blank=True, default="", verbose_name=_("dispute id"))
    dispute_status = models.CharField(max_length=64, blank=True, default="", verbose_name=_("dispute status"))
    last_error = models.TextField(blank=True, default="", verbose_name=_("last error"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    modified = models.DateTimeField(auto_now=True, verbose_name=_("modified"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))
    fulfilled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("fulfilled at"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "course_key", "state"], name="riseup_order_user_course")]

    def __str__(self):
        return f"{self.uuid} ({self.state})"

    def save(self, *args, **kwargs):
        if self._state.adding:
            for name, value in self.slots_for(self.state).items():
                setattr(self, name, value)
        super().save(*args, **kwargs)

    @classmethod
    def by_reference(cls, ref) -> Order | None:
        """The order named by a Stripe object's ``riseup_order`` (its uuid); None for anything else."""
        key = _reference_uuid(ref)
        return cls.objects.select_related("user").filter(uuid=key).first() if key else None

    def locked(self, *, with_cancelled_invoice: bool = False, with_invoice: bool = False) -> Order:
        """
        This order re-read under its row lock, inside the caller's transaction.

        Locks are always taken order first, then invoice: every writer of an order and its
        invoice (fulfilment, invoice recording, cancellation, disputes) goes through here.
        ``with_cancelled_invoice`` adds ``has_cancelled_invoice`` (fulfilment's check) to the same
        query, ``with_invoice`` the Stripe id of the order's invoice (``invoice_stripe_id``, None without
        one: invoice recording's check); the subqueries read the invoice without locking it, and every
        writer of an order's invoice holds the order's lock.
        """
        return Order._locking(with_cancelled_invoice=with_cancelled_invoice, with_invoice=with_invoice).get(pk=self.pk)

    @classmethod
    def locked_by_reference(cls, ref) -> Order | None:
        """
        The order a Stripe object's ``riseup_order`` names, read under its row lock with its learner and what
        fulfilment and invoice recording check (both annotations of :meth:`locked`), in one query; None
        for anything else. The caller holds a transaction.
        """
        key = _reference_uuid(ref)
        return _LOCKED_BY_UUID.first(key) if key else None

    @staticmethod
    def _locking(*, with_cancelled_invoice: bool, with_invoice: bool):
        from .billing import Invoice, InvoiceStatus

        orders = Order.objects.select_for_update().select_related("user")
        if with_cancelled_invoice:
            orders = orders.annotate(has_cancelled_invoice=models.Exists(
                Invoice.objects.filter(order=models.OuterRef("pk"), status=InvoiceStatus.CANCELLED)))
        if with_invoice:
            orders = orders.annotate(invoice_stripe_id=models.Subquery(
                Invoice.objects.filter(order=models.OuterRef("pk")).values("stripe_invoice_id")[:1]))
        return orders

    def slot_value(self) -> str:
        return f"{self.user_id}:{self.course_key}"

    def slots_for(self, state: str) -> dict:
        return {
            "open_slot": self.slot_value() if state in OPEN_STATES else None,
            "access_slot": self.slot_value() if state in ACCESS_STATES else None,
        }

    def transition(self, target: str, *, through: str | None = None, **changes) -> None:
        """
        Move to ``target`` if the state machine allows it, atomically.

        The UPDATE is conditional on the state we read (compare-and-set), so two
        processes racing on one order cannot both make the same move: the loser
        gets :class:`ConcurrentTransition` and re-reads.

        ``through``: two transitions in one UPDATE, to ``through`` then to ``target`` (a payment confirmed
        and its enrollment made under one lock: PAID then FULFILLED). Each is checked, stamped, logged
        and announced as if made on its own; the database only never holds the state in between.
        """
        steps = [self.state, through, target] if through else [self.state, target]
        moves = list(zip(steps[:-1], steps[1:], strict=True))
        for current, following in moves:
            check_transition(current, following)
        now = timezone.now()
        for _source, step in moves:
            stamp = {OrderState.PAID: "paid_at", OrderState.FULFILLED: "fulfilled_at",
                     OrderState.CANCELLED: "cancelled_at"}.get(step)
            if stamp and stamp not in changes:
                changes[stamp] = now
        values = {"state": target, "modified": now, **self.slots_for(target), **changes}
        updated = Order.objects.filter(pk=self.pk, state=self.state).update(**values)
        if updated != 1:
            raise ConcurrentTransition(self.state, target)
        event_id = current_event.get()
        for name, value in values.items():
            setattr(self, name, value)
        for current, following in moves:
            # Logged once it is committed: a transition a rollback undoes (a refused enrollment) never happened.
            transaction.on_commit(partial(log_transition, self, current, following, event_id=event_id))
            self.state = following  # each step announced with the state it reached
            order_state_changed.send(sender=Order, order=self, source=current, target=following)


class ConcurrentTransition(InvalidTransition):
    """Another process changed the order's state first; re-read it."""


#: Fulfilment's lock, run on every paid webhook: compiled by Django once per database, then executed with
#: the order's uuid and turned into the order with its learner and annotations as the ORM would.
_LOCKED_BY_UUID = CompiledQuery(
    Order, "uuid",
    lambda value: Order._locking(with_cancelled_invoice=True, with_invoice=True).filter(uuid=value),
    sample=uuid.UUID(int=0),
)


def _reference_uuid(ref) -> uuid.UUID | None:
    """The uuid a Stripe object's ``riseup_order`` carries; None when it carries none or not a uuid."""
    try:
        return uuid.UUID(str(ref)) if ref else None
    except ValueError:
        return None
