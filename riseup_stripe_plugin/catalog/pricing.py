"""
Putting a price on a course: one function behind the admin form and the Studio API.

The price is entered tax included, in major units ("49.00"), converted with
Decimal and the currency's exponent; saving makes the course purchasable by
itself (the Stripe Product and Price follow).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import conf, money
from .. import edxapp_wrapper as platform
from ..exceptions import StripeGatewayError
from ..models import CourseOffer
from .offers import sync_offer, sync_product_name
from .scopes import join_scopes, validate_scopes

log = logging.getLogger(__name__)


class PricingError(ValueError):
    """Input that cannot become a price; ``field`` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class PricingResult:
    offer: CourseOffer
    stripe_error: str = ""


def parse_price(price, currency: str) -> tuple[int, str]:
    """Validate a price tax included in major units; return (minor units, currency)."""
    try:
        code = money.normalize_currency(currency or conf.stripe_settings().default_currency)
    except money.MoneyError as exc:
        raise PricingError("currency", str(exc)) from exc
    try:
        minor = money.to_minor(price, code)
    except money.MoneyError as exc:
        raise PricingError("price", str(exc)) from exc
    return minor, code


def set_offer(course_key, *, is_paid: bool, price=None, currency: str = "", active: bool = True,
              enrollment_mode: str | None = None, scopes=None, sync: bool = True) -> PricingResult:
    """Create or update the offer of a course; sync Stripe when it is for sale."""
    if platform.get_course(course_key) is None:
        raise PricingError("course_id", _("Unknown course: {course_id}.").format(course_id=course_key))
    offer = CourseOffer.objects.filter(course_key=course_key).first() or CourseOffer(course_key=course_key)
    if is_paid:
        if price in (None, ""):
            raise PricingError("price", _("A paid course needs a price."))
        minor, code = parse_price(price, currency)
        if minor <= 0:
            raise PricingError("price", _("A paid course needs a price above zero."))
        offer.price, offer.currency = minor, code
    elif price not in (None, ""):
        minor, code = parse_price(price, currency)
        offer.price, offer.currency = minor, code
    if scopes is not None:
        try:
            validate_scopes(scopes)
        except ValidationError as exc:
            raise PricingError("scopes", " ".join(exc.messages)) from exc
        offer.scopes = join_scopes(scopes)
    offer.is_paid = is_paid
    offer.active = active
    if enrollment_mode is not None:
        offer.enrollment_mode = enrollment_mode
    with transaction.atomic():
        offer.save()
    result = PricingResult(offer)
    if sync and offer.purchasable and conf.stripe_settings().secret_key:
        try:
            result.offer = sync_product_name(sync_offer(offer))
        except StripeGatewayError as exc:
            # The price is saved; the first purchase will sync it (or the next save).
            log.warning("Offer %s saved; Stripe sync deferred: %s", course_key, exc.detail)
            result.stripe_error = str(exc.message)
    return result
