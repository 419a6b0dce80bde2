"""
The platform's enrollment calls, reduced: same filters, same place, same exceptions.

``enroll`` runs ``CourseEnrollmentStarted`` as its first statement and turns
``PreventEnrollment`` into ``EnrollmentNotAllowed``, as
``common/djangoapps/student/models/course_enrollment.py`` does; ``unenroll``
runs ``CourseUnenrollmentStarted``.
"""

from openedx_filters.learning.filters import CourseEnrollmentStarted, CourseUnenrollmentStarted

from .models import Course, CourseEnrollment


class CourseEnrollmentException(Exception):
    pass


class EnrollmentNotAllowed(CourseEnrollmentException):
    pass


class NonExistentCourseError(CourseEnrollmentException):
    pass


class UnenrollmentNotAllowed(CourseEnrollmentException):
    pass


def enroll(user, course_key, mode=None, check_access=False):
    try:
        user, course_key, mode = CourseEnrollmentStarted.run_filter(user=user, course_key=course_key, mode=mode)
    except CourseEnrollmentStarted.PreventEnrollment as exc:
        raise EnrollmentNotAllowed(str(exc)) from exc
    course = Course.objects.filter(id=course_key).first()
    if course is None:
        raise NonExistentCourseError(str(course_key))
    mode = mode or course.default_mode
    enrollment, created = CourseEnrollment.objects.get_or_create(
        user=user, course_id=course_key, defaults={"mode": mode, "is_active": True},
    )
    if not created and (not enrollment.is_active or enrollment.mode != mode):
        enrollment.is_active = True
        enrollment.mode = mode
        enrollment.save()
    return enrollment


def unenroll(user, course_id, skip_refund=False):
    record = CourseEnrollment.objects.filter(user=user, course_id=course_id, is_active=True).first()
    if record is None:
        return
    try:
        record = CourseUnenrollmentStarted.run_filter(enrollment=record)
    except CourseUnenrollmentStarted.PreventUnenrollment as exc:
        raise UnenrollmentNotAllowed(str(exc)) from exc
    record.is_active = False
    record.save()


def is_enrolled(user, course_key):
    return CourseEnrollment.objects.filter(user=user, course_id=course_key, is_active=True).exists()


def enrolled_course_keys(user):
    return CourseEnrollment.objects.filter(user=user, is_active=True).values_list("course_id", flat=True)
