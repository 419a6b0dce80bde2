"""The stand-in platform's tables in the admin, so the demo can show staff invitations and roles."""

from django.contrib import admin

from .models import Course, CourseAccessRole, CourseEnrollment, CourseEnrollmentAllowed

admin.site.register(Course)
admin.site.register(CourseEnrollment, list_display=("user", "course_id", "mode", "is_active"))
admin.site.register(CourseAccessRole, list_display=("user", "course_id", "role"))
admin.site.register(CourseEnrollmentAllowed, list_display=("email", "course_id", "auto_enroll"))
