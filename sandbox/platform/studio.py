"""
Studio's publish, reduced to what plugins see of it: the course's catalog information changes.

Like ``cms/djangoapps/contentstore/signals/handlers.py``: after a publish commits,
Studio sends openedx-events' ``COURSE_CATALOG_INFO_CHANGED`` with ``catalog_info``.
"""

from django.db import transaction
from django.utils import timezone
from openedx_events.content_authoring.data import CourseCatalogData, CourseScheduleData
from openedx_events.content_authoring.signals import COURSE_CATALOG_INFO_CHANGED


def publish_course(course, *, display_name=None):
    """Save the course (renamed when ``display_name`` is given) and announce its catalog information."""
    if display_name is not None:
        course.display_name = display_name
    course.save()
    catalog_info = CourseCatalogData(
        course_key=course.id, name=course.display_name,
        schedule_data=CourseScheduleData(start=course.start or timezone.now(), pacing="instructor", end=course.end,
                                         enrollment_start=course.enrollment_start,
                                         enrollment_end=course.enrollment_end),
        hidden=course.catalog_visibility == "none", invitation_only=course.invitation_only,
    )
    transaction.on_commit(lambda: COURSE_CATALOG_INFO_CHANGED.send_event(catalog_info=catalog_info))
