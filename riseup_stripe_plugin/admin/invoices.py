"""
Admin (LMS and Studio): "Management menu › Invoices" and their credit notes.

Every invoice with its learner, amounts, status and Stripe documents; search,
filters, CSV export; and the "cancel" icon: a confirmation page, then a Stripe
credit note with a refund (see :mod:`.cancellation`).
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .. import conf, money
from .. import edxapp_wrapper as platform
from ..billing.cancellation import CANCELLABLE, cancel_invoice
from ..exceptions import PaymentRequestError, RiseupStripeError
from ..models import CreditNote, Invoice
from . import dashboard
from .base import RecordAdmin, csv_text

CANCEL_PERMISSION = "riseup_stripe_plugin.cancel_invoice"

STRIPE_REASON_CHOICES = [
    ("order_change", _("Order change (bought by mistake, cancelled purchase)")),
    ("product_unsatisfactory", _("Course unsatisfactory")),
    ("duplicate", _("Duplicate purchase")),
    ("fraudulent", _("Fraudulent purchase")),
]

CSV_HEADER = [
    "number", "stripe_invoice_id", "date", "learner", "learner_name", "email", "course_id", "course_name",
    "currency", "subtotal", "tax", "discount", "total", "amount_refunded", "promotion_code", "status",
    "cancelled_at", "cancelled_by", "credit_notes", "pdf_url", "hosted_invoice_url",
]


def _amount(minor, currency) -> str:
    return money.format_amount(int(minor), currency) if currency else str(minor)


def _promotion_code(invoice) -> str:
    """The code the learner typed; an invoice stored before codes were kept has only Stripe's id."""
    return invoice.promotion_code or invoice.order.promotion_code_id


def _safe_reason(exc: RiseupStripeError) -> str:
    """What the administrator is told about a refusal: the message, Stripe's reason, never a secret."""
    text = str(exc.message)
    if isinstance(exc, PaymentRequestError) and exc.detail:
        text = f"{text} {exc.detail}"
    settings = conf.stripe_settings()
    for secret in (settings.secret_key, settings.webhook_secret):
        if secret:
            text = text.replace(secret, conf.mask_secret(secret))
    return text


class CancelInvoiceForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept with the cancellation and printed on the credit note."),
    )
    stripe_reason = forms.ChoiceField(label=_("Reason category (Stripe)"), choices=STRIPE_REASON_CHOICES,
                                      initial="order_change")


class CreditNoteInline(admin.TabularInline):
    model = CreditNote
    extra = 0
    can_delete = False
    fields = ("number", "display_amount", "source", "reason_text", "memo", "created_by", "issued_at", "voided_at",
              "pdf_link")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("amount"))
    def display_amount(self, obj):
        return _amount(obj.amount, obj.currency)

    @admin.display(description=_("reason"))
    def reason_text(self, obj):
        return obj.get_reason_display() or "—"

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj):
        if not obj.pdf_url:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.pdf_url, _("PDF"))


