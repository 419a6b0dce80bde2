"""What the plugin's record-keeping admins share."""

from django.contrib import admin
from django.db import transaction

#: What a spreadsheet reads as the start of a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value) -> str:
    """A text cell of an exported CSV that a spreadsheet will not run as a formula."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class RecordAdmin(admin.ModelAdmin):
    """
    Financial and audit records: shown, searched and exported, never added or deleted by hand.

    Orders, invoices, credit notes, Stripe events and back-office enrollments
    are written by the plugin's own processes; a mistake is corrected by a new
    record (a credit note, a cancellation), not by editing the old one.
    """

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Nothing on the page can be changed: no Save buttons."""
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                         "show_save_and_add_another": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OutsideRequestTransaction:
    """
    An admin whose pages and actions call Stripe or the platform's enrollment: outside ATOMIC_REQUESTS.

    Each step it runs (processing an event, fulfilling an order) commits in its own short
    transaction, as the webhook does; a Stripe call never waits inside the request's transaction.
    """

    def get_urls(self):
        urls = super().get_urls()
        for pattern in urls:
            pattern.callback = transaction.non_atomic_requests(pattern.callback)
        return urls
