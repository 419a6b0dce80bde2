"""The learner dashboard MFE (learner_home serializers): prices and invoices in the data it reads."""

from __future__ import annotations

from django.urls import reverse
from openedx_filters import PipelineStep

from .. import edxapp_wrapper as platform
from .. import money
from ..catalog.offers import offer_course_key
from ..models import CourseOffer, Order
from ..states import ACCESS_STATES
from .steps import leaves_page_unchanged


def _request_cache(name: str, build):
    """A value computed once per request (the dashboard serializes every course in the same request)."""
    request = platform.get_current_request()
    cache = getattr(request, "_riseup_stripe_cache", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._riseup_stripe_cache = cache
    if name not in cache:
        cache[name] = build()
    return cache[name]


def _paid_offer(course_key):
    """The paid offer that applies to the course (its master's, for a CCX); one query per request."""
    if course_key is None:
        return None
    offers = _request_cache("paid_offers", lambda: {
        offer.course_key: offer for offer in CourseOffer.objects.filter(is_paid=True)
    })
    return offers.get(offer_course_key(course_key))


def _purchases(user) -> dict:
    """The learner's live purchases, keyed by course, with their invoice (one query per request)."""
    def build():
        orders = Order.objects.filter(user_id=user.pk, state__in=ACCESS_STATES).select_related("invoice")
        return {order.course_key: order for order in orders}
    return _request_cache(f"purchases:{user.pk}", build)


def _price_data(offer) -> dict:
    return {"isPaid": True, "price": int(offer.price), "currency": offer.currency,
            "priceDisplay": money.format_price_ttc(offer.price, offer.currency)}


class DashboardCourseRunPriceStep(PipelineStep):
    """
    Learner dashboard, course run data: the price tax included of a paid course (``riseupStripe``).

    A course the plugin sells has no ecommerce upgrade: the platform's ``upgradeUrl`` (an ecommerce
    basket link, built when a verified mode has a SKU) is removed, so the card offers no dead end.
    """

    @leaves_page_unchanged
    def run_filter(self, serialized_courserun):  # pylint: disable=arguments-differ
        data = serialized_courserun
        course_id = data.get("courseId") if isinstance(data, dict) else None
        if not course_id:
            return {"serialized_courserun": data}
        offer = _paid_offer(_course_key(course_id))
        if offer is not None:
            data["riseupStripe"] = _price_data(offer)
            if data.get("upgradeUrl"):
                data["upgradeUrl"] = None
        return {"serialized_courserun": data}


class DashboardEnrollmentInvoiceStep(PipelineStep):
    """
    Learner dashboard, enrollment data: what the learner paid and the link to the invoice (``riseupStripe``).

    ``canUpgrade`` is turned off for a course the plugin sells: its payment is the plugin's purchase,
    never the ecommerce verified upgrade the MFE's Upgrade button leads to.
    """

    @leaves_page_unchanged
    def run_filter(self, course_key, serialized_enrollment):  # pylint: disable=arguments-differ
        user = platform.get_current_user()
        key = _course_key(course_key)
        offer = _paid_offer(key)
        if offer is None or not isinstance(serialized_enrollment, dict):
            return {"course_key": course_key, "serialized_enrollment": serialized_enrollment}
        if serialized_enrollment.get("canUpgrade"):
            serialized_enrollment["canUpgrade"] = False
        if user is None:
            return {"course_key": course_key, "serialized_enrollment": serialized_enrollment}
        extra = _price_data(offer)
        order = _purchases(user).get(key)
        extra["invoicesUrl"] = reverse("riseup_stripe:my_invoices")
        if order is not None:
            invoice = getattr(order, "invoice", None)
            extra.update({
                "amountPaid": order.amount_paid if order.amount_paid is not None else order.amount,
                "paidCurrency": order.currency,
                "invoiceNumber": invoice.number if invoice else "",
                "invoiceUrl": (invoice.hosted_invoice_url or invoice.invoice_pdf_url) if invoice else "",
                "invoicePdfUrl": invoice.invoice_pdf_url if invoice else "",
            })
        serialized_enrollment["riseupStripe"] = extra
        return {"course_key": course_key, "serialized_enrollment": serialized_enrollment}


def _course_key(value):
    from opaque_keys import InvalidKeyError
    from opaque_keys.edx.keys import CourseKey

    if value is None or isinstance(value, CourseKey):
        return value
    try:
        return CourseKey.from_string(str(value))
    except InvalidKeyError:
        return None
