"""
The sandbox's Studio URLs: the plugin's Studio URLs as Studio mounts them, and no learner page.

``enroll_me`` stands for Studio's own enrollments of the acting user (``initialize_permissions``
enrolls a course's author into it): the plugin's refusal must not need an LMS URL to exist here.
"""

from django.contrib import admin
from django.http import HttpResponse, HttpResponseForbidden
from django.urls import path, re_path
from django.views.decorators.http import require_POST
from edx_django_utils.plugins import get_plugin_url_patterns
from opaque_keys.edx.keys import CourseKey

from .platform import enrollment


@require_POST
def enroll_me(request, course_id):
    try:
        enrollment.enroll(request.user, CourseKey.from_string(course_id))
    except enrollment.EnrollmentNotAllowed as exc:
        return HttpResponseForbidden(str(exc))
    return HttpResponse("enrolled")


urlpatterns = [
    re_path(r"^studio/courses/(?P<course_id>[^/]+)/enroll-me/$", enroll_me, name="studio_enroll_me"),
    path("admin/", admin.site.urls),
    *get_plugin_url_patterns("cms.djangoapp"),
]
