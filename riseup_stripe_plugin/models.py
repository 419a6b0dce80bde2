"""
What the plugin stores: offers, orders, invoices, Stripe customers and events.

Amounts are integer minor units next to their ISO currency (see ``money``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from . import money
from .scopes import AudienceScope, ScopesField
from .states import ACCESS_STATES, OPEN_STATES, InvalidTransition, OrderState, check_transition


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
    stripe_product_id = models.CharField(max_length=255, blank=True, default="")
    stripe_price_id = models.CharField(max_length=255, blank=True, default="")
    # What the current Stripe Price says; a mismatch with price/currency means "sync needed".
    stripe_price_amount = models.PositiveBigIntegerField(null=True, blank=True)
    stripe_price_currency = models.CharField(max_length=3, blank=True, default="")
    price_version = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

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


class StripeCustomer(models.Model):
    """
    The Stripe Customer reused for every purchase of one learner.

    .. pii: links a user to a Stripe customer id; the email and name live at Stripe.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    livemode = models.BooleanField(default=False)
    customer_id = models.CharField(max_length=255, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "livemode"], name="riseup_stripe_one_customer_per_mode"),
        ]

    def __str__(self):
        return self.customer_id


class Order(models.Model):
    """
    One purchase of one course by one learner.

    Its state changes only through :meth:`transition`. Two slot columns let the
    database enforce what matters, on SQLite and MySQL alike (MySQL has no
    partial unique index): ``open_slot`` holds "user:course" while a purchase is
    under way (never two open checkouts), ``access_slot`` while the order grants
    access (never two live purchases of one course).

    .. pii: belongs to a user; holds Stripe ids of their customer and payment.
    .. pii_types: id
    .. pii_retirement: retained
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="riseup_stripe_orders",
    )
    course_key = CourseKeyField(max_length=255, db_index=True)
    offer = models.ForeignKey(CourseOffer, on_delete=models.PROTECT, related_name="orders")
    state = models.CharField(max_length=32, choices=OrderState.choices, default=OrderState.CREATED)
    # The price and currency at the moment of purchase: what the learner agreed to pay.
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    stripe_price_id = models.CharField(max_length=255)
    enrollment_mode = models.CharField(max_length=100, blank=True, default="")
    amount_paid = models.BigIntegerField(null=True, blank=True)
    amount_discount = models.BigIntegerField(null=True, blank=True)
    promotion_code_id = models.CharField(max_length=255, blank=True, default="")
    stripe_customer_id = models.CharField(max_length=255, blank=True, default="")
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.TextField(blank=True, default="")
    checkout_expires_at = models.DateTimeField(null=True, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    stripe_invoice_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    open_slot = models.CharField(max_length=300, unique=True, null=True, blank=True, editable=False)
    access_slot = models.CharField(max_length=300, unique=True, null=True, blank=True, editable=False)
    flag_reason = models.TextField(blank=True, default="")
    dispute_id = models.CharField(max_length=255, blank=True, default="")
    dispute_status = models.CharField(max_length=64, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "course_key", "state"], name="riseup_order_user_course")]

    def __str__(self):
        return f"{self.uuid} ({self.state})"

    def save(self, *args, **kwargs):
        if self._state.adding:
            for name, value in self.slots_for(self.state).items():
                setattr(self, name, value)
        super().save(*args, **kwargs)

    @classmethod
    def by_reference(cls, ref) -> Order | None:
        """The order named by a Stripe object's ``riseup_order`` (its uuid); None for anything else."""
        try:
            return cls.objects.select_related("user").filter(uuid=uuid.UUID(str(ref))).first() if ref else None
        except ValueError:
            return None

    def locked(self) -> Order:
        """
        This order re-read under its row lock, inside the caller's transaction.

        Locks are always taken order first, then invoice: every writer of an order and its
        invoice (fulfilment, invoice recording, cancellation, disputes) goes through here.
        """
        return Order.objects.select_for_update().select_related("user").get(pk=self.pk)

    def slot_value(self) -> str:
        return f"{self.user_id}:{self.course_key}"

    def slots_for(self, state: str) -> dict:
        return {
            "open_slot": self.slot_value() if state in OPEN_STATES else None,
            "access_slot": self.slot_value() if state in ACCESS_STATES else None,
        }

    def transition(self, target: str, **changes) -> None:
        """
        Move to ``target`` if the state machine allows it, atomically.

        The UPDATE is conditional on the state we read (compare-and-set), so two
        processes racing on one order cannot both make the same move: the loser
        gets :class:`ConcurrentTransition` and re-reads.
        """
        check_transition(self.state, target)
        now = timezone.now()
        stamp = {OrderState.PAID: "paid_at", OrderState.FULFILLED: "fulfilled_at",
                 OrderState.CANCELLED: "cancelled_at"}.get(target)
        if stamp and stamp not in changes:
            changes[stamp] = now
        values = {"state": target, "modified": now, **self.slots_for(target), **changes}
        updated = Order.objects.filter(pk=self.pk, state=self.state).update(**values)
        if updated != 1:
            raise ConcurrentTransition(self.state, target)
        for name, value in values.items():
            setattr(self, name, value)


