"""
Starting a purchase: one course, one Checkout Session, no cart.

The learner's one POST creates (or reuses) an order and its Checkout Session.
The database allows one open order per learner and course, so a double click
lands on the same session; the order's uuid is the idempotency key of the
session, so a retry after a network failure never creates a second one.
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import conf
from .. import edxapp_wrapper as platform
from ..catalog.audience import learner_scope
from ..catalog.offers import get_offer
from ..exceptions import PaymentRequestError, PurchaseRefused
from ..models import Order
from ..states import ACCESS_STATES, InvalidTransition, OrderState
from ..stripe_gateway import StripeGateway, checkout_locale
from . import customers
from .eligibility import BOUGHT, PENDING, eligibility
from .fulfilment import apply_session

log = logging.getLogger(__name__)

#: A session this close to its expiry is replaced rather than reused.
REUSE_MARGIN = timedelta(minutes=5)
#: Stripe refuses a session that expires sooner than 30 minutes; keep a margin for the round trip.
MIN_SESSION_LIFETIME = timedelta(minutes=30, seconds=30)


def check_can_buy(user, course_key, offer=None, course=None, scope=None):
    """Raise :class:`PurchaseRefused` when this learner cannot buy this course now; return the offer.

    ``scope`` is a callable giving the learner's scope, when the caller needs it too (read once).
    """
    offer = offer or get_offer(course_key)
    known = {"course": course} if course is not None else {}
    if scope is not None:
        known["scope"] = scope
    decision = eligibility(user, course_key, offer=offer, **known)
    if not decision.can_buy:
        raise decision.refusal()
    return offer


def start_purchase(user, course_key, *, success_url: str, cancel_url: str, language: str | None = None,
                   gateway: StripeGateway | None = None) -> Order:
    """Return an order in AWAITING_PAYMENT whose ``checkout_url`` the learner is sent to."""
    course = platform.get_course(course_key)
    if course is None:
        raise PurchaseRefused("unknown_course", _("This course does not exist."), status=404)
    # The decision may need the learner's scope and the new order records it: one read for both.
    scope = functools.cache(lambda: learner_scope(user))
    offer = check_can_buy(user, course_key, course=course, scope=scope)
    gateway = gateway or StripeGateway()

    order = _open_order(user, course_key, gateway)
    if order is not None and order.state == OrderState.AWAITING_PAYMENT:
        return order
    if order is not None and order.state == OrderState.PAYMENT_PENDING:
        raise PurchaseRefused(  # a delayed payment that cleared its session while this request ran
            PENDING,
            _("Your payment for this course is being processed. You will be enrolled as soon as it clears."),
            status=409,
        )

    # The Product and Price are made when the offer is saved (or by ``riseup_stripe_sync_offers`` when
    # Stripe was down then); an offer not in step is sold at its price inline, still in one call.
    price_id = offer.stripe_price_id if offer.stripe_price_in_step else ""
    if order is not None and (
        (order.amount, order.currency, order.stripe_price_id) != (offer.price, offer.currency, price_id)
        or order.checkout_expires_at < timezone.now() + MIN_SESSION_LIFETIME
    ):
        # A previous attempt never reached the learner; its terms are stale, start afresh.
        order.transition(OrderState.EXPIRED, last_error="stale before checkout")
        order = None
    if order is None:
        order = _create_order(user, course_key, offer, price_id, scope(), course_name=course.display_name)
        if order.state == OrderState.AWAITING_PAYMENT:  # a concurrent click got there first
            return order

    customer_id = customers.stored_customer_id(user, gateway.settings.livemode)
    urls = {"success_url": success_url, "cancel_url": cancel_url, "language": language}
    try:
        session = gateway.create_checkout_session(session_params(order, course, customer_id, offer=offer, **urls),
                                                  order_uuid=str(order.uuid))
    except PaymentRequestError as exc:
        if not (customer_id and customers.is_missing_customer(exc)):
            raise
        # Deleted in the Stripe Dashboard: forget it, and let Checkout create a new one.
        customers.forget_customer(user, customer_id)
        customer_id = ""
        session = gateway.create_checkout_session(session_params(order, course, "", offer=offer, **urls),
                                                  order_uuid=str(order.uuid))
    try:
        order.transition(
            OrderState.AWAITING_PAYMENT, checkout_session_id=session["id"], checkout_url=session["url"],
            stripe_customer_id=customer_id,
        )
    except (InvalidTransition, IntegrityError):
        # The other click of a double click stored its session first: send both to that one.
        order.refresh_from_db()
        if order.state != OrderState.AWAITING_PAYMENT or not order.checkout_url:
            raise
    return order


def _open_order(user, course_key, gateway) -> Order | None:
    """The learner's open order for the course, if it can still be used; stale ones are closed."""
    slot = f"{user.pk}:{course_key}"
    order = Order.objects.filter(open_slot=slot).first()
    if order is None or order.state != OrderState.AWAITING_PAYMENT:
        return order
    if order.checkout_expires_at and order.checkout_expires_at - REUSE_MARGIN > timezone.now():
        return order
    # Too close to expiry: close it at Stripe first, so there are never two open sessions.
    try:
        session = gateway.expire_checkout_session(order.checkout_session_id)
    except PaymentRequestError:
        session = gateway.retrieve_checkout_session(order.checkout_session_id)
    order = apply_session(session, gateway=gateway)
    if order.state in ACCESS_STATES:
        raise PurchaseRefused(BOUGHT, _("You have already bought this course."), status=409)
    return order if order.state in (OrderState.AWAITING_PAYMENT, OrderState.PAYMENT_PENDING) else None


