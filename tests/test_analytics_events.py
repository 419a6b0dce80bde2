"""
Purchases, fulfilments, cancellations, refunds and disputes reach the platform's tracking log as events.

Through the real flow (emulator, webhooks) and the platform boundary: the sandbox's stand-in tracker
records each event as the JSON the tracking log would hold.
"""

import json

import pytest
from django.db import transaction

from riseup_stripe_plugin.models import InvoiceStatus, Order
from riseup_stripe_plugin.orders import analytics
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import tracking

from . import factories
from .conftest import wait_for
from .purchases import cancel_url, charge_id, invoice_status, paid_purchase, processed
from .test_purchase_journey import buy, fulfilled

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_tracker():
    tracking.clear()
    yield
    tracking.clear()


def named(name):
    return [event for event in tracking.events(analytics.PREFIX) if event["name"] == name]


def test_a_purchase_is_paid_then_fulfilled_with_its_own_context_and_no_card_data(client, lms, stripe):
    factories.promotion_code(stripe.client(), "TEN", 10)
    learner = factories.user()
    course, _ = factories.paid_course(price=4900, course_id="course-v1:RiseUp+EVT1+2026")
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id, promotion_code="TEN")
    wait_for(fulfilled(order), message="fulfilment")
    wait_for(lambda: named(analytics.FULFILLED), message="the fulfilled event")

    assert [event["name"] for event in tracking.events(analytics.PREFIX)] == [analytics.PAID, analytics.FULFILLED]
    paid, done = named(analytics.PAID)[0], named(analytics.FULFILLED)[0]
    # Shaped like edx.course.enrollment.activated: course_id, user_id, mode first; then the money.
    assert {k: paid["data"][k] for k in ("course_id", "user_id", "mode")} == {
        "course_id": str(course.id), "user_id": learner.pk, "mode": ""}
    assert (paid["data"]["order_id"], paid["data"]["currency"], paid["data"]["amount"],
            paid["data"]["amount_paid"], paid["data"]["amount_discount"], paid["data"]["promotion_code"],
            paid["data"]["audience_scope"]) == (str(order.uuid), "eur", 4900, 4410, 490, "TEN", "public")
    assert (paid["data"]["previous_state"], done["data"]["previous_state"]) == (
        OrderState.AWAITING_PAYMENT, OrderState.PAID)
    # The webhook has no request: the event says the learner, the course and its org itself.
    assert done["context"] == {"course_id": str(course.id), "org_id": "RiseUp", "user_id": learner.pk}
    text = json.dumps(tracking.events(analytics.PREFIX))
    for secret in ("4242", "pm_", "card", learner.email, "cus_"):
        assert secret not in text


def test_refunds_cancellation_and_disputes_are_announced(client, admin_client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    refunded_order, refunded = paid_purchase(client, stripe, learner, course)
    stripe.refund_in_dashboard(charge_id(stripe, refunded_order), amount=1000)
    wait_for(invoice_status(refunded, InvoiceStatus.PARTIALLY_REFUNDED), message="the partial refund")
    (partial,) = wait_for(lambda: named(analytics.REFUNDED), message="the refunded event")
    assert (partial["data"]["credit_note_amount"], partial["data"]["source"], partial["data"]["order_id"]) == (
        1000, "refund", str(refunded_order.uuid))
    assert partial["data"]["refund_id"].startswith("re_")

    response = admin_client.post(cancel_url(refunded), {"reason": "Asked by email", "stripe_reason": "order_change"})
    assert response.status_code == 302
    wait_for(invoice_status(refunded, InvoiceStatus.CANCELLED), message="the cancellation")
    (cancelled,) = wait_for(lambda: named(analytics.CANCELLED), message="the cancelled event")
    assert cancelled["data"]["previous_state"] == OrderState.FULFILLED and cancelled["data"]["user_id"] == learner.pk
    notes = named(analytics.REFUNDED)
    assert [(event["data"]["credit_note_amount"], event["data"]["source"]) for event in notes] == [
        (1000, "refund"), (3900, "admin")]
    # Made in an administrator's request: the tracker's own context says who acted, not the plugin.
    assert "user_id" not in cancelled["context"]

    other = factories.user()
    disputed_order, _ = paid_purchase(client, stripe, other, course)
    dispute = stripe.dispute(charge_id(stripe, disputed_order))
    wait_for(processed("charge.dispute.created", dispute["id"]), message="the dispute")
    stripe.close_dispute(dispute["id"], "won")
    wait_for(lambda: named(analytics.DISPUTE_CLOSED), message="the dispute closed")
    (opened,), (closed,) = named(analytics.DISPUTED), named(analytics.DISPUTE_CLOSED)
    assert (opened["data"]["dispute_id"], closed["data"]["dispute_status"]) == (dispute["id"], "won")
    assert opened["data"]["order_id"] == str(disputed_order.uuid)


def test_a_rolled_back_change_emits_nothing_and_a_broken_tracker_breaks_no_payment(
        client, lms, stripe, monkeypatch):
    learner = factories.user()
    course, offer = factories.paid_course()
    order = Order.objects.create(user=learner, course_key=course.id, offer=offer, amount=4900, currency="eur",
                                 stripe_price_id="price_x", state=OrderState.AWAITING_PAYMENT)
    with pytest.raises(RuntimeError), transaction.atomic():
        order.transition(OrderState.PAID)
        raise RuntimeError("rolled back")
    assert tracking.events(analytics.PREFIX) == []

    def broken(name, data, context):
        raise ConnectionError("tracking backend down")

    monkeypatch.setattr(tracking, "emit", broken)
    bought, _ = paid_purchase(client, stripe, factories.user(), factories.paid_course()[0])
    bought.refresh_from_db()
    assert bought.state == OrderState.FULFILLED
