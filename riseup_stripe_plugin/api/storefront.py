"""
Storefront API: what the MFE widgets of one page need, for all its courses, in one request.

``GET /riseup-stripe/api/v1/storefront/?course_id=a&course_id=b...`` answers, for each course the
platform knows, its price (minor units, currency, formatted for the learner's language, tax included)
and the purchase decision for the person asking (``orders.eligibility``): buyable now, or why not,
bought (with the invoice), a payment on its way. Anonymous visitors get the price and a
``signed_out`` reason; their answers are the same for everyone, so they may be cached (and are
rate-limited per address); a signed-in learner's answer is private.

The work is bounded by the page, not the catalog: at most :data:`MAX_COURSE_IDS` ids, read with a
fixed number of queries whatever their number: the courses with their offers from the catalog's read
model (``CatalogCourse``, one query), then the decisions (``orders.eligibility.eligibilities``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db import connections, router
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import conf, money
from .. import edxapp_wrapper as platform
from ..catalog.listing import read_courses
from ..catalog.offers import offers_for
from ..models import Invoice, Order
from ..orders.eligibility import BOUGHT, eligibilities, payment_enabled
from ..states import ACCESS_STATES
from ..web.ratelimit import RateLimited, check_rate, client_address
from .views import learner_authentication_classes, rate_limited_response

#: At most this many course ids in one request (the widgets send 100 at most); more is a 400.
MAX_COURSE_IDS = 100
#: How long a shared cache (a CDN, the browser) may keep an anonymous answer.
ANONYMOUS_MAX_AGE = 60
#: Anonymous answers vary with the language (prices and sentences); every answer with who is asking.
VARY = ("Accept-Language", "Cookie", "Authorization")


@dataclass(frozen=True)
class _Invoice:
    number: str
    stripe_invoice_id: str
    invoice_pdf_url: str
    hosted_invoice_url: str


@lru_cache(maxsize=128)
def _invoices_sql(alias: str, count: int) -> str:
    """The invoices of a learner's courses whose order grants access, newest first (``Invoice`` joined to ``Order``)."""
    quote = connections[alias].ops.quote_name
    table, orders = quote(Invoice._meta.db_table), quote(Order._meta.db_table)

    def column(model, name, table_name):
        return f"{table_name}.{quote(model._meta.get_field(name).column)}"

    def invoice(name):
        return column(Invoice, name, table)

    fields = ", ".join(invoice(name) for name in ("course_key", "number", "stripe_invoice_id", "invoice_pdf_url",
                                                  "hosted_invoice_url"))
    return (f"SELECT {fields} FROM {table} INNER JOIN {orders} ON {invoice('order')} = "
            f"{column(Order, 'id', orders)} WHERE {invoice('user')} = %s "
            f"AND {invoice('course_key')} IN ({', '.join(['%s'] * count)}) "
            f"AND {column(Order, 'state', orders)} IN ({', '.join(['%s'] * len(ACCESS_STATES))}) "
            f"ORDER BY {invoice('issued_at')} DESC, {invoice('id')} DESC")


def parse_course_ids(values) -> tuple[list, list[str]]:
    """The distinct course keys asked for, in order, and the ids that are not course keys (ignored)."""
    keys, invalid, seen = [], [], set()
    for value in values:
        text = (value or "").strip()
        if not text or text in seen:
            continue
        seen.add(text)
        try:
            keys.append(CourseKey.from_string(text))
        except InvalidKeyError:
            invalid.append(text[:255])
    return keys, invalid


