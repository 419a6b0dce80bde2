"""The platform's tables, reduced to what the plugin touches."""

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class Course(models.Model):
    """Like the platform's CourseOverview."""

    id = CourseKeyField(max_length=255, primary_key=True)
    display_name = models.CharField(max_length=255)
    org = models.CharField(max_length=255)
    short_description = models.TextField(blank=True, default="")
    course_image_url = models.CharField(max_length=255, blank=True, default="")
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    enrollment_start = models.DateTimeField(null=True, blank=True)
    enrollment_end = models.DateTimeField(null=True, blank=True)
    invitation_only = models.BooleanField(default=False)
    catalog_visibility = models.CharField(max_length=32, default="both")
    default_mode = models.CharField(max_length=100, default="audit")

    def __str__(self):
        return self.display_name


class CourseEnrollment(models.Model):
    """Like the platform's CourseEnrollment (one row per user and course, ``is_active`` toggled)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, db_index=True)
    mode = models.CharField(max_length=100, default="audit")
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("user", "course_id")]

    def __str__(self):
        return f"{self.user_id} in {self.course_id}"


class CourseAccessRole(models.Model):
    """Like the platform's CourseAccessRole: instructor, staff... per course."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, db_index=True)
    role = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.user_id} {self.role} of {self.course_id}"


class CourseEnrollmentAllowed(models.Model):
    """Like the platform's CourseEnrollmentAllowed: an invitation made by staff."""

    email = models.CharField(max_length=255, db_index=True)
    course_id = CourseKeyField(max_length=255, db_index=True)
    auto_enroll = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    def __str__(self):
        return f"{self.email} invited to {self.course_id}"


class CourseRerunState(models.Model):
    """Like the platform's course_action_state CourseRerunState: a Studio re-run and how it went."""

    course_key = CourseKeyField(max_length=255, db_index=True)
    source_course_key = CourseKeyField(max_length=255, db_index=True)
    state = models.CharField(max_length=50, default="in_progress")
    created_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    def __str__(self):
        return f"{self.source_course_key} → {self.course_key} ({self.state})"
