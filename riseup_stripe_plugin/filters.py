"""
openedx-filters pipeline steps.

``PaidCourseEnrollmentGate`` runs as part of ``CourseEnrollment.enroll`` on every
enrollment path of the platform (self-enrollment, enrollment API, instructor
dashboard, bulk enroll, invitations): paid means paid.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted

from . import conf
from . import edxapp_wrapper as platform
from .models import CourseOffer, Order
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


def is_back_office_enrollment(user, course_key) -> bool:
    """Someone other than the learner, allowed to manage enrollments, is enrolling them."""
    if platform.get_current_request() is None:
        return bool(conf.get("RISEUP_STRIPE_ALLOW_REQUESTLESS_ENROLLMENT"))
    actor = platform.get_current_user()
    if actor is None or actor.pk == getattr(user, "pk", None):
        return False
    return platform.can_manage_enrollments(actor, course_key)


class PaidCourseEnrollmentGate(PipelineStep):
    """Refuse self-enrollment into a paid course without a purchase."""

    def run_filter(self, user, course_key, mode):  # pylint: disable=arguments-differ
        access = paid_course_access(user, course_key)
        if access is None or access:
            return {}
        if is_back_office_enrollment(user, course_key):
            return {}
        url = reverse("riseup_stripe:purchase", kwargs={"course_id": str(course_key)})
        raise CourseEnrollmentStarted.PreventEnrollment(
            _("This course is paid. Buy it to enroll: {url}").format(url=url)
        )
