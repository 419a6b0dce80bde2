"""
Refunds and credit notes made in the Stripe Dashboard, as their webhooks bring them.

The handlers re-read the objects from Stripe and converge on the same end
state whatever the order of arrival (see ``settlement``).
"""

from __future__ import annotations

from django.db import transaction

from ..models import Invoice, Order
from ..orders.access import end_order
from ..stripe_gateway import StripeGateway, object_id
from .charges import may_be_ours, order_for_payment_intent
from .invoices import invoice_for_order
from .settlement import reconcile_invoice


def record_refund(charge: dict, gateway: StripeGateway) -> str:
    """``charge.refunded``: ``charge`` freshly retrieved from Stripe."""
    order = order_for_payment_intent(object_id(charge.get("payment_intent")), gateway)
    if order is None:
        return "ignored: charge of no order of ours"
    invoice = invoice_for_order(order, gateway)
    if invoice is not None:
        return reconcile_invoice(invoice, gateway, charge=charge)
    if int(charge.get("amount_refunded") or 0) >= int(charge.get("amount") or 0) > 0:
        with transaction.atomic():
            end_order(order)
        return f"order {order.uuid}: cancelled (no invoice)"
    return f"order {order.uuid}: partial refund, no invoice to record it on"


def record_credit_note(data: dict, gateway: StripeGateway) -> str:
    """``credit_note.created`` / ``voided``: ``data`` freshly retrieved from Stripe."""
    invoice_id = object_id(data.get("invoice"))
    invoice = Invoice.objects.filter(stripe_invoice_id=invoice_id or "-").select_related("order").first()
    if invoice is None:
        order = Order.objects.filter(stripe_invoice_id=invoice_id or "-").first()
        invoice = invoice_for_order(order, gateway) if order else None
    if invoice is None:
        return "ignored: credit note on no invoice of ours"
    return reconcile_invoice(invoice, gateway, voided=data if data.get("status") == "void" else None)


def handle_charge_refunded(event: dict, gateway: StripeGateway) -> str:
    obj = event["data"]["object"]
    if not may_be_ours(obj) or order_for_payment_intent(object_id(obj.get("payment_intent")), gateway) is None:
        return "ignored: charge of no order of ours"
    return record_refund(gateway.retrieve_charge(obj["id"]), gateway)


def handle_credit_note(event: dict, gateway: StripeGateway) -> str:
    obj = event["data"]["object"]
    invoice_id = object_id(obj.get("invoice")) or "-"
    if not (Invoice.objects.filter(stripe_invoice_id=invoice_id).exists()
            or Order.objects.filter(stripe_invoice_id=invoice_id).exists()):
        return "ignored: credit note on no invoice of ours"
    return record_credit_note(gateway.retrieve_credit_note(obj["id"]), gateway)
