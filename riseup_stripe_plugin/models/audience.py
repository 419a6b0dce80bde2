"""Who sees which course: audience rules (by email domain, group...) and learners' assigned scopes."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..catalog.scopes import AudienceScope


class AudienceRule(models.Model):
    """
    A rule giving a scope to learners by the domain of their email address (``acme.com`` → internal).

    .. no_pii:
    """

    domain = models.CharField(
        max_length=255, unique=True, verbose_name=_("email domain"),
        help_text=_("For example acme.com (also matches its subdomains, such as eu.acme.com)."),
    )
    scope = models.CharField(max_length=16, choices=AudienceScope.choices, verbose_name=_("scope"))
    priority = models.PositiveIntegerField(
        default=100, verbose_name=_("priority"),
        help_text=_("When several rules match, the lowest number wins; then the most specific domain."),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    modified = models.DateTimeField(auto_now=True, verbose_name=_("modified"))

    class Meta:
        verbose_name = _("audience rule")
        verbose_name_plural = _("audience rules")
        ordering = ["priority", "domain"]

    def __str__(self):
        return f"@{self.domain} → {self.scope}"

    def save(self, *args, **kwargs):
        self.domain = self.normalize_domain(self.domain)
        super().save(*args, **kwargs)

    @staticmethod
    def normalize_domain(value: str) -> str:
        return (value or "").strip().lower().lstrip("@").rstrip(".")

    def clean(self):
        self.domain = self.normalize_domain(self.domain)
        if not self.domain or "@" in self.domain or " " in self.domain or "." not in self.domain:
            raise ValidationError({"domain": _("Enter an email domain such as acme.com.")})


class LearnerScope(models.Model):
    """
    A scope an administrator gave one learner explicitly; it wins over the rules.

    .. pii: links a user to their audience scope and to the administrator who set it.
    .. pii_types: id
    .. pii_retirement: local_api
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="riseup_audience_scope", verbose_name=_("learner"))
    scope = models.CharField(max_length=16, choices=AudienceScope.choices, verbose_name=_("scope"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", editable=False, verbose_name=_("set by"))
    modified = models.DateTimeField(auto_now=True, verbose_name=_("modified"))

    class Meta:
        verbose_name = _("learner scope")
        verbose_name_plural = _("learner scopes")

    def __str__(self):
        return f"{self.user_id} → {self.scope}"
