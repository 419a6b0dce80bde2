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
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import conf, money
from .. import edxapp_wrapper as platform
from ..exceptions import StripeGatewayError
from ..models import CourseOffer, OfferChange
from .offers import get_offer, offer_course_key, sync_offer, sync_product_name
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


def parse_currency(currency: str) -> str:
    """A currency a course can be sold in (the default currency when empty)."""
    try:
        return money.chargeable_currency(currency or conf.stripe_settings().default_currency)
    except money.MoneyError as exc:
        raise PricingError("currency", str(exc)) from exc


def check_chargeable(minor: int, currency: str) -> None:
    """Refuse, at pricing time, a price Stripe would refuse at checkout (below its minimum charge)."""
    try:
        money.check_minimum_charge(minor, currency)
    except money.MoneyError as exc:
        raise PricingError("price", str(exc)) from exc


def parse_price(price, currency: str) -> tuple[int, str]:
    """Validate a price tax included in major units; return (minor units, currency)."""
    code = parse_currency(currency)
    try:
        minor = money.to_minor(price, code)
    except money.MoneyError as exc:
        raise PricingError("price", str(exc)) from exc
    return minor, code


#: The sale terms an offer change is recorded for (``OfferChange.before`` / ``after``).
TRACKED_FIELDS = ("is_paid", "price", "currency", "active", "scopes", "enrollment_mode")


def offer_terms(offer: CourseOffer | None) -> dict:
    """The offer's sale terms as JSON (empty for an offer not saved yet)."""
    if offer is None or offer.pk is None:
        return {}
    terms = {name: getattr(offer, name) for name in TRACKED_FIELDS}
    terms["price"] = int(terms["price"])
    return terms


def save_offer(offer: CourseOffer, *, before: dict, actor=None, source: str) -> OfferChange | None:
    """Save the offer and, when its sale terms changed, the record of that change (one transaction)."""
    with transaction.atomic():
        offer.save()
        after = offer_terms(offer)
        if after == before:
            return None
        return OfferChange.objects.create(
            offer=offer, course_key=offer.course_key, actor=actor if getattr(actor, "pk", None) else None,
            source=source, before=before, after=after,
        )


def set_offer(course_key, *, is_paid: bool | None = None, price=None, currency: str | None = None,
              active: bool | None = None, enrollment_mode: str | None = None, scopes=None, sync: bool = True,
              actor=None, source: str = OfferChange.Source.ADMIN) -> PricingResult:
    """
    Create or update the offer of a course; sync Stripe when it is for sale.

    A value left at None is left as it is (a new offer takes the model's defaults): a request that
    does not mention ``active`` never puts back on sale an offer someone took off sale. A change of
    currency needs its price, or 49.00 EUR would silently become 4,900 JPY. Every change of the
    sale terms is recorded (:class:`OfferChange`) with ``actor`` and ``source``.
    """
    if platform.get_course(course_key) is None:
        raise PricingError("course_id", _("Unknown course: {course_id}.").format(course_id=course_key))
    if offer_course_key(course_key) != course_key:
        raise PricingError("course_id", _("A custom course (CCX) is sold at its master course's price: change "
                                          "the offer of {course_id}.").format(course_id=offer_course_key(course_key)))
    offer = CourseOffer.objects.filter(course_key=course_key).first() or CourseOffer(course_key=course_key)
    before = offer_terms(offer)
    paid = offer.is_paid if is_paid is None else is_paid
    if price not in (None, ""):
        minor, code = parse_price(price, currency or (offer.currency if offer.pk else ""))
        offer.price, offer.currency = minor, code
    elif currency not in (None, ""):
        code = parse_currency(currency)
        if offer.pk and code != offer.currency and offer.price:
            raise PricingError("price", _("Give the price in {currency} with the new currency.").format(
                currency=code.upper()))
        offer.currency = code
    if paid:
        if price in (None, "") and not offer.price:
            raise PricingError("price", _("A paid course needs a price."))
        if offer.price <= 0:
            raise PricingError("price", _("A paid course needs a price above zero."))
        check_chargeable(offer.price, offer.currency)
    if scopes is not None:
        try:
            validate_scopes(scopes)
        except ValidationError as exc:
            raise PricingError("scopes", " ".join(exc.messages)) from exc
        offer.scopes = join_scopes(scopes)
    offer.is_paid = paid
    if active is not None:
        offer.active = active
    if enrollment_mode is not None:
        offer.enrollment_mode = enrollment_mode
    save_offer(offer, before=before, actor=actor, source=source)
    result = PricingResult(offer)
    if sync:
        result = sync_stripe(offer.pk) or result
    return result


def sync_stripe(offer_pk: int) -> PricingResult | None:
    """
    The Stripe Product and Price of a saved offer, brought in line; call it outside any transaction.

    It re-reads the offer, so it can run after the commit of the transaction that saved it (the
    Django admin's): never a Stripe call while the admin holds the database. None when the offer
    is gone; a Stripe failure is the result's ``stripe_error`` (the price stays saved, and the
    first purchase or the next save syncs it).
    """
    offer = CourseOffer.objects.filter(pk=offer_pk).first()
    if offer is None:
        return None
    result = PricingResult(offer)
    if offer.purchasable and conf.stripe_settings().secret_key:
        try:
            result.offer = sync_product_name(sync_offer(offer))
        except StripeGatewayError as exc:
            log.warning("Offer %s saved; Stripe sync deferred: %s", offer.course_key, exc.detail)
            result.stripe_error = str(exc.message)
    return result


def inherit_offer(course_key, source_key, *, actor=None) -> CourseOffer | None:
    """
    A re-run of a paid course starts paid at its source's price, currency, scopes and mode, NOT on sale.

    Neither free (anyone could self-enroll into paid content) nor sellable before someone confirms the
    price for the new run. A course that already has an offer keeps it (the event may come twice).
    """
    source = get_offer(source_key)
    if source is None or not source.is_paid or CourseOffer.objects.filter(course_key=course_key).exists():
        return None
    offer = CourseOffer(
        course_key=course_key, is_paid=True, price=source.price, currency=source.currency, active=False,
        scopes=source.scopes, enrollment_mode=source.enrollment_mode,
    )
    try:
        save_offer(offer, before={}, actor=actor, source=OfferChange.Source.RERUN)
    except IntegrityError:  # the other delivery of the same event made it
        return None
    log.info("Re-run %s of %s inherits its paid offer, off sale until its price is confirmed.",
             course_key, source_key)
    return offer
