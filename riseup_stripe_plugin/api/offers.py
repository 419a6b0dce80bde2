"""Course team API: read and set a course's sale terms (used from Studio)."""

from django.db import transaction
from django.http import Http404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.response import Response

from .. import edxapp_wrapper as platform
from .. import money
from ..catalog.offers import get_offer
from ..catalog.pricing import PricingError, set_offer
from ..catalog.scopes import DEFAULT_SCOPE, split_scopes
from ..models import OfferChange
from ..web.views import parse_course_key
from .views import LearnerAPIView


class OfferInputSerializer(serializers.Serializer):
    """Every field is optional: one left out is left as it is."""

    is_paid = serializers.BooleanField(required=False)
    price = serializers.CharField(required=False, allow_blank=True, help_text="Tax included, major units: 49.00")
    currency = serializers.CharField(required=False, allow_blank=True, max_length=3)
    active = serializers.BooleanField(required=False)
    scopes = serializers.ListField(child=serializers.CharField(), required=False,
                                   help_text="Audience scopes: internal, partner, public")


def offer_data(course_key, offer):
    if offer is None:
        return {"course_id": str(course_key), "is_paid": False, "price": None, "price_minor": None,
                "currency": None, "active": False, "price_display": "", "scopes": [DEFAULT_SCOPE]}
    return {
        "course_id": str(course_key),
        "is_paid": offer.is_paid,
        "price": str(money.to_major(int(offer.price), offer.currency)),
        "price_minor": int(offer.price),
        "currency": offer.currency,
        "active": offer.active,
        "price_display": money.format_price_ttc(offer.price, offer.currency) if offer.is_paid else "",
        "stripe_price_id": offer.stripe_price_id,
        "scopes": split_scopes(offer.scopes),
    }


@method_decorator(transaction.non_atomic_requests, name="dispatch")  # saving syncs Stripe, after the save commits
class CourseOfferView(LearnerAPIView):
    """
    GET or PUT the offer of one course.

    The course team reads it; changing it (price, paid, currency, on sale, audience scopes: all of them
    decide who pays what) takes global staff or the course's finance or sales admin role.
    """

    def _course_key(self, request, course_id, *, change=False):
        key = parse_course_key(course_id)
        # Permission first: who is not on a course team learns nothing about which courses exist.
        may_change = platform.can_change_price(request.user, key)
        if not may_change and not platform.can_edit_course(request.user, key):
            self.permission_denied(request, message=_("Only the course team can see this course's price."))
        if change and not may_change:
            self.permission_denied(request, message=_(
                "Only global staff and the course's finance or sales admins can change its price."))
        if platform.get_course(key) is None:
            raise Http404(_("Unknown course."))
        return key

    def get(self, request, course_id):
        key = self._course_key(request, course_id)
        return Response(offer_data(key, get_offer(key)))

    def put(self, request, course_id):
        key = self._course_key(request, course_id, change=True)
        data = OfferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            result = set_offer(key, is_paid=values.get("is_paid"), price=values.get("price"),
                               currency=values.get("currency"), active=values.get("active"),
                               scopes=values.get("scopes"), actor=request.user, source=OfferChange.Source.STUDIO)
        except PricingError as exc:
            return Response({exc.field: [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
        body = offer_data(key, result.offer)
        if result.stripe_error:
            body["warning"] = result.stripe_error
        return Response(body)
