"""Enrolling people without payment from the back office (never billed)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from . import edxapp_wrapper as platform
from .filters import back_office_path
from .models import BackOfficeEnrollment


class BackOfficeError(ValueError):
    """A back-office enrollment that cannot be made; the message says why."""


def find_learner(identifier: str):
    identifier = (identifier or "").strip()
    if not identifier:
        raise BackOfficeError(_("Give the learner's username or email."))
    users = list(get_user_model().objects.filter(Q(username=identifier) | Q(email__iexact=identifier))[:2])
    if len(users) != 1:
        raise BackOfficeError(
            _("No single account matches {identifier}.").format(identifier=identifier)
        )
    return users[0]


def enroll_without_payment(actor, identifier: str, course_key):
    """The admin action: enroll a learner into a course, paid or not, with no order and no invoice."""
    learner = find_learner(identifier)
    if platform.get_course(course_key) is None:
        raise BackOfficeError(_("Unknown course: {course_id}.").format(course_id=course_key))
    if not platform.can_manage_enrollments(actor, course_key):
        raise BackOfficeError(_("You may not manage enrollments in this course."))
    if platform.is_enrolled(learner, course_key):
        raise BackOfficeError(_("{learner} is already enrolled.").format(learner=learner.username))
    with back_office_path(BackOfficeEnrollment.Path.ADMIN_ACTION):
        try:
            platform.enroll(learner, course_key)
        except platform.EnrollmentRefused as exc:
            raise BackOfficeError(str(exc)) from exc
    return learner