@admin.register(Invoice)
class InvoiceAdmin(RecordAdmin):
    # What an administrator looks for first (who, how much, status, cancel) comes first: at 1,400 px the
    # list needs no sideways scrolling to reach it.
    list_display = ("number", "issued_at", "learner", "display_total", "display_status", "course_key", "email",
                    "display_tax", "display_discount", "currency_code", "documents")
    list_display_links = ("number",)
    list_filter = ("status", "currency", ("issued_at", admin.DateFieldListFilter))
    search_fields = ("number", "stripe_invoice_id", "user__username", "user__email", "user__first_name",
                     "user__last_name", "customer_email", "customer_name", "course_key")
    list_select_related = ("user", "order")
    actions = ["export_csv", "cancel_selected"]
    inlines = [CreditNoteInline]
    change_list_template = "admin/riseup_stripe_plugin/invoice/change_list.html"
    change_form_template = "admin/riseup_stripe_plugin/invoice/change_form.html"

    # -- permissions: invoices are Stripe's; they are read here, and corrected by credit notes --


    def has_cancel_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm(CANCEL_PERMISSION)

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if self.has_cancel_permission(request):
            columns.insert(columns.index("display_status") + 1, "cancel_link")
        return columns

    #: The invoice's page: amounts formatted with their currency, never raw minor units.
    fields = ("number", "stripe_invoice_id", "learner", "email", "course_key", "display_status", "stripe_status",
              "issued_at", "paid_at", "display_subtotal", "display_tax", "display_discount", "display_total",
              "display_amount_paid", "display_amount_refunded", "currency_code", "cancelled_at", "cancelled_by",
              "cancellation_reason", "customer_email", "customer_name", "documents", "order")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("subtotal"))
    def display_subtotal(self, obj):
        return _amount(obj.subtotal, obj.currency)

    @admin.display(description=_("amount paid"))
    def display_amount_paid(self, obj):
        return _amount(obj.amount_paid, obj.currency)

    @admin.display(description=_("amount refunded"))
    def display_amount_refunded(self, obj):
        return _amount(obj.amount_refunded, obj.currency)

    # -- columns ---------------------------------------------------------------------------

    @admin.display(description=_("learner"), ordering="user__username")
    def learner(self, obj):
        name = obj.user.get_full_name()
        return f"{name} ({obj.user.username})" if name else obj.user.username

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email or obj.customer_email

    @admin.display(description=_("total tax included"), ordering="total")
    def display_total(self, obj):
        return _amount(obj.total, obj.currency)

    @admin.display(description=_("tax"))
    def display_tax(self, obj):
        return _amount(obj.tax, obj.currency)

    @admin.display(description=_("discount (promotion code)"))
    def display_discount(self, obj):
        if not obj.discount:
            return "—"
        code = _promotion_code(obj)
        return f"{_amount(obj.discount, obj.currency)} ({code})" if code else _amount(obj.discount, obj.currency)

    @admin.display(description=_("currency"), ordering="currency")
    def currency_code(self, obj):
        return obj.currency.upper()

    @admin.display(description=_("status"), ordering="status")
    def display_status(self, obj):
        text = obj.get_status_display()
        if obj.status == "partially_refunded" and obj.amount_refunded:
            text = f"{text} ({_amount(obj.amount_refunded, obj.currency)})"
        if obj.order.dispute_status:
            return format_html('{} <strong class="riseup-dispute">{}</strong>', text,
                               _("disputed: %(status)s") % {"status": obj.order.dispute_status})
        return text

    @admin.display(description=_("documents"))
    def documents(self, obj):
        links = [(url, label) for url, label in ((obj.invoice_pdf_url, _("PDF")),
                                                 (obj.hosted_invoice_url, _("Online"))) if url]
        if not links:
            return "—"
        return format_html_join(" ", '<a href="{}" target="_blank" rel="noopener">{}</a>', links)

    @admin.display(description=_("cancel"))
    def cancel_link(self, obj):
        if obj.status not in CANCELLABLE:
            return ""
        label = _("Cancel invoice %(number)s") % {"number": obj}
        return format_html('<a class="riseup-cancel" href="{}" title="{}"><img src="{}" alt="{}"></a>',
                           reverse("admin:riseup_stripe_plugin_invoice_cancel", args=[obj.pk]), label,
                           static("admin/img/icon-deletelink.svg"), label)

    # -- pages -------------------------------------------------------------------------------

    def get_urls(self):
        def view(fn):
            # The cancel page calls Stripe: outside ATOMIC_REQUESTS' transaction (cancel_invoice asks
            # Stripe first, then writes the books in a transaction of its own).
            return transaction.non_atomic_requests(self.admin_site.admin_view(fn))

        return [
            path("cancel/", view(self.cancel_view), name="riseup_stripe_plugin_invoice_cancel_many"),
            path("export/", view(self.export_view), name="riseup_stripe_plugin_invoice_export"),
            path("dashboard/", view(self.dashboard_view), name="riseup_stripe_plugin_invoice_dashboard"),
            path("<path:object_id>/cancel/", view(self.cancel_view), name="riseup_stripe_plugin_invoice_cancel"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        return dashboard.dashboard_view(request, self)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        invoice = self.get_object(request, object_id)
        if invoice is not None and invoice.status in CANCELLABLE and self.has_cancel_permission(request):
            extra_context["cancel_url"] = reverse("admin:riseup_stripe_plugin_invoice_cancel", args=[invoice.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def cancel_view(self, request, object_id=None):
        """Confirm, then cancel one invoice or several: credit note and refund at Stripe, access revoked."""
        if not self.has_cancel_permission(request):
            raise PermissionDenied
        if object_id is not None:
            ids = [object_id]
        else:
            ids = request.POST.getlist("ids") or request.GET.get("ids", "").split(",")
        invoices = list(Invoice.objects.filter(pk__in=[i for i in ids if str(i).isdigit()])
                        .select_related("user", "order").order_by("pk"))
        changelist = reverse("admin:riseup_stripe_plugin_invoice_changelist")
        if not invoices:
            self.message_user(request, _("No invoice to cancel."), messages.WARNING)
            return HttpResponseRedirect(changelist)
        form = CancelInvoiceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            self._cancel(request, invoices, form.cleaned_data)
            if len(invoices) == 1:
                return HttpResponseRedirect(
                    reverse("admin:riseup_stripe_plugin_invoice_change", args=[invoices[0].pk]))
            return HttpResponseRedirect(changelist)
        rows = [{"invoice": invoice, "total": _amount(invoice.total, invoice.currency),
                 "refund": _amount(invoice.total - invoice.amount_refunded, invoice.currency),
                 "cancellable": invoice.status in CANCELLABLE} for invoice in invoices]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Cancel invoices") if len(invoices) > 1 else _("Cancel invoice %(number)s") % {
                "number": invoices[0]},
            "rows": rows,
            "form": form,
            "ids": [invoice.pk for invoice in invoices],
            "any_cancellable": any(row["cancellable"] for row in rows),
        }
        return TemplateResponse(request, "admin/riseup_stripe_plugin/invoice/cancel_confirmation.html", context)

    def _cancel(self, request, invoices, data):
        for invoice in invoices:
            if invoice.status not in CANCELLABLE:
                self.message_user(request, _("Invoice %(number)s is %(status)s: nothing to do.") % {
                    "number": invoice, "status": invoice.get_status_display()}, messages.INFO)
                continue
            try:
                note = cancel_invoice(invoice, actor=request.user, reason=data["reason"],
                                      stripe_reason=data["stripe_reason"])
            except RiseupStripeError as exc:
                self.message_user(request, _("Invoice %(number)s was not cancelled: %(reason)s") % {
                    "number": invoice, "reason": _safe_reason(exc)}, messages.ERROR)
                continue
            if note is None:
                self.message_user(request, _("Invoice %(number)s cancelled (nothing to refund).") % {
                    "number": invoice}, messages.SUCCESS)
            else:
                self.message_user(request, _(
                    "Invoice %(number)s cancelled: credit note %(note)s for %(amount)s issued by Stripe, "
                    "the learner is refunded and no longer has access through this purchase.") % {
                    "number": invoice, "note": note, "amount": _amount(note.amount, note.currency)},
                    messages.SUCCESS)

    @admin.action(description=_("Cancel selected invoices (credit note and refund)"), permissions=["cancel"])
    def cancel_selected(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:riseup_stripe_plugin_invoice_cancel_many')}?ids={ids}")

    # -- CSV export --------------------------------------------------------------------------

    @admin.action(description=_("Export selected invoices to CSV"))
    def export_csv(self, request, queryset):
        return self.csv_response(queryset)

    def export_view(self, request):
        """Every invoice the list shows with its current search and filters, as CSV."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:riseup_stripe_plugin_invoice_changelist"))
        return self.csv_response(changelist.queryset)

    def csv_response(self, queryset):
        invoices = list(queryset.select_related("user", "order", "cancelled_by").prefetch_related("credit_notes"))
        courses = platform.get_courses({invoice.course_key for invoice in invoices})
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="invoices.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_HEADER)
        for invoice in invoices:
            writer.writerow(self.csv_row(invoice, courses.get(invoice.course_key)))
        return response

    @staticmethod
    def csv_row(invoice, course) -> list:
        currency = invoice.currency

        def major(minor):
            return money.to_major(int(minor), currency)

        notes = " ".join(str(note) for note in invoice.credit_notes.all())
        return [
            csv_text(invoice.number), invoice.stripe_invoice_id,
            invoice.issued_at.isoformat() if invoice.issued_at else "",
            csv_text(invoice.user.username), csv_text(invoice.user.get_full_name() or invoice.customer_name),
            csv_text(invoice.user.email or invoice.customer_email), str(invoice.course_key),
            csv_text(course.display_name if course else ""), currency.upper(),
            major(invoice.subtotal), major(invoice.tax), major(invoice.discount), major(invoice.total),
            major(invoice.amount_refunded), csv_text(_promotion_code(invoice)), invoice.status,
            invoice.cancelled_at.isoformat() if invoice.cancelled_at else "",
            csv_text(invoice.cancelled_by.username if invoice.cancelled_by else ""), csv_text(notes),
            invoice.invoice_pdf_url, invoice.hosted_invoice_url,
        ]


@admin.register(CreditNote)
class CreditNoteAdmin(RecordAdmin):
    list_display = ("number", "invoice", "display_amount", "source", "reason", "created_by", "issued_at", "voided_at",
                    "pdf")
    fields = ("number", "stripe_credit_note_id", "invoice", "display_amount", "source", "reason", "memo",
              "refund_id", "created_by", "issued_at", "voided_at", "pdf")

    def get_readonly_fields(self, request, obj=None):
        return self.fields
    list_filter = ("source", "currency", "reason")
    search_fields = ("number", "stripe_credit_note_id", "invoice__number", "invoice__user__username",
                     "invoice__user__email", "memo")
    list_select_related = ("invoice", "created_by")


    @admin.display(description=_("amount"), ordering="amount")
    def display_amount(self, obj):
        return _amount(obj.amount, obj.currency)

    @admin.display(description=_("PDF"))
    def pdf(self, obj):
        if not obj.pdf_url:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.pdf_url, _("PDF"))
