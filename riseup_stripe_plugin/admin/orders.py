"""Orders and Stripe events: read-only records, with the actions recovery needs (release, retry, process again)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .. import money
from ..exceptions import FulfilmentError
from ..models import EventStatus, Order, StripeEvent
from ..orders.fulfilment import release_flagged, retry_fulfilment
from ..states import OrderState
from ..webhooks.processing import process_again
from .base import OutsideRequestTransaction, RecordAdmin

#: A PAID order whose enrollment failed: paid, not enrolled, and the error kept.
FULFILMENT_FAILED = Q(state=OrderState.PAID) & ~Q(last_error="")


class FulfilmentFilter(admin.SimpleListFilter):
    title = _("fulfilment")
    parameter_name = "fulfilment"

    def lookups(self, request, model_admin):
        return [("failed", _("Paid, enrollment failed"))]

    def queryset(self, request, queryset):
        return queryset.filter(FULFILMENT_FAILED) if self.value() == "failed" else queryset


@admin.register(Order)
class OrderAdmin(OutsideRequestTransaction, RecordAdmin):
    list_display = ("uuid", "user", "course_key", "state", "display_amount", "dispute_status", "fulfilment_problem",
                    "created")
    list_filter = ("state", FulfilmentFilter, "currency", "dispute_status")
    search_fields = ("uuid", "user__username", "user__email", "course_key", "checkout_session_id")
    raw_id_fields = ("user", "offer")
    change_form_template = "admin/riseup_stripe_plugin/order/change_form.html"

    actions = ["release_flagged", "retry_fulfilment"]

    @admin.display(description=_("amount"))
    def display_amount(self, obj):
        return money.format_amount(obj.amount, obj.currency)

    @admin.display(description=_("fulfilment problem"))
    def fulfilment_problem(self, obj):
        return obj.last_error if obj.state == OrderState.PAID and obj.last_error else ""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or not self.fulfilment_problem(obj):
            return fields
        # Read-only fields come last by default: a fulfilment problem moves to the top, shown once.
        return ["fulfilment_problem", *(name for name in fields if name != "fulfilment_problem")]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "fulfilment_problem"]

    @admin.action(description=_("Payment checked: enroll the learners of the selected flagged orders"),
                  permissions=["change"])
    def release_flagged(self, request, queryset):
        released = 0
        for order in queryset.filter(state=OrderState.FLAGGED):
            try:
                release_flagged(order)
            except FulfilmentError as exc:
                self.message_user(request, _("Order %(order)s: %(reason)s") % {"order": order.uuid,
                                                                               "reason": exc.detail},
                                  messages.ERROR)
            else:
                released += 1
        self.message_user(request, _("%(count)d flagged order(s) released.") % {"count": released})

    @admin.action(description=_("Retry fulfilment of the selected paid orders"), permissions=["change"])
    def retry_fulfilment(self, request, queryset):
        done = 0
        for order in queryset.filter(state=OrderState.PAID):
            if self._retry(request, order):
                done += 1
        self.message_user(request, _("%(count)d paid order(s) fulfilled.") % {"count": done})

    def _retry(self, request, order) -> bool:
        try:
            order = retry_fulfilment(order)
        except FulfilmentError as exc:
            self.message_user(request, _("Order %(order)s is still not fulfilled: %(reason)s") % {
                "order": order.uuid, "reason": exc.detail}, messages.ERROR)
            return False
        return order.state == OrderState.FULFILLED

    def get_urls(self):
        return [
            path("<path:object_id>/retry-fulfilment/",
                 transaction.non_atomic_requests(self.admin_site.admin_view(self.retry_fulfilment_view)),
                 name="riseup_stripe_plugin_order_retry_fulfilment"),
            *super().get_urls(),
        ]

    def retry_fulfilment_view(self, request, object_id):
        """The change page's "Retry fulfilment" button (POST): enroll the learner of this paid order."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=object_id)
        if self._retry(request, order):
            self.message_user(request, _("Order %(order)s fulfilled: the learner is enrolled.") % {
                "order": order.uuid}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:riseup_stripe_plugin_order_change", args=[order.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        order = self.get_object(request, object_id)
        if order is not None and self.fulfilment_problem(order) and self.has_change_permission(request, order):
            extra_context["retry_fulfilment_url"] = reverse("admin:riseup_stripe_plugin_order_retry_fulfilment",
                                                            args=[order.pk])
        return super().change_view(request, object_id, form_url, extra_context)


#: Each status of :class:`EventStatus` as a filter on the stored fields.
STATUS_FILTERS = {
    EventStatus.PROCESSED: Q(processed=True, ignored=False),
    EventStatus.IGNORED: Q(processed=True, ignored=True),
    EventStatus.NEEDS_ATTENTION: Q(processed=False, needs_attention=True),
    EventStatus.RETRYING: Q(processed=False, needs_attention=False) & ~Q(error=""),
    EventStatus.QUEUED: Q(processed=False, needs_attention=False, error="", queued_at__isnull=False),
    EventStatus.RECEIVED: Q(processed=False, needs_attention=False, error="", queued_at__isnull=True),
}


class EventStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return EventStatus.choices

    def queryset(self, request, queryset):
        condition = STATUS_FILTERS.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


@admin.register(StripeEvent)
class StripeEventAdmin(OutsideRequestTransaction, RecordAdmin):
    list_display = ("event_id", "type", "display_status", "short_error", "attempts", "outcome", "warning",
                    "received_at", "last_attempt_at")
    list_filter = (EventStatusFilter, "type", "livemode")
    search_fields = ("event_id", "object_id")
    actions = ["process_again"]

    @admin.display(description=_("status"))
    def display_status(self, obj):
        return EventStatus(obj.status).label

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.error[:200]

    @admin.action(description=_("Process again"), permissions=["change"])
    def process_again(self, request, queryset):
        """Run the selected events once more (once their cause is fixed); processed ones are left alone."""
        for event_id, run in process_again(queryset.order_by("received_at", "pk")).items():
            if run.ok:
                self.message_user(request, _("Event %(event)s: %(outcome)s") % {"event": event_id,
                                                                                "outcome": run.outcome},
                                  messages.SUCCESS)
            else:
                self.message_user(request, _("Event %(event)s still fails: %(error)s") % {
                    "event": event_id, "error": run.outcome}, messages.ERROR)
