"""Stripe unreachable at purchase start, at cancel, during reconciliation: a clear error, no change, then success."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from riseup_stripe_plugin.models import CreditNote, Invoice, InvoiceStatus, Order, StripeCustomer
from riseup_stripe_plugin.states import OPEN_STATES, OrderState
from riseup_stripe_plugin.stripe_gateway import StripeGateway
from sandbox.platform import enrollment
from sandbox.platform.models import CourseEnrollment

from .. import factories
from ..purchases import cancel_url, paid_purchase
from ..test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)


def books():
    """What a learner or an accountant would see change."""
    return (
        sorted(Order.objects.exclude(state__in=OPEN_STATES - {OrderState.AWAITING_PAYMENT}).values_list(
            "uuid", "state", "checkout_session_id")),
        sorted(Invoice.objects.values_list("stripe_invoice_id", "status", "amount_refunded")),
        CreditNote.objects.count(),
        sorted(CourseEnrollment.objects.filter(is_active=True).values_list("user_id", "course_id")),
    )


def test_at_purchase_start(client, stripe, figure):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    client.force_login(learner)
    before = books()
    stripe.unreachable()
    response = client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)}))
    text = response.content.decode()
    assert response.status_code == 503 and "Stripe cannot be reached right now. Nothing was charged" in text
    assert books() == before
    assert not Order.objects.filter(user=learner).exclude(state=OrderState.CREATED).exists()
    assert not Order.objects.filter(user=learner, checkout_session_id__isnull=False).exists()
    leftover = list(Order.objects.filter(user=learner).values_list("state", flat=True))
    stripe.clear_faults()
    order = buy(client, learner, course)  # once it is back
    assert order.state == OrderState.AWAITING_PAYMENT and Order.objects.filter(user=learner).count() == 1
    # Checkout makes a new learner's Customer when they pay; nothing half-made was stored for it.
    assert StripeCustomer.objects.filter(user=learner).count() == 0
    session = StripeGateway().retrieve_checkout_session(order.checkout_session_id)
    assert session["customer_creation"] == "always" and session["customer_email"] == learner.email
    figure("unreachable-purchase", f"HTTP {response.status_code} with a message; orders with a checkout: 0; "
           f"order rows left: {leftover}; once back: 1 order awaiting payment")


def test_at_cancel(client, admin_client, stripe, figure):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    before = books()
    stripe.unreachable()
    response = admin_client.post(cancel_url(invoice), {"reason": "asked by email", "stripe_reason": "order_change"},
                                 follow=True)
    assert response.status_code == 200 and "was not cancelled" in response.content.decode()
    assert books() == before
    assert enrollment.is_enrolled(learner, course.id)
    stripe.clear_faults()
    response = admin_client.post(cancel_url(invoice), {"reason": "asked by email", "stripe_reason": "order_change"},
                                 follow=True)
    assert "cancelled: credit note" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and not enrollment.is_enrolled(learner, course.id)
    assert CreditNote.objects.filter(invoice=invoice).count() == 1
    figure("unreachable-cancel", "admin told 'was not cancelled'; invoice, credit notes, enrollment unchanged; "
           "once back: cancelled with 1 credit note, learner unenrolled")


def test_during_reconciliation(client, stripe, figure):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    before = books()
    stripe.unreachable()
    with pytest.raises(CommandError) as excinfo:
        call_command("riseup_stripe_reconcile", "--commit", "--no-progress")
    message = str(excinfo.value)
    assert "Stripe could not be asked" in message and "run the command again" in message
    assert books() == before
    stripe.clear_faults()
    call_command("riseup_stripe_reconcile", "--commit", "--no-progress")
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED and enrollment.is_enrolled(learner, course.id)
    figure("unreachable-reconcile", f"CommandError: {message[:90]}...; nothing changed; once back: fulfilled")
