"""
Admin: the payment method settings ("Settings › Catalogs › Payment methods").

Secrets are write-only: the form never renders them back; the page shows
whether each one is set and its last four characters. A value set in the
Django settings (Tutor) wins, and the form says so next to the field.
"""

import hashlib

from django import forms
from django.conf import settings as django_settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from .. import conf, money
from ..configuration.connection import ConnectionReport, check_connection, key_problem
from ..configuration.encryption import decrypt, encrypt
from ..configuration.tax import TaxRateCheck, check_tax_rate
from ..models import PaymentConfiguration


def key_digest(secret: str) -> str:
    """Names a key without keeping it: the check made before the transaction is matched to the form's key."""
    return hashlib.sha256(secret.encode()).hexdigest()


#: form field → setting name, for the "set in the platform settings" notices.
FIELD_SETTINGS = {field: name for name, field in conf.ADMIN_FIELDS.items()}


class PaymentConfigurationForm(forms.ModelForm):
    #: What Stripe said of the fixed tax rate, asked by the admin view before its transaction began.
    tax_rate_check: TaxRateCheck | None = None
    #: What Stripe said of the key that enabling would put in force, asked before the transaction too.
    connection_report: ConnectionReport | None = None

    secret_key = forms.CharField(
        label=_("secret key"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Write-only. Leave empty to keep the current key."),
    )
    clear_secret_key = forms.BooleanField(label=_("remove the stored secret key"), required=False)
    webhook_secret = forms.CharField(
        label=_("webhook signing secret"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Write-only. Leave empty to keep the current secret."),
    )
    clear_webhook_secret = forms.BooleanField(label=_("remove the stored webhook secret"), required=False)

    class Meta:
        model = PaymentConfiguration
        fields = ["enabled", "publishable_key", "secret_key", "clear_secret_key", "webhook_secret",
                  "clear_webhook_secret", "api_version", "default_currency", "tax_mode", "tax_rate_id",
                  "invoice_footer", "invoice_custom_fields", "checkout_lifetime_minutes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "api_version" in self.fields:
            self.fields["api_version"].help_text = _(
                "The plugin is written against {version} and sends it; no other version is accepted."
            ).format(version=conf.PINNED_API_VERSION)
        for field, name in FIELD_SETTINGS.items():
            if field in self.fields and conf.set_in_django_settings(name):
                self.fields[field].disabled = True
                self.fields[field].help_text = _(
                    "Set by the platform settings ({name}); this field is ignored."
                ).format(name=name)
                if isinstance(self.fields[field].widget, forms.PasswordInput):
                    self.fields[field].required = False

    @method_decorator(sensitive_variables())
    def _effective_secret(self, cleaned):
        if conf.set_in_django_settings("RISEUP_STRIPE_SECRET_KEY"):
            return conf.get("RISEUP_STRIPE_SECRET_KEY")
        if cleaned.get("clear_secret_key"):
            return ""
        return cleaned.get("secret_key") or decrypt(self.instance.secret_key_encrypted)

    def clean_default_currency(self):
        value = self.cleaned_data.get("default_currency", "")
        if value:
            try:
                return money.normalize_currency(value)
            except money.MoneyError as exc:
                raise ValidationError(str(exc)) from exc
        return value

    def clean_invoice_custom_fields(self):
        value = self.cleaned_data.get("invoice_custom_fields") or []
        if not isinstance(value, list) or len(value) > 4 or not all(
            isinstance(f, dict) and set(f) == {"name", "value"} for f in value
        ):
            raise ValidationError(_('Give at most 4 fields as [{"name": "...", "value": "..."}].'))
        return value

    def clean_checkout_lifetime_minutes(self):
        value = self.cleaned_data.get("checkout_lifetime_minutes")
        if value is not None and not 31 <= value <= 1440:
            raise ValidationError(_("Choose between 31 and 1440 minutes (Stripe takes 30 minutes to 24 hours)."))
        return value

    def clean_api_version(self):
        value = (self.cleaned_data.get("api_version") or "").strip()
        if value and value != conf.PINNED_API_VERSION:
            raise ValidationError(_("This plugin is written against Stripe API version {version}; leave the field "
                                    "empty or enter that one.").format(version=conf.PINNED_API_VERSION))
        return value

    def clean_webhook_secret(self):
        value = self.cleaned_data.get("webhook_secret", "")
        if value and not value.startswith("whsec_"):
            raise ValidationError(_("A webhook signing secret starts with whsec_."))
        return value

    @method_decorator(sensitive_variables())
    def clean(self):
        cleaned = super().clean()
        secret = self._effective_secret(cleaned)
        if cleaned.get("secret_key"):
            problem = key_problem(cleaned["secret_key"])
            if problem:
                self.add_error("secret_key", problem)
                return cleaned
        check = self.tax_rate_check
        if check is not None and check.problem and not conf.set_in_django_settings("RISEUP_STRIPE_TAX_RATE_ID"):
            self.add_error("tax_rate_id", check.problem)
        enabled = conf.get("RISEUP_STRIPE_ENABLED") if conf.set_in_django_settings("RISEUP_STRIPE_ENABLED") \
            else cleaned.get("enabled")
        if enabled and not conf.set_in_django_settings("RISEUP_STRIPE_ENABLED"):
            problem = key_problem(secret)
            if problem:
                self.add_error("enabled", problem)
            else:
                # Asked by the admin view before its transaction, for the key this form puts in force.
                report = self.connection_report
                if report is None or getattr(report, "key_digest", None) != key_digest(secret):
                    report = ConnectionReport(False, _("Stripe could not be asked about this key; try again."))
                if not report.ok:
                    self.add_error("enabled", _("Stripe refused this key: {reason}").format(reason=report.message))
        return cleaned

    @method_decorator(sensitive_variables())
    def save(self, commit=True):
        instance = super().save(commit=False)
        data = self.cleaned_data
        if data.get("clear_secret_key"):
            instance.secret_key_encrypted = ""
        elif data.get("secret_key"):
            instance.secret_key_encrypted = encrypt(data["secret_key"])
        if data.get("clear_webhook_secret"):
            instance.webhook_secret_encrypted = ""
        elif data.get("webhook_secret"):
            instance.webhook_secret_encrypted = encrypt(data["webhook_secret"])
        if commit:
            instance.save()
        return instance


def _secret_state(name, token):
    if conf.set_in_django_settings(name):
        return _("set in the platform settings ({masked})").format(masked=conf.mask_secret(conf.get(name)))
    value = decrypt(token)
    return _("set ({masked})").format(masked=conf.mask_secret(value)) if value else _("not set")


@admin.register(PaymentConfiguration)
class PaymentConfigurationAdmin(admin.ModelAdmin):
    form = PaymentConfigurationForm
    list_display = ("__str__", "enabled_in_force", "secret_key_state", "webhook_secret_state", "modified")
    readonly_fields = ("secret_key_state", "webhook_secret_state", "in_force", "modified", "modified_by")
    fieldsets = (
        (None, {"fields": ("enabled", "in_force")}),
        (_("Stripe keys"), {"fields": ("publishable_key", "secret_key_state", "secret_key", "clear_secret_key",
                                       "webhook_secret_state", "webhook_secret", "clear_webhook_secret",
                                       "api_version")}),
        (_("Prices, tax and invoices"), {"fields": ("default_currency", "tax_mode", "tax_rate_id",
                                                    "invoice_footer", "invoice_custom_fields",
                                                    "checkout_lifetime_minutes")}),
        (None, {"fields": ("modified", "modified_by")}),
    )
    change_form_template = "admin/riseup_stripe_plugin/paymentconfiguration/change_form.html"

    @admin.display(description=_("secret key"))
    def secret_key_state(self, obj):
        return _secret_state("RISEUP_STRIPE_SECRET_KEY", obj.secret_key_encrypted if obj else "")

    @admin.display(description=_("webhook signing secret"))
    def webhook_secret_state(self, obj):
        return _secret_state("RISEUP_STRIPE_WEBHOOK_SECRET", obj.webhook_secret_encrypted if obj else "")

    @admin.display(description=_("payment enabled (in force)"), boolean=True)
    def enabled_in_force(self, obj):
        return conf.stripe_settings().enabled

    @admin.display(description=_("settings in force"))
    def in_force(self, obj):
        cfg = conf.stripe_settings()
        overridden = [name for name in conf.ADMIN_FIELDS if conf.set_in_django_settings(name)]
        return format_html(
            "{}<br>{}",
            _("Payment {state}; API version {version}; tax mode {tax}; default currency {currency}.").format(
                state=_("enabled") if cfg.enabled else _("disabled"), version=cfg.api_version,
                tax=cfg.tax_mode, currency=cfg.default_currency.upper()),
            _("Set in the platform settings, which win over this page: {names}.").format(
                names=", ".join(overridden)) if overridden else _("Nothing is set in the platform settings."),
        )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PaymentConfiguration.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    @method_decorator(sensitive_post_parameters("secret_key", "webhook_secret"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            # Before the admin's transaction: no Stripe call while the database is held.
            request.riseup_tax_rate_check = self._tax_rate_check(request, object_id)
            request.riseup_connection_report = self._connection_report(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    @method_decorator(sensitive_variables())
    def _submitted_secret(self, request, object_id) -> str:
        """The secret key the submitted form would put in force."""
        if conf.set_in_django_settings("RISEUP_STRIPE_SECRET_KEY"):
            return conf.get("RISEUP_STRIPE_SECRET_KEY")
        if request.POST.get("clear_secret_key"):
            return ""
        row = PaymentConfiguration.objects.filter(pk=object_id).first() if object_id else None
        return request.POST.get("secret_key", "").strip() or (decrypt(row.secret_key_encrypted) if row else "")

    @method_decorator(sensitive_variables())
    def _connection_report(self, request, object_id):
        """Ask Stripe about the key when the submitted form enables payment (None: nothing to ask)."""
        if conf.set_in_django_settings("RISEUP_STRIPE_ENABLED") or not request.POST.get("enabled"):
            return None
        secret = self._submitted_secret(request, object_id)
        if key_problem(secret):
            return None  # the key's own error is reported by the form
        report = check_connection(secret_key=secret)
        report.key_digest = key_digest(secret)  # which key it answers for
        return report

    @method_decorator(sensitive_variables())
    def _tax_rate_check(self, request, object_id):
        """Ask Stripe about the fixed tax rate the submitted form would put in force (None: nothing to ask)."""
        def in_force(name, field):
            return conf.get(name) if conf.set_in_django_settings(name) else request.POST.get(field, "").strip()
        mode, rate_id = in_force("RISEUP_STRIPE_TAX_MODE", "tax_mode"), in_force("RISEUP_STRIPE_TAX_RATE_ID",
                                                                                     "tax_rate_id")
        if mode != "fixed_rate" or not rate_id.startswith("txr_"):
            return None
        secret = self._submitted_secret(request, object_id)
        if key_problem(secret):
            return None  # the key's own error is reported by the form
        return check_tax_rate(rate_id, secret_key=secret)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.tax_rate_check = getattr(request, "riseup_tax_rate_check", None)
        form.connection_report = getattr(request, "riseup_connection_report", None)
        return form

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = PaymentConfiguration.objects.order_by("pk").first()
        if row is None:
            row = PaymentConfiguration.objects.create()
        return HttpResponseRedirect(reverse("admin:riseup_stripe_plugin_paymentconfiguration_change",
                                            args=[row.pk]))

    def save_model(self, request, obj, form, change):
        obj.modified_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        urls = super().get_urls()
        for pattern in urls:
            # These pages call Stripe: outside ATOMIC_REQUESTS' transaction (the admin's own
            # transaction around the save still holds, and starts after the call).
            if getattr(pattern, "name", "") in (f"{self.opts.app_label}_{self.opts.model_name}_change",
                                                f"{self.opts.app_label}_{self.opts.model_name}_add"):
                pattern.callback = transaction.non_atomic_requests(pattern.callback)
        return [
            path("<int:pk>/test-connection/",
                 transaction.non_atomic_requests(self.admin_site.admin_view(self.test_connection_view)),
                 name="riseup_stripe_plugin_paymentconfiguration_test"),
            *urls,
        ]

    def test_connection_view(self, request, pk):
        if request.method != "POST" or not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:riseup_stripe_plugin_paymentconfiguration_changelist"))
        get_object_or_404(PaymentConfiguration, pk=pk)
        report = check_connection(webhook_url=webhook_url(request))
        self.message_user(request, report.message, level=messages.SUCCESS if report.ok else messages.ERROR)
        return HttpResponseRedirect(reverse("admin:riseup_stripe_plugin_paymentconfiguration_change", args=[pk]))


def webhook_url(request):
    """The LMS's webhook URL; from Studio, the LMS root comes from the platform's LMS_ROOT_URL."""
    lms_root = getattr(django_settings, "LMS_ROOT_URL", "")
    suffix = "/riseup-stripe/webhook/"
    return lms_root.rstrip("/") + suffix if lms_root else request.build_absolute_uri(suffix)
