"""The sandbox LMS's URLs; the plugin's come in as the platform mounts them."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from edx_django_utils.plugins import get_plugin_url_patterns

from . import harness, views

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
    path("login/", auth_views.LoginView.as_view(template_name="sandbox/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    *get_plugin_url_patterns("lms.djangoapp"),
]

if getattr(settings, "SANDBOX_HARNESS_DIR", None):  # the test settings: the MFE widgets' browser harness
    urlpatterns.append(re_path(r"^harness/(?P<path>.*)$", harness.harness, name="harness"))
