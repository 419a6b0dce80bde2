"""API representations: amounts as integer minor units, plus a formatted string for people."""

from rest_framework import serializers

from .. import money
from ..models import CreditNote, Invoice


class CreditNoteSerializer(serializers.ModelSerializer):
    """A credit note as the learner sees it: what it is worth and where its PDF is."""

    id = serializers.CharField(source="stripe_credit_note_id")
    amount_display = serializers.SerializerMethodField()
    date = serializers.DateTimeField(source="issued_at")

    class Meta:
        model = CreditNote
        fields = ["id", "number", "amount", "currency", "amount_display", "date", "pdf_url"]

    def get_amount_display(self, obj):
        return money.format_amount(obj.amount, obj.currency)


class InvoiceSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="stripe_invoice_id")
    course_id = serializers.CharField(source="course_key")
    course_name = serializers.SerializerMethodField()
    total_display = serializers.SerializerMethodField()
    date = serializers.DateTimeField(source="issued_at")
    pdf_url = serializers.CharField(source="invoice_pdf_url")
    status_display = serializers.CharField(source="get_status_display")
    credit_notes = CreditNoteSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id", "number", "course_id", "course_name", "date", "status", "currency", "subtotal", "tax",
            "discount", "total", "total_display", "amount_refunded", "hosted_invoice_url", "pdf_url",
            "status_display", "cancelled_at", "credit_notes",
        ]

    def get_course_name(self, obj):
        course = (self.context.get("courses") or {}).get(obj.course_key)
        return course.display_name if course else str(obj.course_key)

    def get_total_display(self, obj):
        return money.format_amount(obj.total, obj.currency)


#: The fields of a catalog course, in this order (the catalog API's documented shape).
CATALOG_COURSE_FIELDS = (
    "course_id", "title", "org", "image_url", "about_url", "start", "is_paid", "price", "currency", "price_display",
    "purchasable", "reason", "reason_message", "purchase_url", "enrolled", "bought",
)

_DATETIME = serializers.DateTimeField()  # DRF's own rendering of a date (ISO 8601, current time zone, "Z")


def _text(value):
    return None if value is None else str(value)


def catalog_courses_data(entries, request=None) -> list[dict]:
    """
    The page's catalog courses (``catalog.CatalogEntry``) as the API answers them: the price tax included
    in minor units, and formatted.

    Plain dicts built directly rather than through a DRF ``Serializer``: a page is 20 to 100 rows of 16
    read-only fields, and the field machinery (copying the fields, looking each attribute up by its
    dotted source) cost more than the rest of the page's Python together.
    """
    absolute = request.build_absolute_uri if request is not None else None
    # The request's scheme and host, found once: a path of the LMS (what reverse() and the course id's own
    # quoting give, ASCII already) gets it in front, as build_absolute_uri would put it, without its per-call
    # parsing; anything else goes through build_absolute_uri.
    origin = absolute("/")[:-1] if absolute is not None else ""

    def url(value):
        if absolute is None or not value:
            return value
        if value.startswith("/") and not value.startswith("//") and "/." not in value and value.isascii():
            return origin + value
        return absolute(value)

    data = []
    for entry in entries:
        course = entry.course
        reason = entry.reason
        data.append({
            "course_id": str(course.course_key),
            "title": _text(course.display_name),
            "org": _text(course.org),
            "image_url": _text(course.image_url),
            "about_url": url(course.about_url),
            "start": _DATETIME.to_representation(course.start),
            "is_paid": entry.is_paid,
            "price": entry.price,
            "currency": entry.currency,
            "price_display": str(entry.price_display),
            "purchasable": entry.purchasable,
            "reason": reason,
            "reason_message": str(entry.decision.message) if reason else "",
            "purchase_url": url(entry.purchase_url) or None,
            "enrolled": bool(entry.enrolled),
            "bought": bool(entry.bought),
        })
    return data
