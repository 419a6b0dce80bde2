"""
The enrollment gate: nobody enters a paid course without paying, except through the back office.

``PaidCourseEnrollmentGate`` runs as part of ``CourseEnrollment.enroll`` on every
enrollment path of the platform (self-enrollment, enrollment API, instructor
dashboard, bulk enroll, invitations): paid means paid.
"""

from __future__ import annotations

import logging

from django.db.models import Exists
from django.utils.translation import gettext as _
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted

from ..catalog.audience import offer_visible_to
from ..catalog.offers import get_offer, offer_course_key, purchase_url
from ..models import CourseOffer, Order
from ..states import ACCESS_STATES
from .backoffice import back_office_enrollment, record_back_office_enrollment

log = logging.getLogger(__name__)

#: The logger of openedx-filters' pipeline runner, which logs every refusal with its traceback.
FILTERS_LOGGER = "openedx_filters.tooling"


def paid_course_access(user, course_key) -> bool | None:
    """
    One query: None for a free course (or no offer), else whether the learner paid.

    A PAID order counts: that is the fulfilment making the enrollment.
    """
    # The order is for the course enrolled into; the offer may be its master's (a CCX).
    paid_orders = Order.objects.filter(
        user_id=getattr(user, "pk", None), course_key=course_key, state__in=ACCESS_STATES,
    )
    return (
        CourseOffer.objects.filter(course_key=offer_course_key(course_key), is_paid=True)
        .annotate(paid=Exists(paid_orders))
        .values_list("paid", flat=True)
        .first()
    )


def enrollment_refusal_message(user, course_key) -> str:
    """Why a learner may not enroll themselves in a paid course: not offered to them, or not bought yet."""
    offer = get_offer(course_key)
    if offer is not None and not offer_visible_to(user, offer):
        return _("This course is not offered to you.")
    url = purchase_url(course_key)
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
        message = enrollment_refusal_message(user, course_key)
        # A refusal is the gate working, not an error: one line, no traceback.
        log.info("Enrollment of user %s in %s refused (paid course, not bought): %s",
                 getattr(user, "pk", None), course_key, message)
        raise CourseEnrollmentStarted.PreventEnrollment(message)
