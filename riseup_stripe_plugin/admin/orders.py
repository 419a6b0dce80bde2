"""Orders and Stripe events: read-only records, with the one action a flagged order needs."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .. import money
from ..exceptions import FulfilmentError
from ..models import Order, StripeEvent
from ..orders.fulfilment import release_flagged
from ..states import OrderState
from .base import RecordAdmin


@admin.register(Order)
class OrderAdmin(RecordAdmin):
    list_display = ("uuid", "user", "course_key", "state", "display_amount", "dispute_status", "created")
    list_filter = ("state", "currency", "dispute_status")
    search_fields = ("uuid", "user__username", "user__email", "course_key", "checkout_session_id")
    raw_id_fields = ("user", "offer")


    actions = ["release_flagged"]

    @admin.display(description=_("amount"))
    def display_amount(self, obj):
        return money.format_amount(obj.amount, obj.currency)

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


@admin.register(StripeEvent)
class StripeEventAdmin(RecordAdmin):
    list_display = ("event_id", "type", "processed", "ignored", "outcome", "warning", "attempts", "received_at")
    list_filter = ("type", "processed", "ignored")
    search_fields = ("event_id", "object_id")
