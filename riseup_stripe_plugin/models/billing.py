"""Our copies of Stripe's invoices and credit notes (a cancelled invoice keeps its credit note)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from .orders import Order


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

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="invoice", verbose_name=_("order"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="riseup_stripe_invoices",
        verbose_name=_("learner"),
    )
    course_key = CourseKeyField(max_length=255, db_index=True, verbose_name=_("course id"))
    stripe_invoice_id = models.CharField(max_length=255, unique=True, verbose_name=_("Stripe invoice id"))
    number = models.CharField(max_length=255, blank=True, default="", db_index=True, verbose_name=_("number"))
    status = models.CharField(max_length=32, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN,
        verbose_name=_("status"))
    stripe_status = models.CharField(max_length=32, blank=True, default="", verbose_name=_("status at Stripe"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    subtotal = models.BigIntegerField(default=0, verbose_name=_("subtotal"))
    tax = models.BigIntegerField(default=0, verbose_name=_("tax"))
    discount = models.BigIntegerField(default=0, verbose_name=_("discount"))
    total = models.BigIntegerField(default=0, verbose_name=_("total tax included"))
    amount_paid = models.BigIntegerField(default=0, verbose_name=_("amount paid"))
    amount_refunded = models.BigIntegerField(default=0, verbose_name=_("amount refunded"))
    #: The promotion code the learner typed (WELCOME10), copied from the order at fulfilment.
    promotion_code = models.CharField(max_length=255, blank=True, default="", verbose_name=_("promotion code"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("cancelled by"))
    cancellation_reason = models.TextField(blank=True, default="", verbose_name=_("cancellation reason"))
    customer_email = models.CharField(max_length=254, blank=True, default="", verbose_name=_("email on the invoice"))
    customer_name = models.CharField(max_length=255, blank=True, default="", verbose_name=_("name on the invoice"))
    # The buyer's country (ISO 3166 alpha-2) from the invoice's address: where the tax is declared.
    buyer_country = models.CharField(max_length=2, blank=True, default="", verbose_name=_("buyer country"))
    hosted_invoice_url = models.URLField(max_length=2000, blank=True, default="", verbose_name=_("online invoice"))
    invoice_pdf_url = models.URLField(max_length=2000, blank=True, default="", verbose_name=_("invoice PDF"))
    issued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("issued at"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    modified = models.DateTimeField(auto_now=True, verbose_name=_("modified"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-created"]
        permissions = [("cancel_invoice", _("Can cancel an invoice (credit note and refund)"))]
        indexes = [models.Index(fields=["issued_at"], name="riseup_invoice_issued")]

    def __str__(self):
        return self.number or self.stripe_invoice_id


class CreditNote(models.Model):
    """
    A Stripe credit note (facture d'avoir) correcting a paid invoice, with its refund.

    .. no_pii:
    """

    class Reason(models.TextChoices):
        """Stripe's credit note reasons, in words."""
        ORDER_CHANGE = "order_change", _("Order change")
        PRODUCT_UNSATISFACTORY = "product_unsatisfactory", _("Course unsatisfactory")
        DUPLICATE = "duplicate", _("Duplicate purchase")
        FRAUDULENT = "fraudulent", _("Fraudulent purchase")

    class Source(models.TextChoices):
        ADMIN = "admin", _("Cancelled by an administrator")
        STRIPE = "stripe", _("Made in Stripe")
        REFUND = "refund", _("Issued for a refund made in Stripe")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes",
        verbose_name=_("invoice"))
    stripe_credit_note_id = models.CharField(max_length=255, unique=True, verbose_name=_("Stripe credit note id"))
    number = models.CharField(max_length=255, blank=True, default="", verbose_name=_("number"))
    amount = models.BigIntegerField(verbose_name=_("amount"))
    tax = models.BigIntegerField(default=0, verbose_name=_("tax"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    refund_id = models.CharField(max_length=255, blank=True, default="", verbose_name=_("refund id"))
    reason = models.CharField(max_length=64, blank=True, default="", choices=Reason.choices, verbose_name=_("reason"))
    memo = models.TextField(blank=True, default="", verbose_name=_("memo"))
    pdf_url = models.URLField(max_length=2000, blank=True, default="", verbose_name=_("PDF"))
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ADMIN, verbose_name=_("source"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    issued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("issued at"))
    # Set when the credit note was voided in Stripe: it no longer counts, the invoice follows what remains.
    voided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("voided"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-created"]
        indexes = [models.Index(fields=["issued_at"], name="riseup_creditnote_issued")]

    def __str__(self):
        return self.number or self.stripe_credit_note_id
