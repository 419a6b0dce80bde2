"""Admin: back-office enrollments (never billed): the list, its export, and "enroll without payment"."""

import csv

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from ..enrollment.backoffice import BackOfficeError, enroll_without_payment
from ..models import BackOfficeEnrollment
from .base import RecordAdmin, csv_text


class EnrollWithoutPaymentForm(forms.Form):
    learner = forms.CharField(label=_("learner (username or email)"))
    course_id = forms.CharField(label=_("course id"))

    def clean_course_id(self):
        try:
            return CourseKey.from_string(self.cleaned_data["course_id"].strip())
        except InvalidKeyError as exc:
            raise forms.ValidationError(_("Not a course id.")) from exc


@admin.register(BackOfficeEnrollment)
class BackOfficeEnrollmentAdmin(RecordAdmin):
    list_display = ("created", "learner", "course_key", "actor", "path", "mode")
    list_filter = ("path",)
    search_fields = ("learner__username", "learner__email", "actor__username", "course_key")
    date_hierarchy = "created"
    actions = ["export_csv"]
    change_list_template = "admin/riseup_stripe_plugin/backofficeenrollment/change_list.html"


    @admin.action(description=_("Export selected to CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="back-office-enrollments.csv"'
        writer = csv.writer(response)
        writer.writerow(["date", "learner", "email", "course", "enrolled_by", "path", "mode"])
        for row in queryset.select_related("learner", "actor").order_by("created"):
            writer.writerow([row.created.isoformat(), csv_text(row.learner.username), csv_text(row.learner.email),
                             csv_text(row.course_key), csv_text(row.actor.username if row.actor else ""), row.path,
                             csv_text(row.mode)])
        return response

    def get_urls(self):
        return [
            path("enroll/", self.admin_site.admin_view(self.enroll_view),
                 name="riseup_stripe_plugin_backofficeenrollment_enroll"),
            *super().get_urls(),
        ]

    def enroll_view(self, request):
        """Enroll a learner without payment: an administrator's or course team's own action."""
        form = EnrollWithoutPaymentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                learner = enroll_without_payment(request.user, form.cleaned_data["learner"],
                                                 form.cleaned_data["course_id"])
            except BackOfficeError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, _("%(learner)s enrolled in %(course)s without payment.") % {
                    "learner": learner.username, "course": form.cleaned_data["course_id"]}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:riseup_stripe_plugin_backofficeenrollment_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Enroll without payment")}
        return TemplateResponse(request, "admin/riseup_stripe_plugin/backofficeenrollment/enroll.html", context)
