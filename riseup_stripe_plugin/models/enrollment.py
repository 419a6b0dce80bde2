"""Enrollments into paid courses made without payment (back office), kept for the audit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField


class BackOfficeEnrollment(models.Model):
    """
    An enrollment into a paid course made without payment by someone allowed to (never billed).

    .. pii: who enrolled whom, and when.
    .. pii_types: id
    .. pii_retirement: local_api
    """

    class Path(models.TextChoices):
        STAFF = "staff", _("Staff or instructor (dashboard, API, bulk enroll, support)")
        ADMIN_ACTION = "admin_action", _("Plugin admin: enroll without payment")
        INVITATION = "invitation", _("Invitation by staff, honoured at registration")
        INVITATION_ENROLL = "invitation_enroll", _("Invitation by staff, the learner clicked Enroll")
        COURSE_TEAM = "course_team", _("Course staff or instructor enrolling themselves")
        NO_REQUEST = "no_request", _("Management command or task")

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("learner"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    course_key = CourseKeyField(max_length=255, db_index=True, verbose_name=_("course id"))
    path = models.CharField(max_length=32, choices=Path.choices, verbose_name=_("path"))
    request_path = models.CharField(max_length=500, blank=True, default="", verbose_name=_("request path"))
    mode = models.CharField(max_length=100, blank=True, default="", verbose_name=_("mode"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("back-office enrollment")
        verbose_name_plural = _("back-office enrollments")
        ordering = ["-created"]
        indexes = [models.Index(fields=["learner", "course_key"], name="riseup_backoffice_learner")]

    def __str__(self):
        return f"{self.learner_id} → {self.course_key} ({self.path})"
