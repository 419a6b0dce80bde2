"""Studio URLs, mounted under ``/riseup-stripe/``: the course team's pricing API (admin does the rest)."""

from django.urls import re_path

from .api import offers as api_offers
from .urls import COURSE_ID

app_name = "riseup_stripe"

urlpatterns = [
    re_path(rf"^api/v1/courses/{COURSE_ID}/offer/$", api_offers.CourseOfferView.as_view(), name="api_offer"),
]
