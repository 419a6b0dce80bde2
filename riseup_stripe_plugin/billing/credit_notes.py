"""Credit notes: which of Stripe's are live, which are our cancellations, and our copy of each, stored once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import CreditNote, Invoice
from ..orders import analytics
from ..stripe_gateway import StripeGateway, object_id, timestamp
from .invoices import sum_amounts

#: Credit note metadata naming the invoice a cancellation was made for, and who made it.
CANCELLATION_KEY = "riseup_cancellation"
ACTOR_KEY = "riseup_actor"
#: Credit note metadata naming the refund made in Stripe a credit note was issued for (see ``coverage``).
REFUND_KEY = "riseup_refund"

def live_credit_notes(gateway: StripeGateway, invoice_id: str) -> list[dict]:
    """The credit notes of an invoice at Stripe, voided ones left out."""
    return [note for note in gateway.list_credit_notes(invoice_id) if note.get("status") != "void"]


def is_cancellation(note: dict, invoice: Invoice) -> bool:
    return (note.get("metadata") or {}).get(CANCELLATION_KEY) == invoice.stripe_invoice_id


def actor_from(note: dict):
    value = str((note.get("metadata") or {}).get(ACTOR_KEY) or "")
    return get_user_model().objects.filter(pk=int(value)).first() if value.isdigit() else None


def source_of(note: dict, invoice: Invoice) -> str:
    if is_cancellation(note, invoice):
        return CreditNote.Source.ADMIN
    if (note.get("metadata") or {}).get(REFUND_KEY):
        return CreditNote.Source.REFUND
    return CreditNote.Source.STRIPE


def store_credit_note(invoice: Invoice, data: dict, *, actor=None) -> CreditNote:
    """Our copy of a Stripe credit note, stored once by its id; a void is recorded on it."""
    voided_at = (timestamp(data.get("voided_at")) or timezone.now()) if data.get("status") == "void" else None
    existing = CreditNote.objects.filter(stripe_credit_note_id=data["id"]).first()
    if existing is not None:
        if voided_at and existing.voided_at is None:
            CreditNote.objects.filter(pk=existing.pk, voided_at=None).update(voided_at=voided_at)
            existing.voided_at = voided_at
        return existing
    ours = is_cancellation(data, invoice)
    refunds = [object_id(entry.get("refund")) for entry in data.get("refunds") or [] if isinstance(entry, dict)]
    fields = {
        "invoice": invoice,
        "number": data.get("number") or "",
        "amount": int(data.get("amount") or 0),
        "tax": sum_amounts(data.get("total_taxes")),
        "currency": (data.get("currency") or invoice.currency).lower(),
        "refund_id": ",".join(filter(None, refunds))[:255],
        "reason": data.get("reason") or "",
        "memo": data.get("memo") or "",
        "pdf_url": data.get("pdf") or "",
        "source": source_of(data, invoice),
        "created_by": (actor or actor_from(data)) if ours else None,
        "issued_at": timestamp(data.get("effective_at") or data.get("created")),
        "voided_at": voided_at,
    }
    try:
        with transaction.atomic():
            note = CreditNote.objects.create(stripe_credit_note_id=data["id"], **fields)
    except IntegrityError:  # the webhook and the administrator's request stored it at once
        return CreditNote.objects.get(stripe_credit_note_id=data["id"])
    analytics.credit_note_issued(invoice.order, note)
    return note
