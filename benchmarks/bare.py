"""
The catalog's baseline: a bare DRF ``ListAPIView`` over the stand-in platform's catalog courses.

The same rows the plugin's catalog starts from (``catalog_visibility`` "both"), sorted by title,
paged 20 at a time, no offer, no scope, no filter. ``course_id`` (repeatable) keeps only those
courses, the baseline of the storefront API.
"""

from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from sandbox.platform.models import Course


class BareCourseSerializer(serializers.ModelSerializer):
    course_id = serializers.CharField(source="id")
    title = serializers.CharField(source="display_name")
    image_url = serializers.CharField(source="course_image_url")

    class Meta:
        model = Course
        fields = ["course_id", "title", "org", "image_url", "start"]


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class BareCourseList(generics.ListAPIView):
    serializer_class = BareCourseSerializer
    pagination_class = Pages
    permission_classes = [AllowAny]

    def get_queryset(self):
        courses = Course.objects.filter(catalog_visibility="both").order_by("display_name", "id")
        wanted = self.request.query_params.getlist("course_id")
        return courses.filter(id__in=wanted) if wanted else courses
