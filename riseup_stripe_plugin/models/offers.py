"""A course's sale terms: paid or not, its price tax included, its audience scopes."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from .. import money
from ..catalog.scopes import ScopesField


class CourseOffer(models.Model):
    """
    The sale terms of one course: paid or not, its price tax included, and Stripe's mirror of it.

    .. no_pii:
    """

    course_key = CourseKeyField(max_length=255, unique=True, verbose_name=_("course"))
    is_paid = models.BooleanField(default=False, verbose_name=_("paid"))
    price = models.PositiveBigIntegerField(
        default=0, verbose_name=_("price tax included (minor units)"),
        help_text=_("In the currency's smallest unit: 4900 is 49.00 EUR, 5000 is 5,000 JPY."),
    )
    currency = models.CharField(max_length=3, default="eur", verbose_name=_("currency"))
    active = models.BooleanField(default=True, verbose_name=_("on sale"))
    enrollment_mode = models.CharField(
        max_length=100, blank=True, default="",
        verbose_name=_("enrollment mode granted"),
        help_text=_("Leave empty for the course's default mode."),
    )
    scopes = ScopesField(
        verbose_name=_("audience scopes"),
        help_text=_(
            "Who may see and buy this course: everyone when public is ticked, else learners of a ticked scope."
        ),
    )
    stripe_product_id = models.CharField(max_length=255, blank=True, default="", verbose_name=_("Stripe product id"))
    # The name the Stripe Product was last given (the course's name then); a rename bumps the version.
    stripe_product_name = models.CharField(max_length=255, blank=True, default="", editable=False,
        verbose_name=_("Stripe product name"))
    product_name_version = models.PositiveIntegerField(default=0, editable=False,
        verbose_name=_("product name version"))
    stripe_price_id = models.CharField(max_length=255, blank=True, default="", verbose_name=_("Stripe price id"))
    # What the current Stripe Price says; a mismatch with price/currency means "sync needed".
    stripe_price_amount = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("Stripe price amount"))
    stripe_price_currency = models.CharField(max_length=3, blank=True, default="",
        verbose_name=_("Stripe price currency"))
    price_version = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("price version"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    modified = models.DateTimeField(auto_now=True, verbose_name=_("modified"))

    class Meta:
        verbose_name = _("course offer")
        verbose_name_plural = _("course offers")

    def __str__(self):
        return str(self.course_key)

    def clean(self):
        try:
            self.currency = money.normalize_currency(self.currency)
        except money.MoneyError as exc:
            raise ValidationError({"currency": str(exc)}) from exc
        if self.is_paid and self.price <= 0:
            raise ValidationError({"price": _("A paid course needs a price above zero.")})

    @property
    def purchasable(self) -> bool:
        return self.is_paid and self.active and self.price > 0

    @property
    def stripe_price_in_step(self) -> bool:
        return bool(
            self.stripe_price_id
            and self.stripe_price_amount == self.price
            and self.stripe_price_currency == self.currency
        )


class OfferChange(models.Model):
    """
    One change of a course's sale terms: who, when, through which path, what it was and what it became.

    Kept for the audit of prices (a price is money): written by the plugin in the same transaction
    as the offer, never edited.

    .. pii: who changed a price.
    .. pii_types: id
    .. pii_retirement: retained
    """

    class Source(models.TextChoices):
        ADMIN = "admin", _("Django admin")
        STUDIO = "studio", _("Studio API")
        RERUN = "rerun", _("Course re-run")

    offer = models.ForeignKey(CourseOffer, on_delete=models.CASCADE, related_name="changes", verbose_name=_("offer"))
    course_key = CourseKeyField(max_length=255, db_index=True, verbose_name=_("course"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("changed by"))
    source = models.CharField(max_length=16, choices=Source.choices, verbose_name=_("through"))
    before = models.JSONField(default=dict, blank=True, verbose_name=_("before"))
    after = models.JSONField(default=dict, verbose_name=_("after"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("when"))

    class Meta:
        verbose_name = _("offer change")
        verbose_name_plural = _("offer changes")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.course_key} ({self.source}, {self.created:%Y-%m-%d %H:%M})"