def sign_in_base_url() -> str:
    """The platform's sign-in page without a ``next`` (the widget adds the page the learner is on)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(platform.login_url("/"))
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "next"])
    return urlunsplit(parts._replace(query=query))


class StorefrontView(APIView):
    """GET ``?course_id=...`` (repeated): price and purchase status of each course, for the MFE widgets."""

    authentication_classes = learner_authentication_classes()
    permission_classes = [AllowAny]

    def get(self, request):
        user = request.user
        signed_in = bool(user and user.is_authenticated)
        if not signed_in:
            try:
                check_rate("storefront", [f"addr:{client_address(request)}"],
                           conf.get("RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE"))
            except RateLimited as exc:
                return self._uncached(rate_limited_response(exc))
        values = request.query_params.getlist("course_id")
        if len(values) > MAX_COURSE_IDS:
            return self._uncached(Response({
                "error": "too_many_courses",
                "message": _("Ask for at most {count} courses at once.").format(count=MAX_COURSE_IDS),
            }, status=status.HTTP_400_BAD_REQUEST))
        keys, invalid = parse_course_ids(values)
        if not keys and not invalid:
            return self._uncached(Response({
                "error": "course_id_required",
                "message": _("Give at least one course_id."),
            }, status=status.HTTP_400_BAD_REQUEST))
        courses, offers = self._courses(keys)
        known = [key for key in keys if key in courses]
        # No links: the answer carries its own purchase endpoint and sign-in address, and a course's home.
        decisions = eligibilities(user, known, offers=offers, courses=courses, links=False) if known else {}
        invoices = self._invoices(user, [key for key, d in decisions.items() if d.code == BOUGHT])
        data = {
            "payment_enabled": payment_enabled(),
            "signed_in": signed_in,
            "purchase_endpoint": request.build_absolute_uri(reverse("riseup_stripe:api_purchase")),
            "sign_in_url": request.build_absolute_uri(sign_in_base_url()),
            "invoices_url": request.build_absolute_uri(reverse("riseup_stripe:my_invoices")),
            "courses": {
                str(key): self._course(request, key, offers.get(key), decisions[key], invoices.get(str(key)),
                                       courses[key])
                for key in known
            },
            "unknown": [str(key) for key in keys if key not in courses] + invalid,
        }
        response = Response(data)
        patch_vary_headers(response, VARY)
        if signed_in:
            patch_cache_control(response, private=True, max_age=0)
        else:
            patch_cache_control(response, public=True, max_age=ANONYMOUS_MAX_AGE)
        return response

    @staticmethod
    def _courses(keys) -> tuple[dict, dict]:
        """
        ``({key: CourseInfo}, {key: offer})`` of the courses asked for: from the catalog's read model in one
        query; a course it does not have (yet) is asked of the platform and the offers (two more queries,
        only then), so the answer never depends on the read model being complete.
        """
        if not keys:
            return {}, {}
        found = read_courses(keys)
        courses, offers = {}, {}
        missing = []
        for key in keys:
            entry = found.get(str(key))
            if entry is None:
                missing.append(key)
                continue
            courses[key] = entry.course
            if entry.offer is not None:
                offers[key] = entry.offer
        if missing:
            platform_courses = platform.get_courses(missing)
            courses.update(platform_courses)
            offers.update(offers_for([key for key in missing if key in platform_courses]))
        return courses, offers

    @staticmethod
    def _uncached(response):
        patch_cache_control(response, no_store=True)
        patch_vary_headers(response, VARY)
        return response

    @staticmethod
    def _invoices(user, bought_keys) -> dict:
        """
        ``{course id: invoice}`` of each bought course (its newest invoice of an order granting access); one
        query, none when nothing is bought. Its SQL is written once per number of courses (``_invoices_sql``).
        """
        ids = list(dict.fromkeys(str(key) for key in bought_keys))
        if not ids:
            return {}
        found = {}
        alias = router.db_for_read(Invoice)
        with connections[alias].cursor() as cursor:
            cursor.execute(_invoices_sql(alias, len(ids)), [user.pk, *ids, *(str(state) for state in ACCESS_STATES)])
            for course_id, number, invoice_id, pdf_url, hosted_url in cursor.fetchall():
                found.setdefault(course_id, _Invoice(number, invoice_id, pdf_url, hosted_url))
        return found

    @staticmethod
    def _course(request, key, offer, decision, invoice, course) -> dict:
        absolute = request.build_absolute_uri
        is_paid = bool(offer is not None and offer.is_paid)
        reason = None if decision.code in ("available", "free") else decision.code
        home = getattr(course, "course_url", "")  # where the decision's "View course" link goes
        course_url = absolute(home) if home and decision.code in ("bought", "already_enrolled") else None
        return {
            "course_id": str(key),
            "is_paid": is_paid,
            "price": {
                "amount": int(offer.price),
                "currency": offer.currency.upper(),
                "formatted": money.format_price_ttc(offer.price, offer.currency),
                "tax_included": True,
            } if is_paid else None,
            "purchasable": decision.can_buy,
            "status": decision.storefront_status,
            "reason": reason,
            "message": decision.message if reason else None,
            "course_url": course_url,
            "invoice": {
                "number": invoice.number,
                "url": absolute(reverse("riseup_stripe:my_invoices")) + f"#invoice-{invoice.stripe_invoice_id}",
                "pdf_url": invoice.invoice_pdf_url or None,
                "hosted_url": invoice.hosted_invoice_url or None,
            } if invoice is not None else None,
        }
