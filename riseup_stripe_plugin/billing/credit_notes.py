"""Credit notes: which of Stripe's are live, which are our cancellations, and our copy of each, stored once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from ..models import CreditNote, Invoice
from ..stripe_gateway import StripeGateway, object_id, timestamp

#: Credit note metadata naming the invoice a cancellation was made for, and who made it.
CANCELLATION_KEY = "riseup_cancellation"
ACTOR_KEY = "riseup_actor"

def live_credit_notes(gateway: StripeGateway, invoice_id: str) -> list[dict]:
    """The credit notes of an invoice at Stripe, voided ones left out."""
    return [note for note in gateway.list_credit_notes(invoice_id) if note.get("status") != "void"]


def is_cancellation(note: dict, invoice: Invoice) -> bool:
    return (note.get("metadata") or {}).get(CANCELLATION_KEY) == invoice.stripe_invoice_id


def actor_from(note: dict):
    value = str((note.get("metadata") or {}).get(ACTOR_KEY) or "")
    return get_user_model().objects.filter(pk=int(value)).first() if value.isdigit() else None


def store_credit_note(invoice: Invoice, data: dict, *, actor=None) -> CreditNote:
    """Our copy of a Stripe credit note, stored once by its id."""
    existing = CreditNote.objects.filter(stripe_credit_note_id=data["id"]).first()
    if existing is not None:
        return existing
    ours = is_cancellation(data, invoice)
    refunds = [object_id(entry.get("refund")) for entry in data.get("refunds") or [] if isinstance(entry, dict)]
    fields = {
        "invoice": invoice,
        "number": data.get("number") or "",
        "amount": int(data.get("amount") or 0),
        "currency": (data.get("currency") or invoice.currency).lower(),
        "refund_id": ",".join(filter(None, refunds))[:255],
        "reason": data.get("reason") or "",
        "memo": data.get("memo") or "",
        "pdf_url": data.get("pdf") or "",
        "source": CreditNote.Source.ADMIN if ours else CreditNote.Source.STRIPE,
        "created_by": (actor or actor_from(data)) if ours else None,
        "issued_at": timestamp(data.get("effective_at") or data.get("created")),
    }
    try:
        with transaction.atomic():
            return CreditNote.objects.create(stripe_credit_note_id=data["id"], **fields)
    except IntegrityError:  # the webhook and the administrator's request stored it at once
        return CreditNote.objects.get(stripe_credit_note_id=data["id"])
