"""The Stripe Customer each learner is billed as, created once and reused."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StripeCustomer(models.Model):
    """
    The Stripe Customer reused for every purchase of one learner.

    .. pii: links a user to a Stripe customer id; the email and name live at Stripe.
    .. pii_types: id
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("learner"))
    livemode = models.BooleanField(default=False, verbose_name=_("live mode"))
    customer_id = models.CharField(max_length=255, unique=True, verbose_name=_("Stripe customer id"))
    #: The learner's name, locale and this installation's stamp not sent to the Customer yet: Checkout made
    #: it during a webhook's request, which leaves that call to the learner's return page or reconciliation.
    details_pending = models.BooleanField(default=False, verbose_name=_("details to send to Stripe"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("Stripe customer")
        verbose_name_plural = _("Stripe customers")
        constraints = [
            models.UniqueConstraint(fields=["user", "livemode"], name="riseup_stripe_one_customer_per_mode"),
        ]

    def __str__(self):
        return self.customer_id
