"""The sandbox LMS's URLs; the plugin's come in as the platform mounts them."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from edx_django_utils.plugins import get_plugin_url_patterns

from . import harness, views
from .platform import jwt_cookies

sandbox_patterns = ([
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    re_path(r"^courses/(?P<course_id>[^/]+)/about/$", views.course_about, name="about"),
    re_path(r"^courses/(?P<course_id>[^/]+)/enroll/$", views.self_enroll, name="enroll"),
    re_path(r"^courses/(?P<course_id>[^/]+)/courseware/$", views.courseware, name="courseware"),
    re_path(r"^courses/(?P<course_id>[^/]+)/instructor/enroll/$", views.staff_enroll, name="staff_enroll"),
], "sandbox")

urlpatterns = [
    path("", include(sandbox_patterns)),
    path("change_enrollment", views.change_enrollment, name="change_enrollment"),  # where the LMS has it
    path("login/", jwt_cookies.LoginView.as_view(), name="login"),
    path("logout/", jwt_cookies.LogoutView.as_view(), name="logout"),
    path("login_refresh", jwt_cookies.login_refresh, name="login_refresh"),
    path("", include("csrf.urls")),  # /csrf/api/v1/token, from edx-drf-extensions as in the LMS
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    *get_plugin_url_patterns("lms.djangoapp"),
]

if getattr(settings, "SANDBOX_HARNESS_DIR", None):  # the test settings: the MFE widgets' browser harness
    urlpatterns.append(re_path(r"^harness/(?P<path>.*)$", harness.harness, name="harness"))
