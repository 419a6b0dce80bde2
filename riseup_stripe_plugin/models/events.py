"""Stripe webhook events, stored once by their id before they are processed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StripeEvent(models.Model):
    """
    A webhook event, stored once by its Stripe id after its signature was verified.

    .. pii: the raw Stripe payload may carry the customer's email and name; emptied after
       RISEUP_STRIPE_EVENT_RETENTION_DAYS once processed, and at the learner's retirement.
    .. pii_types: email_address, name
    .. pii_retirement: local_api
    """

    event_id = models.CharField(max_length=255, unique=True, verbose_name=_("event id"))
    type = models.CharField(max_length=255, db_index=True, verbose_name=_("type"))
    api_version = models.CharField(max_length=64, blank=True, default="", verbose_name=_("API version"))
    livemode = models.BooleanField(default=False, verbose_name=_("live mode"))
    object_id = models.CharField(max_length=255, blank=True, default="", db_index=True, verbose_name=_("object id"))
    raw_body = models.TextField(verbose_name=_("raw body"))
    verified = models.BooleanField(default=False, verbose_name=_("verified"))
    processed = models.BooleanField(default=False, verbose_name=_("processed"))
    ignored = models.BooleanField(default=False, verbose_name=_("ignored"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    error = models.TextField(blank=True, default="", verbose_name=_("error"))
    # An error retrying cannot fix (a duplicate invoice, a missing Stripe object, an enrollment the
    # platform refuses): Stripe was answered 2xx, an administrator processes it again once it is fixed.
    needs_attention = models.BooleanField(default=False, db_index=True, verbose_name=_("needs attention"))
    last_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last attempt at"))
    # When its processing was handed to a Celery worker (RISEUP_STRIPE_WEBHOOK_MODE).
    queued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("queued at"))
    # What processing did ("order ...: fulfilled", "ignored: another installation"...).
    outcome = models.CharField(max_length=255, blank=True, default="", verbose_name=_("outcome"))
    # Set when Stripe sent the event in another API version than the one the plugin parses.
    warning = models.CharField(max_length=255, blank=True, default="", verbose_name=_("warning"))
    received_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("received at"))
    # When the raw body was emptied (retention period over, or the learner retired).
    body_erased_at = models.DateTimeField(null=True, blank=True, verbose_name=_("body erased at"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"

    @property
    def status(self) -> str:
        """One word for the admin list: processed, ignored, needs_attention, retrying, queued or received."""
        if self.processed:
            return EventStatus.IGNORED if self.ignored else EventStatus.PROCESSED
        if self.needs_attention:
            return EventStatus.NEEDS_ATTENTION
        if self.error:
            return EventStatus.RETRYING
        return EventStatus.QUEUED if self.queued_at else EventStatus.RECEIVED


class EventStatus(models.TextChoices):
    """Where an event stands (computed from its fields; see :attr:`StripeEvent.status`)."""

    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    RETRYING = "retrying", _("Failed, Stripe retries")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")
