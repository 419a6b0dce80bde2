"""
Studio's course re-run, reduced: as ``cms/djangoapps/contentstore/tasks.py rerun_course`` does it.

The content is copied, the ``CourseRerunState`` row turns "succeeded", then openedx-events'
``COURSE_RERUN_COMPLETED`` is sent with the new course.
"""

from openedx_events.content_authoring.data import CourseData
from openedx_events.content_authoring.signals import COURSE_RERUN_COMPLETED

from .models import Course, CourseRerunState


def rerun_course(source_key, destination_key, user, display_name=None):
    source = Course.objects.get(id=source_key)
    state = CourseRerunState.objects.create(course_key=destination_key, source_course_key=source_key,
                                            created_user=user)
    course = Course.objects.create(
        id=destination_key, display_name=display_name or source.display_name, org=destination_key.org,
        short_description=source.short_description, course_image_url=source.course_image_url,
        invitation_only=source.invitation_only, catalog_visibility=source.catalog_visibility,
        default_mode=source.default_mode,
    )
    state.state = "succeeded"
    state.save()
    COURSE_RERUN_COMPLETED.send_event(course=CourseData(course_key=destination_key))
    return course
