"""Course offers and their Stripe mirror (Product and Price)."""

from __future__ import annotations

import logging

from django.db.models import F

from .. import edxapp_wrapper as platform
from ..exceptions import StripeGatewayError
from ..models import CourseOffer
from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)


def get_offer(course_key) -> CourseOffer | None:
    return CourseOffer.objects.filter(course_key=course_key).first()


def sync_offer(offer: CourseOffer, gateway: StripeGateway | None = None) -> CourseOffer:
    """
    Bring the Stripe Product and Price in line with the offer.

    Prices are immutable at Stripe (and ``tax_behavior`` cannot change), so a
    new price or currency means a new Price; the old one is archived. An open
    checkout keeps the Price it started with.
    """
    if offer.stripe_price_in_step:
        return offer
    gateway = gateway or StripeGateway()
    course = platform.get_course(offer.course_key)
    name = course.display_name if course else str(offer.course_key)
    if not offer.stripe_product_id:
        product = gateway.create_product(offer_id=offer.pk, course_key=str(offer.course_key), name=name)
        CourseOffer.objects.filter(pk=offer.pk).update(stripe_product_id=product["id"])
        offer.stripe_product_id = product["id"]
    version = offer.price_version + 1
    price = gateway.create_price(
        product_id=offer.stripe_product_id, offer_id=offer.pk, version=version,
        amount=int(offer.price), currency=offer.currency, course_key=str(offer.course_key),
    )
    old_price_id = offer.stripe_price_id
    # Only if the price is still the one this Price was made for: an edit meanwhile syncs again.
    CourseOffer.objects.filter(pk=offer.pk, price=offer.price, currency=offer.currency).update(
        stripe_price_id=price["id"], stripe_price_amount=price["unit_amount"],
        stripe_price_currency=price["currency"], price_version=F("price_version") + 1,
    )
    offer.refresh_from_db()
    if old_price_id and old_price_id != price["id"]:
        try:
            gateway.archive_price(old_price_id)
        except StripeGatewayError as exc:
            # Harmless: the old Price is only no longer used by us. Retried at next sync.
            log.warning("Could not archive Stripe price %s: %s", old_price_id, exc.detail)
    return offer
