"""Learner API: my invoices, and starting a purchase from a frontend."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import edxapp_wrapper as platform
from ..exceptions import PurchaseRefused, StripeGatewayError
from ..models import Invoice
from ..orders.purchase import start_purchase
from ..web.ratelimit import RateLimited
from ..web.views import check_purchase_rate, monitor_purchase, parse_course_key, purchase_urls, trusted_return_url
from .serializers import InvoiceSerializer


def rate_limited_response(exc: RateLimited) -> Response:
    """The APIs' 429: the reason in words and when to come back, in the body and in ``Retry-After``."""
    return Response({"error": "rate_limited", "message": str(exc.message), "retry_after": exc.retry_after},
                    status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(exc.retry_after)})


def learner_authentication_classes():
    """Session auth everywhere; JWT too where edx-drf-extensions is installed (the platform)."""
    classes = []
    try:
        from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
    except ImportError:
        pass
    else:
        classes.append(JwtAuthentication)
    classes.append(SessionAuthentication)
    return classes


class LearnerAPIView(APIView):
    authentication_classes = learner_authentication_classes()
    permission_classes = [IsAuthenticated]


class InvoiceListView(LearnerAPIView):
    """GET: the requesting learner's invoices, newest first."""

    def get(self, request):
        invoices = list(Invoice.objects.filter(user=request.user).prefetch_related("credit_notes"))
        courses = platform.get_courses({invoice.course_key for invoice in invoices})
        data = InvoiceSerializer(invoices, many=True, context={"courses": courses}).data
        return Response({"count": len(data), "results": data})


class InvoiceDetailView(LearnerAPIView):
    """GET one invoice; another learner's id is a 404, as if it did not exist."""

    def get(self, request, invoice_id):
        invoice = get_object_or_404(Invoice, stripe_invoice_id=invoice_id, user=request.user)
        courses = platform.get_courses([invoice.course_key])
        return Response(InvoiceSerializer(invoice, context={"courses": courses}).data)


@method_decorator(transaction.non_atomic_requests, name="dispatch")  # it calls Stripe
class PurchaseView(LearnerAPIView):
    """
    POST {"course_id": ..., "cancel_url": ...}: start (or reuse) a purchase; answers the Checkout URL to go to.

    ``cancel_url`` (optional) is the page Checkout's back link returns to: the LMS's or a trusted MFE
    origin's. Called from an MFE with the JWT cookie (or the session) and an ``X-CSRFToken`` from
    ``/csrf/api/v1/token``.
    """

    def post(self, request):
        course_key = parse_course_key(str(request.data.get("course_id", "")))
        cancel_url = str(request.data.get("cancel_url") or "")
        if cancel_url and not trusted_return_url(request, cancel_url):
            return Response({"error": "invalid_cancel_url",
                             "message": _("The page to come back to is not on this site or one it trusts.")},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            check_purchase_rate(request)
        except RateLimited as exc:
            monitor_purchase(course_key, "rate_limited")
            return rate_limited_response(exc)
        try:
            order = start_purchase(request.user, course_key, language=get_language(),
                                   **purchase_urls(request, course_key, cancel_url))
        except PurchaseRefused as exc:
            monitor_purchase(course_key, f"refused:{exc.code}")
            return Response({"error": exc.code, "message": str(exc.message)}, status=exc.status)
        except StripeGatewayError as exc:
            monitor_purchase(course_key, f"stripe_error:{exc.__class__.__name__}")
            return Response({"error": "payment_provider", "message": str(exc.message)},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        monitor_purchase(course_key, "checkout", order)
        return Response({"order": str(order.uuid), "checkout_url": order.checkout_url},
                        status=status.HTTP_201_CREATED)
