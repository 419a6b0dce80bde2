"""API representations: amounts as integer minor units, plus a formatted string for people."""

from rest_framework import serializers

from .. import money
from ..models import Invoice


class InvoiceSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="stripe_invoice_id")
    course_id = serializers.CharField(source="course_key")
    course_name = serializers.SerializerMethodField()
    total_display = serializers.SerializerMethodField()
    date = serializers.DateTimeField(source="issued_at")
    pdf_url = serializers.CharField(source="invoice_pdf_url")

    class Meta:
        model = Invoice
        fields = [
            "id", "number", "course_id", "course_name", "date", "status", "currency", "subtotal", "tax",
            "discount", "total", "total_display", "amount_refunded", "hosted_invoice_url", "pdf_url",
        ]

    def get_course_name(self, obj):
        course = (self.context.get("courses") or {}).get(obj.course_key)
        return course.display_name if course else str(obj.course_key)

    def get_total_display(self, obj):
        return money.format_amount(obj.total, obj.currency)