class ConcurrentTransition(InvalidTransition):
    """Another process changed the order's state first; re-read it."""


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    CANCELLED = "cancelled", _("Cancelled")
    VOID = "void", _("Void")
    UNCOLLECTIBLE = "uncollectible", _("Uncollectible")


class Invoice(models.Model):
    """
    The invoice Stripe issued for an order, from the merchant's own invoice template.

    .. pii: the customer's email and name as printed on the invoice.
    .. pii_types: email_address, name
    .. pii_retirement: retained
    """

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="invoice")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="riseup_stripe_invoices",
    )
    course_key = CourseKeyField(max_length=255, db_index=True)
    stripe_invoice_id = models.CharField(max_length=255, unique=True)
    number = models.CharField(max_length=255, blank=True, default="", db_index=True)
    status = models.CharField(max_length=32, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    stripe_status = models.CharField(max_length=32, blank=True, default="")
    currency = models.CharField(max_length=3)
    subtotal = models.BigIntegerField(default=0)
    tax = models.BigIntegerField(default=0)
    discount = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    amount_paid = models.BigIntegerField(default=0)
    amount_refunded = models.BigIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    cancellation_reason = models.TextField(blank=True, default="")
    customer_email = models.CharField(max_length=254, blank=True, default="")
    customer_name = models.CharField(max_length=255, blank=True, default="")
    hosted_invoice_url = models.URLField(max_length=2000, blank=True, default="")
    invoice_pdf_url = models.URLField(max_length=2000, blank=True, default="")
    issued_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-created"]
        permissions = [("cancel_invoice", _("Can cancel an invoice (credit note and refund)"))]

    def __str__(self):
        return self.number or self.stripe_invoice_id



class StripeEvent(models.Model):
    """
    A webhook event, stored once by its Stripe id after its signature was verified.

    .. pii: the raw Stripe payload may carry the customer's email and name (kept for audit).
    .. pii_types: email_address, name
    .. pii_retirement: retained
    """

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=255, db_index=True)
    api_version = models.CharField(max_length=64, blank=True, default="")
    livemode = models.BooleanField(default=False)
    object_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    raw_body = models.TextField()
    verified = models.BooleanField(default=False)
    processed = models.BooleanField(default=False)
    ignored = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


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
    secret_key_encrypted = models.TextField(blank=True, default="", editable=False)
    webhook_secret_encrypted = models.TextField(blank=True, default="", editable=False)
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
    modified = models.DateTimeField(auto_now=True)
    modified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)

    class Meta:
        verbose_name = _("payment settings")
        verbose_name_plural = _("payment settings")

    def __str__(self):
        return str(_("Payment settings"))


class CreditNote(models.Model):
    """
    A Stripe credit note (facture d'avoir) correcting a paid invoice, with its refund.

    .. no_pii:
    """

    class Source(models.TextChoices):
        ADMIN = "admin", _("Cancelled by an administrator")
        STRIPE = "stripe", _("Made in Stripe")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    stripe_credit_note_id = models.CharField(max_length=255, unique=True)
    number = models.CharField(max_length=255, blank=True, default="")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    refund_id = models.CharField(max_length=255, blank=True, default="")
    reason = models.CharField(max_length=64, blank=True, default="")
    memo = models.TextField(blank=True, default="")
    pdf_url = models.URLField(max_length=2000, blank=True, default="")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ADMIN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    issued_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-created"]

    def __str__(self):
        return self.number or self.stripe_credit_note_id


class BackOfficeEnrollment(models.Model):
    """
    An enrollment into a paid course made without payment by someone allowed to (never billed).

    .. pii: who enrolled whom, and when.
    .. pii_types: id
    .. pii_retirement: retained
    """

    class Path(models.TextChoices):
        STAFF = "staff", _("Staff or instructor (dashboard, API, bulk enroll, support)")
        ADMIN_ACTION = "admin_action", _("Plugin admin: enroll without payment")
        INVITATION = "invitation", _("Invitation by staff, honoured at registration")
        NO_REQUEST = "no_request", _("Management command or task")

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    course_key = CourseKeyField(max_length=255, db_index=True)
    path = models.CharField(max_length=32, choices=Path.choices)
    request_path = models.CharField(max_length=500, blank=True, default="")
    mode = models.CharField(max_length=100, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("back-office enrollment")
        verbose_name_plural = _("back-office enrollments")
        ordering = ["-created"]
        indexes = [models.Index(fields=["learner", "course_key"], name="riseup_backoffice_learner")]

    def __str__(self):
        return f"{self.learner_id} → {self.course_key} ({self.path})"


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
    modified = models.DateTimeField(auto_now=True)

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
    .. pii_retirement: retained
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="riseup_audience_scope", verbose_name=_("learner"))
    scope = models.CharField(max_length=16, choices=AudienceScope.choices, verbose_name=_("scope"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", editable=False, verbose_name=_("set by"))
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner scope")
        verbose_name_plural = _("learner scopes")

    def __str__(self):
        return f"{self.user_id} → {self.scope}"
