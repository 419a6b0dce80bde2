"""Course offers and their Stripe mirror (Product and Price)."""

from __future__ import annotations

import logging
from functools import lru_cache
from urllib.parse import quote

from django.db.models import F, Q
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

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


#: What Django's ``reverse`` leaves unquoted in a path (``django.urls.resolvers``); course keys use only these
#: and letters, digits, ``-._``.
_URL_SAFE = "!$&'()*+,;=/~:@"
_SAMPLE_KEY = "course-v1:RiseUpSample+P0+R0"


@lru_cache(maxsize=8)
def _purchase_path_parts(script_prefix: str, urlconf) -> tuple[str, str]:
    """The purchase path around the course id, reversed once per script prefix (a catalog page has many)."""
    path = reverse("riseup_stripe:purchase", kwargs={"course_id": _SAMPLE_KEY}, urlconf=urlconf)
    prefix, _, suffix = path.partition(quote(_SAMPLE_KEY, safe=_URL_SAFE))
    return prefix, suffix


def purchase_url(course_key) -> str:
    """
    The course's purchase page: a path in the LMS; from Studio, whose URLs have no learner pages, an
    absolute link to the LMS's (``LMS_ROOT_URL``).
    """
    kwargs = {"course_id": str(course_key)}
    try:
        prefix, suffix = _purchase_path_parts(get_script_prefix(), get_urlconf())
        return prefix + quote(str(course_key), safe=_URL_SAFE) + suffix
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
    name = product_name(offer)
    if not offer.stripe_product_id:
        product = gateway.create_product(offer_id=offer.pk, course_key=str(offer.course_key), name=name)
        CourseOffer.objects.filter(pk=offer.pk).update(stripe_product_id=product["id"], stripe_product_name=name)
        offer.stripe_product_id, offer.stripe_product_name = product["id"], name
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


def offers_out_of_step():
    """Offers for sale whose Stripe Price is missing or not their present price."""
    offers = CourseOffer.objects.filter(is_paid=True, active=True, price__gt=0)
    return offers.exclude(stripe_price_id="").filter(
        ~Q(stripe_price_amount=F("price")) | ~Q(stripe_price_currency=F("currency")) | Q(stripe_price_amount=None)
    ) | offers.filter(stripe_price_id="")


def sync_offers(gateway: StripeGateway | None = None) -> tuple[int, int]:
    """Sync every offer out of step (the retry of a sync Stripe was down for); ``(synced, failed)``."""
    gateway = gateway or StripeGateway()
    synced = failed = 0
    for offer in offers_out_of_step().order_by("pk"):
        try:
            sync_offer(offer, gateway)
            synced += 1
        except StripeGatewayError as exc:
            failed += 1
            log.warning("Stripe product and price of %s not synced: %s", offer.course_key, exc.detail)
    return synced, failed


def product_name(offer: CourseOffer, course_name: str | None = None) -> str:
    """What the offer's Stripe Product is called: the course's name (Stripe takes 250 characters)."""
    if course_name is None:
        course = platform.get_course(offer.course_key)
        course_name = course.display_name if course else ""
    return (course_name or "")[:250] or str(offer.course_key)[:250]


def sync_product_name(offer: CourseOffer, gateway: StripeGateway | None = None,
                      course_name: str | None = None) -> CourseOffer:
    """Give the offer's Stripe Product the course's present name; no call when it has it already."""
    name = product_name(offer, course_name)
    if not offer.stripe_product_id or offer.stripe_product_name == name:
        return offer
    gateway = gateway or StripeGateway()
    version = offer.product_name_version + 1
    gateway.rename_product(offer.stripe_product_id, name=name, version=version)
    CourseOffer.objects.filter(pk=offer.pk).update(stripe_product_name=name, product_name_version=version)
    offer.stripe_product_name, offer.product_name_version = name, version
    log.info("Stripe product %s of %s renamed", offer.stripe_product_id, offer.course_key)
    return offer


def rename_product(course_key: str, name: str) -> None:
    """
    A course was renamed in Studio: its Stripe Product follows (a job, run after the publish's commit).

    Small and pure on purpose, so a worker task can call it: a course key and a name in, one Stripe call at most.
    A failure is logged; the next save of the offer renames it.
    """
    from opaque_keys.edx.keys import CourseKey

    offer = get_offer(CourseKey.from_string(course_key))
    if offer is None or not offer.stripe_product_id:
        return
    try:
        sync_product_name(offer, course_name=name)
    except StripeGatewayError as exc:
        log.warning("Stripe product of %s not renamed yet: %s", course_key, exc.detail)
