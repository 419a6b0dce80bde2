"""Course offers and their Stripe mirror (Product and Price)."""

from __future__ import annotations

import logging

from django.db.models import F
from django.urls import NoReverseMatch, reverse

from .. import edxapp_wrapper as platform
from ..apps import MOUNT_PATH
from ..exceptions import StripeGatewayError
from ..models import CourseOffer
from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)


def offer_course_key(course_key):
    """
    The course whose offer applies to ``course_key``: a CCX (``ccx-v1:...``) sells as its master course.

    A CCX shares its master's content, so it shares its master's price; every lookup of an offer goes
    through here (gate, purchase, about page, catalog, dashboard), so a CCX is never free by accident.
    """
    if course_key is None:
        return None
    # ccx-keys' CCXLocator (what the platform parses ``ccx-v1:`` into) knows its master course.
    if getattr(course_key, "ccx", None) and hasattr(course_key, "to_course_locator"):
        return course_key.to_course_locator()
    return course_key


def get_offer(course_key) -> CourseOffer | None:
    """The offer that applies to a course (its master's, for a CCX), or None for a free course."""
    key = offer_course_key(course_key)
    return CourseOffer.objects.filter(course_key=key).first() if key is not None else None


#: Above this many courses, one query reads every offer rather than a long ``IN`` list.
_IN_LIMIT = 500


def offers_for(course_keys) -> dict:
    """The offers that apply to several courses (a CCX: its master's), keyed by the keys asked for; one query."""
    wanted = {key: offer_course_key(key) for key in course_keys}
    query = CourseOffer.objects.all()
    masters = set(wanted.values())
    if len(masters) <= _IN_LIMIT:
        query = query.filter(course_key__in=masters)
    offers = {offer.course_key: offer for offer in query}
    return {key: offers[master] for key, master in wanted.items() if master in offers}


def purchase_url(course_key) -> str:
    """
    The course's purchase page: a path in the LMS; from Studio, whose URLs have no learner pages, an
    absolute link to the LMS's (``LMS_ROOT_URL``).
    """
    kwargs = {"course_id": str(course_key)}
    try:
        return reverse("riseup_stripe:purchase", kwargs=kwargs)
    except NoReverseMatch:
        path = reverse("purchase", kwargs=kwargs, urlconf="riseup_stripe_plugin.urls")
        return f"{platform.lms_root_url()}/{MOUNT_PATH}{path.lstrip('/')}"


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
