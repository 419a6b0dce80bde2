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


class CatalogCourseSerializer(serializers.Serializer):
    """One catalog course (a ``catalog.CatalogEntry``): the price tax included in minor units, and formatted."""

    course_id = serializers.SerializerMethodField()
    title = serializers.CharField(source="course.display_name")
    org = serializers.CharField(source="course.org")
    image_url = serializers.CharField(source="course.image_url")
    about_url = serializers.SerializerMethodField()
    start = serializers.DateTimeField(source="course.start")
    is_paid = serializers.BooleanField()
    price = serializers.IntegerField()
    currency = serializers.CharField()
    price_display = serializers.CharField()
    purchasable = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)
    reason_message = serializers.CharField()
    purchase_url = serializers.SerializerMethodField()
    enrolled = serializers.BooleanField()
    bought = serializers.BooleanField()

    def get_course_id(self, entry):
        return str(entry.course.course_key)

    def _absolute(self, url):
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None and url else url

    def get_about_url(self, entry):
        return self._absolute(entry.course.about_url)

    def get_purchase_url(self, entry):
        return self._absolute(entry.purchase_url) or None
