"""
openedx-filters pipeline steps.

``PaidCourseEnrollmentGate`` runs as part of ``CourseEnrollment.enroll`` on every
enrollment path of the platform (self-enrollment, enrollment API, instructor
dashboard, bulk enroll, invitations): paid means paid.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted

from . import conf, money
from . import edxapp_wrapper as platform
from .catalog.audience import offer_visible_to
from .models import BackOfficeEnrollment, CourseOffer, Order
from .states import ACCESS_STATES


def paid_course_access(user, course_key) -> bool | None:
    """
    One query: None for a free course (or no offer), else whether the learner paid.

    A PAID order counts: that is the fulfilment making the enrollment.
    """
    paid_orders = Order.objects.filter(
        user_id=getattr(user, "pk", None), course_key=OuterRef("course_key"), state__in=ACCESS_STATES,
    )
    return (
        CourseOffer.objects.filter(course_key=course_key, is_paid=True)
        .annotate(paid=Exists(paid_orders))
        .values_list("paid", flat=True)
        .first()
    )


#: Set by the plugin's own "enroll without payment" admin action, to record that path.
_back_office_path: contextvars.ContextVar[str | None] = contextvars.ContextVar("riseup_back_office_path",
                                                                              default=None)


@contextmanager
def back_office_path(path: str):
    """Mark enrollments made inside this block as coming from ``path`` (a BackOfficeEnrollment.Path)."""
    token = _back_office_path.set(path)
    try:
        yield
    finally:
        _back_office_path.reset(token)


def back_office_enrollment(user, course_key):
    """
    How this enrollment is a back-office one, or None when it is the learner enrolling themselves.

    Returns ``(path, actor)``. Staff enrolling someone else (any platform path:
    instructor dashboard, enrollment API, bulk enroll, support tool), an
    invitation made by staff and honoured in the learner's own request, and
    enrollments outside any request (when the setting allows them).
    """
    Path = BackOfficeEnrollment.Path
    if platform.get_current_request() is None:
        if conf.get("RISEUP_STRIPE_ALLOW_REQUESTLESS_ENROLLMENT"):
            return Path.NO_REQUEST, None
        return None
    actor = platform.get_current_user()
    if actor is not None and actor.pk != getattr(user, "pk", None):
        if platform.can_manage_enrollments(actor, course_key):
            return _back_office_path.get() or Path.STAFF, actor
        return None
    if platform.has_enrollment_invitation(user, course_key):
        return Path.INVITATION, None
    return None


def record_back_office_enrollment(user, course_key, mode, path, actor) -> BackOfficeEnrollment:
    request = platform.get_current_request()
    return BackOfficeEnrollment.objects.create(
        learner=user, actor=actor, course_key=course_key, path=path, mode=mode or "",
        request_path=(getattr(request, "path", "") or "")[:500],
    )


def enrollment_refusal_message(user, course_key) -> str:
    """Why a learner may not enroll themselves in a paid course: not offered to them, or not bought yet."""
    offer = CourseOffer.objects.filter(course_key=course_key).first()
    if offer is not None and not offer_visible_to(user, offer):
        return _("This course is not offered to you.")
    url = reverse("riseup_stripe:purchase", kwargs={"course_id": str(course_key)})
    return _("This course is paid. Buy it to enroll: {url}").format(url=url)


class PaidCourseEnrollmentGate(PipelineStep):
    """Refuse self-enrollment into a paid course without a purchase."""

    def run_filter(self, user, course_key, mode):  # pylint: disable=arguments-differ
        access = paid_course_access(user, course_key)
        if access is None or access:
            return {}
        back_office = back_office_enrollment(user, course_key)
        if back_office is not None:
            path, actor = back_office
            record_back_office_enrollment(user, course_key, mode, path, actor)
            return {}
        raise CourseEnrollmentStarted.PreventEnrollment(enrollment_refusal_message(user, course_key))


# --- The course about page (CourseAboutRenderStarted) ------------------------------------------------------------

def course_about_state(user, course_key, offer, *, registered=None, course=None) -> tuple[str, str]:
    """
    What the course page offers this visitor for a paid course: ``(state, message)``.

    States: ``buy`` (a buy button), ``enrolled``, ``bought``, ``out_of_scope`` (not offered to them),
    ``unavailable`` (paid but not on sale, or payment switched off). A constant number of queries.
    """
    from .exceptions import PurchaseRefused
    from .orders.purchase import check_can_buy

    authenticated = user is not None and getattr(user, "is_authenticated", False)
    if authenticated and (registered if registered is not None else platform.is_enrolled(user, course_key)):
        return "enrolled", ""
    if not authenticated:
        if not offer_visible_to(None, offer):
            return "out_of_scope", _("This course is not offered to the public. Sign in to see if it is offered "
                                     "to you.")
        if not conf.stripe_settings().enabled or not offer.purchasable:
            return "unavailable", _("This course is not available for purchase right now.")
        return "buy", ""  # the purchase page asks them to sign in
    try:
        check_can_buy(user, course_key, offer, course=course)
    except PurchaseRefused as exc:
        states = {"out_of_scope": "out_of_scope", "already_bought": "bought", "already_enrolled": "enrolled"}
        return states.get(exc.code, "unavailable"), str(exc.message)
    return "buy", ""


class CourseAboutPurchaseStep(PipelineStep):
    """
    On the platform's course about page, sell paid courses through the plugin.

    Uses the legacy template's own context values (``lms/templates/courseware/course_about.html``):
    ``ecommerce_checkout`` and ``ecommerce_checkout_link`` turn "Enroll Now" into a link to the purchase
    page (``single_paid_mode`` gives it the ``add-to-cart`` class, so no script submits the enrollment
    form instead), ``course_price`` with ``is_cosmetic_price_enabled`` prints the price in the sidebar.
    Out-of-scope visitors get no enroll or buy button (``can_enroll`` false). Everything is also in
    ``riseup_stripe`` (state, price, buy label, message) for themes. Free courses are left untouched.
    """

    def run_filter(self, context, template_name):  # pylint: disable=arguments-differ
        course_key = platform.about_page_course_key(context or {})
        offer = CourseOffer.objects.filter(course_key=course_key).first() if course_key is not None else None
        if offer is None or not offer.is_paid:
            return {"context": context, "template_name": template_name}
        user = platform.get_current_user()
        registered = context.get("registered") if user is not None else None
        # The page's own course object carries the enrollment dates: no need to read them again.
        state, message = course_about_state(user, course_key, offer, registered=registered,
                                            course=context.get("course"))
        price = money.format_price_ttc(offer.price, offer.currency)
        purchase_url = reverse("riseup_stripe:purchase", kwargs={"course_id": str(course_key)})
        context["riseup_stripe"] = {
            "state": state, "message": message, "price": price, "amount": int(offer.price),
            "currency": offer.currency, "purchase_url": purchase_url,
            "buy_label": _("Buy – {price}").format(price=price),
        }
        if state == "buy":
            context.update({
                "ecommerce_checkout": True,
                "ecommerce_checkout_link": purchase_url,
                "single_paid_mode": context.get("single_paid_mode") or True,
                "course_price": price,
                "is_cosmetic_price_enabled": True,
                "active_reg_button": False,  # no hidden self-enrollment form: the link is the way in
            })
        elif state == "out_of_scope":
            context.update({
                "ecommerce_checkout": False,
                "ecommerce_checkout_link": "",
                "can_enroll": False,
                "invitation_only": True,  # the template's "by invitation only": staff may still enroll them
                "active_reg_button": False,
                "course_price": "",
            })
        elif state == "unavailable":
            context.update({
                "ecommerce_checkout": False,
                "can_enroll": False,
                "active_reg_button": False,
                "course_price": price,
                "is_cosmetic_price_enabled": True,
            })
        # "enrolled" and "bought": the platform's own "View course" / enrollment button, untouched.
        return {"context": context, "template_name": template_name}


# --- The learner dashboard MFE (learner_home serializers) --------------------------------------------------------

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


def _paid_offers() -> dict:
    return _request_cache("paid_offers", lambda: {
        offer.course_key: offer for offer in CourseOffer.objects.filter(is_paid=True)
    })


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
    """Learner dashboard, course run data: the price tax included of a paid course (``riseupStripe``)."""

    def run_filter(self, serialized_courserun):  # pylint: disable=arguments-differ
        data = serialized_courserun
        course_id = data.get("courseId") if isinstance(data, dict) else None
        if not course_id:
            return {"serialized_courserun": data}
        offer = _paid_offers().get(_course_key(course_id))
        if offer is not None:
            data["riseupStripe"] = _price_data(offer)
        return {"serialized_courserun": data}


class DashboardEnrollmentInvoiceStep(PipelineStep):
    """Learner dashboard, enrollment data: what the learner paid and the link to the invoice (``riseupStripe``)."""

    def run_filter(self, course_key, serialized_enrollment):  # pylint: disable=arguments-differ
        user = platform.get_current_user()
        key = _course_key(course_key)
        offer = _paid_offers().get(key) if key is not None else None
        if user is None or offer is None or not isinstance(serialized_enrollment, dict):
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
