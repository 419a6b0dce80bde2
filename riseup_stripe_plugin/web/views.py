"""Learner pages: the purchase page, the purchase POST, the return page, "My invoices"."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from .. import conf, money
from .. import edxapp_wrapper as platform
from ..catalog.offers import get_offer, purchase_url
from ..exceptions import FulfilmentError, NotYourOrder, PurchaseRefused, StripeGatewayError
from ..models import Invoice, Order
from ..orders.customers import send_pending_details
from ..orders.eligibility import eligibility
from ..orders.fulfilment import apply_session
from ..orders.purchase import start_purchase
from ..states import OrderState
from ..stripe_gateway import StripeGateway
from .pages import render_page
from .ratelimit import RateLimited, check_rate, client_address

log = logging.getLogger(__name__)


def parse_course_key(course_id: str):
    try:
        return CourseKey.from_string(course_id)
    except InvalidKeyError as exc:
        raise Http404(_("Unknown course.")) from exc


def purchase_urls(request, course_key, cancel_url: str = "") -> dict:
    """
    Absolute success and cancel URLs for a Checkout Session. ``cancel_url`` is where Stripe's "back"
    link goes (the MFE page the learner came from); without it, the purchase page.
    """
    success = request.build_absolute_uri(reverse("riseup_stripe:checkout_return"))
    cancel = cancel_url or request.build_absolute_uri(purchase_url(course_key) + "?cancelled=1")
    return {"success_url": success + "?session_id={CHECKOUT_SESSION_ID}", "cancel_url": cancel}


def trusted_return_url(request, url: str) -> bool:
    """
    Whether Checkout may send the learner back to ``url``: an http(s) address on the LMS itself or on an
    origin the LMS trusts with its learners' credentials (the MFEs'); anything else would make the
    plugin an open redirect.
    """
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        return False
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    own = f"{request.scheme}://{request.get_host()}".lower()
    return origin == own or origin in {o.lower() for o in platform.trusted_origins()}


def check_purchase_rate(request) -> None:
    """Refuse (:class:`RateLimited`) a learner, or an address, starting purchases too fast; before Stripe."""
    check_rate("purchase", [f"user:{request.user.pk}", f"addr:{client_address(request)}"],
               conf.get("RISEUP_STRIPE_PURCHASE_RATE"))


def monitor_purchase(course_key, result: str, order=None) -> None:
    """The purchase path's monitoring attributes: the course, what happened, the order it made."""
    extra = {"order": str(order.uuid)} if order is not None else {}
    platform.set_custom_attributes(course_id=str(course_key), purchase_result=result, **extra)


def _purchase_context(request, course_key, *, error=None):
    course = platform.get_course(course_key)
    if course is None:
        raise Http404(_("Unknown course."))
    offer = get_offer(course_key)
    decision = eligibility(request.user, course_key, offer=offer, course=course, next_url=request.get_full_path())
    return {
        "course": course,
        "offer": offer,
        "price": money.format_price_ttc(offer.price, offer.currency) if offer and offer.is_paid else "",
        "decision": decision,
        "error": error,
        "cancelled": request.GET.get("cancelled") == "1",
    }


@require_GET
def purchase_page(request, course_id):
    """The course's price and buy button (or why it cannot be bought)."""
    course_key = parse_course_key(course_id)
    return render_page(request, "riseup_stripe_plugin/purchase.html", _purchase_context(request, course_key))


@transaction.non_atomic_requests  # it calls Stripe: never inside ATOMIC_REQUESTS' transaction
@require_POST
def start_purchase_view(request, course_id):
    """One POST: create or reuse the order and its Checkout Session, then go to Stripe."""
    course_key = parse_course_key(course_id)
    if not request.user.is_authenticated:
        return HttpResponseRedirect(
            platform.login_url(purchase_url(course_key))
        )
    try:
        check_purchase_rate(request)
    except RateLimited as exc:
        monitor_purchase(course_key, "rate_limited")
        context = _purchase_context(request, course_key, error=exc.message)
        response = render_page(request, "riseup_stripe_plugin/purchase.html", context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    try:
        order = start_purchase(request.user, course_key, language=get_language(),
                               **purchase_urls(request, course_key))
    except PurchaseRefused as exc:
        monitor_purchase(course_key, f"refused:{exc.code}")
        context = _purchase_context(request, course_key, error=exc.message)
        return render_page(request, "riseup_stripe_plugin/purchase.html", context, status=exc.status)
    except StripeGatewayError as exc:
        monitor_purchase(course_key, f"stripe_error:{exc.__class__.__name__}")
        context = _purchase_context(request, course_key, error=exc.message)
        return render_page(request, "riseup_stripe_plugin/purchase.html", context, status=503)
    monitor_purchase(course_key, "checkout", order)
    return HttpResponseRedirect(order.checkout_url, status=303)


@transaction.non_atomic_requests  # it calls Stripe and enrolls: each step commits on its own
@login_required
@require_GET
def checkout_return(request):
    """Where Stripe sends the learner back: confirm the payment ourselves, then say what happened."""
    session_id = request.GET.get("session_id", "")
    order = Order.objects.filter(checkout_session_id=session_id, user=request.user).first() if session_id else None
    if order is None:
        raise Http404(_("No purchase of yours matches this page."))
    problem = None
    settled = (order.state == OrderState.FULFILLED
               and Invoice.objects.filter(order=order, stripe_status="paid").exists())
    if not settled:  # a fulfilled order whose paid invoice is stored has nothing left to learn from Stripe
        gateway = StripeGateway()
        try:
            order = apply_session(gateway.retrieve_checkout_session(session_id), expected_user=request.user,
                                  gateway=gateway)
        except NotYourOrder as exc:
            raise Http404(_("No purchase of yours matches this page.")) from exc
        except (FulfilmentError, StripeGatewayError) as exc:
            problem = exc.message
            order.refresh_from_db()
    # The Customer Checkout made, named now if the webhook's request left it for later.
    send_pending_details(request.user, language=get_language())
    platform.set_custom_attributes(order=str(order.uuid), return_order_state=order.state,
                                   return_problem=problem.__class__.__name__ if problem else "")
    course = platform.get_course(order.course_key)
    return render_page(request, "riseup_stripe_plugin/checkout_return.html", {
        "order": order,
        "course": course,
        "problem": problem,
        "amount": money.format_price_ttc(order.amount_paid if order.amount_paid is not None else order.amount,
                                         order.currency),
        "S": OrderState,
        "invoice": Invoice.objects.filter(order=order).first(),
    })


@login_required
@require_GET
def my_invoices(request):
    """The signed-in learner's own invoices."""
    invoices = Invoice.objects.filter(user=request.user).select_related("order").prefetch_related("credit_notes")
    courses = platform.get_courses({invoice.course_key for invoice in invoices})
    rows = [
        {
            "invoice": invoice,
            "course": courses.get(invoice.course_key),
            "total": money.format_amount(invoice.total, invoice.currency),
            "tax": money.format_amount(invoice.tax, invoice.currency),
            "discount": money.format_amount(invoice.discount, invoice.currency),
            "refunded": money.format_amount(invoice.amount_refunded, invoice.currency),
            "credit_notes": [
                {"note": note, "amount": money.format_amount(note.amount, note.currency)}
                for note in invoice.credit_notes.all()
            ],
        }
        for invoice in invoices
    ]
    return render_page(request, "riseup_stripe_plugin/my_invoices.html", {"rows": rows})
