"""Invoices Stripe issues after payment, kept in step in our own table."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from ..exceptions import NeedsAttention
from ..models import Invoice, InvoiceStatus, Order
from ..stripe_gateway import StripeGateway, timestamp

log = logging.getLogger(__name__)

#: Statuses set locally (cancellation, refunds) that a later Stripe update must not undo.
LOCAL_FINAL = {InvoiceStatus.CANCELLED, InvoiceStatus.PARTIALLY_REFUNDED}


def order_for_invoice(data: dict) -> Order | None:
    """The order an invoice belongs to: by the metadata we set, else by its id."""
    ref = (data.get("metadata") or {}).get("riseup_order")
    if ref:
        return Order.by_reference(ref)
    return Order.objects.filter(stripe_invoice_id=data.get("id") or "-").first()


def sum_amounts(items) -> int:
    """The total of a Stripe list of ``{"amount": ...}`` entries (taxes, discounts), in minor units."""
    return sum(int(item.get("amount") or 0) for item in items or [])


def invoice_fields(data: dict) -> dict:
    stripe_status = data.get("status") or ""
    return {
        "number": data.get("number") or "",
        "stripe_status": stripe_status,
        "status": stripe_status if stripe_status in InvoiceStatus.values else InvoiceStatus.OPEN,
        "currency": (data.get("currency") or "").lower(),
        "subtotal": int(data.get("subtotal") or 0),
        "tax": sum_amounts(data.get("total_taxes")),
        "discount": sum_amounts(data.get("total_discount_amounts")),
        "total": int(data.get("total") or 0),
        "amount_paid": int(data.get("amount_paid") or 0),
        "customer_email": data.get("customer_email") or "",
        "customer_name": data.get("customer_name") or "",
        "buyer_country": str((data.get("customer_address") or {}).get("country") or "").upper()[:2],
        "hosted_invoice_url": data.get("hosted_invoice_url") or "",
        "invoice_pdf_url": data.get("invoice_pdf") or "",
        "issued_at": timestamp(data.get("created")),
        "paid_at": timestamp((data.get("status_transitions") or {}).get("paid_at")),
    }


def invoice_names_order(data: dict, order: Order) -> bool:
    """Whether the invoice is this order's, by the same rule as :func:`order_for_invoice`."""
    ref = (data.get("metadata") or {}).get("riseup_order")
    return str(order.uuid) == str(ref) if ref else bool(data.get("id")) and order.stripe_invoice_id == data.get("id")


def record_invoice(data: dict, order: Order | None = None) -> Invoice | None:
    """
    Create or update our copy of a Stripe invoice; None when it is not one of ours.

    ``order``: the order the caller holds (fulfilment), used when the invoice names it, which spares
    reading it again before its lock.
    """
    order = order if order is not None and invoice_names_order(data, order) else order_for_invoice(data)
    if order is None:
        log.info("Stripe invoice %s belongs to no order of ours; ignored.", data.get("id"))
        return None
    fields = invoice_fields(data)
    try:
        with transaction.atomic():
            # The order's row lock serializes every writer of this order's invoice (webhook, return page):
            # without it, two inserts of the same invoice deadlock on MySQL's duplicate-key locks. The
            # same query says which invoice the order has, so a new one is one INSERT, with no savepoint.
            order = order.locked(with_invoice=True)
            if order.invoice_stripe_id is None:
                invoice = insert_invoice(order, data["id"], fields, order.promotion_code)
                if not order.stripe_invoice_id:
                    link_invoice(order, data["id"])
                return invoice
            if order.invoice_stripe_id == data["id"]:
                return _update_invoice(Invoice.objects.select_for_update().get(stripe_invoice_id=data["id"]),
                                       order, fields)
    except IntegrityError:
        pass  # the invoice is stored under another order (an unusual mapping): the general path below says what to do
    return _record_invoice_checked(data, order, fields)


def insert_invoice(order: Order, invoice_id: str, fields: dict, promotion_code: str) -> Invoice:
    """The order's invoice, in one INSERT; the caller holds the order's row lock."""
    return Invoice.objects.create(order=order, user_id=order.user_id, course_key=order.course_key,
                                  stripe_invoice_id=invoice_id, promotion_code=promotion_code, **fields)


def link_invoice(order: Order, invoice_id: str) -> None:
    """The order names its invoice, unless it already names one."""
    Order.objects.filter(pk=order.pk, stripe_invoice_id="").update(stripe_invoice_id=invoice_id)


def _update_invoice(invoice: Invoice, order: Order, fields: dict) -> Invoice:
    if invoice.status in LOCAL_FINAL:
        fields.pop("status")
    if not invoice.promotion_code and order.promotion_code:
        fields["promotion_code"] = order.promotion_code
    for name, value in fields.items():
        setattr(invoice, name, value)
    invoice.save()
    return invoice


def _record_invoice_checked(data: dict, order: Order, fields: dict) -> Invoice:
    """The order has another invoice, or this one is stored elsewhere: each step checked against the unique keys."""
    with transaction.atomic():
        order = order.locked()
        invoice = Invoice.objects.select_for_update().filter(stripe_invoice_id=data["id"]).first()
        if invoice is None:
            try:
                with transaction.atomic():
                    invoice = insert_invoice(order, data["id"], fields, order.promotion_code)
            except IntegrityError as exc:  # the other delivery path stored it a moment ago...
                invoice = Invoice.objects.select_for_update().filter(stripe_invoice_id=data["id"]).first()
                if invoice is None:  # ...or the order has another invoice: Stripe's "Duplicate" copies metadata
                    other = Invoice.objects.filter(order=order).values_list("stripe_invoice_id", flat=True).first()
                    raise NeedsAttention(detail=f"Stripe invoice {data['id']} names order {order.uuid}, which already "
                                                f"has invoice {other}; not recorded") from exc
            else:
                if not order.stripe_invoice_id:
                    link_invoice(order, data["id"])
                return invoice
        return _update_invoice(invoice, order, fields)


def invoice_for_order(order: Order, gateway: StripeGateway) -> Invoice | None:
    invoice = Invoice.objects.filter(order=order).select_related("order").first()
    if invoice is None and order.stripe_invoice_id:  # the invoice's own webhook is late or lost
        invoice = record_invoice(gateway.retrieve_invoice(order.stripe_invoice_id))
    return invoice

