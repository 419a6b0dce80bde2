"""
Every refund has its credit note: a refund made in the Stripe Dashboard gets one issued by the plugin.

A bare refund leaves a paid invoice uncorrected: the books would hold the
invoice and the money going back, but no *facture d'avoir*. When a refund is
not covered by a live credit note (linked to it, or out of band), the plugin
issues one linked to that very refund (``refunds[]``), so Stripe refunds nothing
a second time. One credit note per refund, its idempotency key naming the
refund and the amount: two deliveries racing issue it once. Called outside any
transaction: this module calls Stripe.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.utils.translation import gettext

from ..models import Invoice
from ..stripe_gateway import StripeGateway, object_id
from .credit_notes import REFUND_KEY

log = logging.getLogger(__name__)

#: Refund statuses in which the money has left (or is leaving) the merchant.
LIVE_REFUND_STATUSES = ("succeeded", "pending")

#: Stripe credit note reasons matching a refund's reason; others get none.
REASON_FOR_REFUND = {"duplicate": "duplicate", "fraudulent": "fraudulent"}


def uncovered_refunds(charge: dict, notes: list[dict], gateway: StripeGateway) -> list[tuple[dict, int]]:
    """
    The charge's refunds no live credit note covers, oldest first, with the amount missing.

    A note covers a refund by linking it, or out of band (a cancellation that found the
    money already refunded records it so); out-of-band amounts cover the oldest refunds.
    Stripe is asked for the refunds only when the charge says something is uncovered.
    """
    linked = Counter()
    spare = 0
    for note in notes:
        spare += int(note.get("out_of_band_amount") or 0)
        for entry in note.get("refunds") or []:
            if isinstance(entry, dict):
                linked[object_id(entry.get("refund"))] += int(entry.get("amount_refunded") or 0)
    if int(charge.get("amount_refunded") or 0) <= sum(linked.values()) + spare:
        return []
    refunds = sorted(gateway.list_refunds(charge["id"]), key=lambda r: (int(r.get("created") or 0), r["id"]))
    missing = []
    for refund in refunds:
        if refund.get("status") not in LIVE_REFUND_STATUSES:
            continue
        amount = int(refund.get("amount") or 0) - linked[refund["id"]]
        absorbed = min(spare, max(amount, 0))
        spare -= absorbed
        if amount - absorbed > 0:
            missing.append((refund, amount - absorbed))
    return missing


def cover_refunds(invoice: Invoice, charge: dict | None, notes: list[dict], gateway: StripeGateway) -> list[dict]:
    """Issue a credit note for each refund left uncovered; returns the new credit notes."""
    if not charge or invoice.total <= 0:
        return []
    creditable = invoice.total - sum(int(note.get("amount") or 0) for note in notes)
    issued = []
    for refund, amount in uncovered_refunds(charge, notes, gateway):
        amount = min(amount, creditable)
        if amount <= 0:
            log.warning("Refund %s on invoice %s exceeds what the invoice can still credit", refund["id"], invoice)
            break
        note = gateway.create_credit_note(
            invoice.stripe_invoice_id, amount,
            refunds=[{"refund": refund["id"], "amount_refunded": amount}],
            reason=REASON_FOR_REFUND.get(refund.get("reason") or "", ""),
            memo=gettext("Refund {refund} made in Stripe.").format(refund=refund["id"]),
            metadata={REFUND_KEY: refund["id"], "riseup_order": str(invoice.order.uuid)},
            idempotency_key=f"riseup-refund-note-{refund['id']}-{amount}",
        )
        log.info("Credit note %s issued on invoice %s for refund %s (%s)", note.get("id"), invoice, refund["id"],
                 amount)
        creditable -= amount
        issued.append(note)
    return issued