def _create_order(user, course_key, offer, price_id: str, scope: str, attempts: int = 2, *,
                  course_name: str = "") -> Order:
    """The order for ``course_key`` (a CCX's order names the CCX, its price is its master's offer)."""
    lifetime = timedelta(minutes=conf.stripe_settings().checkout_lifetime_minutes)
    try:
        with transaction.atomic():
            return Order.objects.create(
                user=user, course_key=course_key, course_name=(course_name or "")[:255], offer=offer,
                amount=offer.price, currency=offer.currency, stripe_price_id=price_id,
                enrollment_mode=offer.enrollment_mode, audience_scope=scope,
                # Fixed now, so a retry sends the very same session parameters (idempotency);
                # rounded up, so Stripe never sees less than the configured lifetime.
                checkout_expires_at=(timezone.now() + lifetime).replace(microsecond=0) + timedelta(seconds=1),
            )
    except IntegrityError:
        # The other click of a double click created it: use that one (or try again if it moved on).
        existing = Order.objects.filter(open_slot=f"{user.pk}:{course_key}").first()
        if existing is None and attempts > 1:
            return _create_order(user, course_key, offer, price_id, scope, attempts - 1, course_name=course_name)
        if existing is None:
            raise
        return existing


def session_params(order: Order, course, customer_id: str, *, success_url: str, cancel_url: str,
                   language: str | None, offer=None) -> dict:
    """
    Checkout Session parameters: payment mode, one line item, the invoice from Stripe's template.

    The line item is the offer's Stripe Price; an order made while the offer had none in step (Stripe
    was down when it was saved) carries its price inline, on the offer's Product when there is one.
    """
    cfg = conf.stripe_settings()
    metadata = {
        "riseup_order": str(order.uuid),
        "riseup_course_key": str(order.course_key),
        "riseup_user_id": str(order.user_id),
    }
    if order.stripe_price_id:
        line_item = {"price": order.stripe_price_id, "quantity": 1}
    else:
        price_data = {"currency": order.currency, "unit_amount": int(order.amount), "tax_behavior": "inclusive"}
        if offer is not None and offer.stripe_product_id:
            price_data["product"] = offer.stripe_product_id
        else:
            price_data["product_data"] = {"name": (course.display_name or str(order.course_key))[:250],
                                          "metadata": {"riseup_course_key": str(order.course_key)}}
        line_item = {"price_data": price_data, "quantity": 1}
    if cfg.tax_mode == "fixed_rate" and cfg.tax_rate_id:
        line_item["tax_rates"] = [cfg.tax_rate_id]
    invoice_data = {"metadata": metadata, "description": course.display_name[:500]}
    if cfg.invoice_footer:
        invoice_data["footer"] = cfg.invoice_footer[:5000]
    if cfg.invoice_custom_fields:
        invoice_data["custom_fields"] = [{"name": n, "value": v} for n, v in cfg.invoice_custom_fields]
    params = {
        "mode": "payment",
        "line_items": [line_item],
        **customers.checkout_customer_params(order.user, customer_id),
        "client_reference_id": str(order.uuid),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "allow_promotion_codes": True,
        "invoice_creation": {"enabled": True, "invoice_data": invoice_data},
        "expires_at": int(order.checkout_expires_at.timestamp()),
        "locale": checkout_locale(language),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if cfg.tax_mode == "stripe_tax":
        params["automatic_tax"] = {"enabled": True}
        if customer_id:  # Stripe takes customer_update only with an existing Customer
            params["customer_update"] = {"address": "auto", "name": "auto"}
        params["billing_address_collection"] = "required"
    return params
