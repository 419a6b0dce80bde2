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

from . import conf
from . import edxapp_wrapper as platform
from .audience import offer_visible_to
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


def is_back_office_enrollment(user, course_key) -> bool:
    return back_office_enrollment(user, course_key) is not None


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
