"""Payment settings an administrator enters in the admin (Django settings take precedence)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaxMode(models.TextChoices):
    NONE = "none", _("No tax collected")
    FIXED_RATE = "fixed_rate", _("Prices tax included, with a fixed inclusive tax rate")
    STRIPE_TAX = "stripe_tax", _("Prices tax included, tax computed by Stripe Tax")


class PaymentConfiguration(models.Model):
    """
    The payment method settings an administrator enters ("Settings › Catalogs › Payment methods").

    One row. Values given as Django settings (for instance by Tutor) take
    precedence over these. Secrets are stored encrypted with a key derived
    from the platform's ``SECRET_KEY`` and are never shown back.

    .. no_pii:
    """

    enabled = models.BooleanField(default=False, verbose_name=_("Enable the payment method"))
    publishable_key = models.CharField(max_length=255, blank=True, default="", verbose_name=_("publishable key"))
    secret_key_encrypted = models.TextField(blank=True, default="", editable=False,
        verbose_name=_("secret key (encrypted)"))
    webhook_secret_encrypted = models.TextField(blank=True, default="", editable=False,
        verbose_name=_("webhook signing secret (encrypted)"))
    api_version = models.CharField(max_length=64, blank=True, default="", verbose_name=_("API version"))
    default_currency = models.CharField(max_length=3, blank=True, default="", verbose_name=_("default currency"))
    tax_mode = models.CharField(max_length=16, choices=TaxMode.choices, blank=True, default="",
                                verbose_name=_("tax mode"))
    tax_rate_id = models.CharField(max_length=255, blank=True, default="", verbose_name=_("tax rate id"))
    invoice_footer = models.TextField(blank=True, default="", verbose_name=_("invoice footer"))
    invoice_custom_fields = models.JSONField(
        blank=True, default=list, verbose_name=_("invoice custom fields"),
        help_text=_('Up to 4 {"name": ..., "value": ...} pairs printed on every invoice.'),
    )
    checkout_lifetime_minutes = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("checkout session lifetime (minutes)"),
    )
    modified = models.DateTimeField(auto_now=True, verbose_name=_("modified"))
    modified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False, verbose_name=_("modified by"))

    class Meta:
        verbose_name = _("payment settings")
        verbose_name_plural = _("payment settings")

    def __str__(self):
        return str(_("Payment settings"))


class Installation(models.Model):
    """
    This installation's id at Stripe, generated once (see ``configuration.installation``).

    One row. Several installations (production, staging, a reset database) may share one
    Stripe account: the id keeps their idempotency keys apart and tells their objects apart.

    .. no_pii:
    """

    installation_id = models.CharField(max_length=40, unique=True, verbose_name=_("installation id"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installation")

    def __str__(self):
        return self.installation_id
