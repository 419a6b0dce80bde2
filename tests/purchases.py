"""Helpers shared by the cancellation, refund, dispute and admin tests: a purchase paid through the emulator."""

from django.urls import reverse

from riseup_stripe_plugin.models import Invoice, StripeEvent
from riseup_stripe_plugin.states import OrderState

from .conftest import wait_for
from .test_purchase_journey import buy, fulfilled


def paid_purchase(client, stripe, learner, course, *, webhooks=True, payer_name=None):
    """Buy, pay and wait until the order is fulfilled and its paid invoice stored; returns (order, invoice)."""
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id, name=payer_name)
    if webhooks:
        wait_for(fulfilled(order), message="the webhook to fulfil the order")
    else:
        client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}")
        order.refresh_from_db()
        assert order.state == OrderState.FULFILLED
    invoice = wait_for(lambda: Invoice.objects.filter(order=order, stripe_status="paid").first(),
                       message="the paid invoice")
    if webhooks:
        # Let the purchase's own webhooks finish, so later assertions see only what the test caused.
        wait_for(lambda: StripeEvent.objects.filter(type="invoice.paid", processed=True,
                                                    object_id=invoice.stripe_invoice_id).exists(),
                 message="the invoice.paid webhook")
    return order, invoice


def charge_id(stripe, order) -> str:
    return stripe.client().v1.payment_intents.retrieve(order.payment_intent_id).latest_charge


def cancel_url(invoice) -> str:
    return reverse("admin:riseup_stripe_plugin_invoice_cancel", args=[invoice.pk])


def processed(event_type, object_id):
    """A predicate: the webhook of this type about this object was processed."""
    return lambda: StripeEvent.objects.filter(type=event_type, object_id=object_id, processed=True).exists()


def invoice_status(invoice, status):
    """A predicate: the invoice, re-read, has this status."""
    def check():
        invoice.refresh_from_db()
        return invoice.status == status
    return check
