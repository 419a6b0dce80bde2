"""
Back-office enrollments, never billed: how an enrollment is recognised as one, its audit row,
and the admin's "enroll without payment".
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from .. import conf
from .. import edxapp_wrapper as platform
from ..models import BackOfficeEnrollment

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
    instructor dashboard, enrollment API, bulk enroll, support tool), course staff
    and instructors enrolling themselves into their own course, an invitation made
    by staff (honoured at registration, or when the invited learner clicks Enroll),
    and enrollments outside any request (when the setting allows them).
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
    if actor is not None and platform.can_manage_enrollments(actor, course_key):
        return Path.COURSE_TEAM, actor
    invitation = platform.enrollment_invitation(user, course_key)
    if invitation == platform.INVITATION_AUTO_ENROLL:
        return Path.INVITATION, None
    if invitation == platform.INVITATION_TO_ENROLL:
        return Path.INVITATION_ENROLL, None
    return None


def record_back_office_enrollment(user, course_key, mode, path, actor) -> BackOfficeEnrollment:
    request = platform.get_current_request()
    return BackOfficeEnrollment.objects.create(
        learner=user, actor=actor, course_key=course_key, path=path, mode=mode or "",
        request_path=(getattr(request, "path", "") or "")[:500],
    )


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
