"""Admin: audience scopes (rules by email domain, explicit assignments, CSV import) and offers' scopes."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from ..catalog.audience import import_learner_scopes
from ..catalog.scopes import AudienceScope, split_scopes
from ..models import AudienceRule, CourseOffer, LearnerScope
from . import pricing as admin_pricing

#: Largest CSV accepted by the import (bytes).
MAX_IMPORT_BYTES = 2 * 1024 * 1024


@admin.register(AudienceRule)
class AudienceRuleAdmin(admin.ModelAdmin):
    list_display = ("domain", "scope", "priority", "active", "modified")
    list_filter = ("scope", "active")
    list_editable = ("scope", "priority", "active")
    search_fields = ("domain",)


class LearnerScopeImportForm(forms.Form):
    csv_file = forms.FileField(
        label=_("CSV file"),
        help_text=_("One learner a line: username or email, then internal, partner or public. A header line "
                    "is allowed."),
    )

    def clean_csv_file(self):
        upload = self.cleaned_data["csv_file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is too large (2 MB at most)."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("The file is not text (save it as CSV, UTF-8)."))


@admin.register(LearnerScope)
class LearnerScopeAdmin(admin.ModelAdmin):
    list_display = ("user", "user_email", "scope", "set_by", "modified")
    list_filter = ("scope",)
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("set_by", "modified")
    list_select_related = ("user", "set_by")
    change_list_template = "admin/riseup_stripe_plugin/learnerscope/change_list.html"

    @admin.display(description=_("email"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view),
                 name="riseup_stripe_plugin_learnerscope_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a CSV of "username or email, scope"; report what was applied and what was refused."""
        if not self.has_change_permission(request) or not self.has_add_permission(request):
            raise PermissionDenied
        form = LearnerScopeImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = import_learner_scopes(form.cleaned_data["csv_file"], actor=request.user)
            level = messages.SUCCESS if not report.refused else messages.WARNING
            self.message_user(request, _("%(applied)d row(s) applied, %(refused)d refused.") % {
                "applied": len(report.applied), "refused": len(report.refused)}, level)
        context = {**self.admin_site.each_context(request), "form": form, "report": report,
                   "opts": self.model._meta, "title": _("Import learner scopes from CSV")}
        return TemplateResponse(request, "admin/riseup_stripe_plugin/learnerscope/import.html", context)


# --- Scopes on the course offer form ---------------------------------------------------------------------------

class ScopedCourseOfferForm(admin_pricing.CourseOfferForm):
    """The offer form, with the audience scopes ticked."""

    # Tells a submitted form with every box unticked from a submission that never showed the boxes.
    scopes_shown = forms.CharField(widget=forms.HiddenInput, required=False, initial="1")

    class Meta(admin_pricing.CourseOfferForm.Meta):
        fields = [*admin_pricing.CourseOfferForm.Meta.fields, "scopes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["scopes"]
        field.required = False
        field.initial = split_scopes(self.instance.scopes) if self.instance.pk else [AudienceScope.PUBLIC]

    def clean_scopes(self):
        scopes = self.cleaned_data.get("scopes") or []
        if not scopes:
            if self.data.get("scopes_shown"):
                raise forms.ValidationError(_("Choose at least one audience scope."))
            return split_scopes(self.instance.scopes) if self.instance.pk else [AudienceScope.PUBLIC]
        return scopes


def _with_scopes(fieldsets):
    """The offer admin's fieldsets, with the scopes after "active" in the first one."""
    result = []
    for index, (name, options) in enumerate(fieldsets):
        fields = list(options.get("fields", ()))
        if index == 0:
            at = fields.index("active") + 1 if "active" in fields else len(fields)
            fields[at:at] = ["scopes", "scopes_shown"]
        result.append((name, {**options, "fields": tuple(fields)}))
    return tuple(result)


class ScopedCourseOfferAdmin(admin_pricing.CourseOfferAdmin):
    """The offer admin with its audience scopes (saved with the offer, in one write, by ``set_offer``)."""

    form = ScopedCourseOfferForm
    list_display = (*admin_pricing.CourseOfferAdmin.list_display, "display_scopes")
    fieldsets = _with_scopes(admin_pricing.CourseOfferAdmin.fieldsets)

    @admin.display(description=_("audience scopes"))
    def display_scopes(self, obj):
        labels = dict(AudienceScope.choices)
        return ", ".join(str(labels.get(scope, scope)) for scope in split_scopes(obj.scopes))


admin.site.unregister(CourseOffer)
admin.site.register(CourseOffer, ScopedCourseOfferAdmin)
