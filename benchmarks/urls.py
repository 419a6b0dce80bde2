"""The sandbox LMS's URLs plus the baseline list under ``/bench/``."""

from django.urls import path

from sandbox.urls import urlpatterns as sandbox_urlpatterns

from .bare import BareCourseList

urlpatterns = [
    path("bench/bare-catalog/", BareCourseList.as_view(), name="bench_bare_catalog"),
    *sandbox_urlpatterns,
]
