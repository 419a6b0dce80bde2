"""Every webhook dropped: 100 purchases, then one reconciliation."""

import time

import pytest
from django.conf import settings as django_settings
from django.db.models import Count

from riseup_stripe_plugin.models import Invoice, Order, StripeEvent
from riseup_stripe_plugin.orders.purchase import start_purchase
from riseup_stripe_plugin.orders.reconciliation import reconcile
from riseup_stripe_plugin.states import OrderState
from sandbox.platform.models import CourseEnrollment
from sandbox.stripe_emulator.runner import unreachable_base_url

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)

PURCHASES = 100


def test_a_hundred_purchases_with_every_webhook_dropped_are_fulfilled_by_one_reconciliation(stripe, figure):
    # The endpoint Stripe knows answers nothing: every delivery fails.
    stripe.configure_webhook(f"{unreachable_base_url()}/riseup-stripe/webhook/",
                             django_settings.RISEUP_STRIPE_WEBHOOK_SECRET)
    course, _ = factories.paid_course(price=4900)
    orders = []
    for _ in range(PURCHASES):
        order = start_purchase(factories.user(), course.id, success_url="http://t/?s={CHECKOUT_SESSION_ID}",
                               cancel_url="http://t/c")
        stripe.pay(order.checkout_session_id)
        orders.append(order)
    assert StripeEvent.objects.count() == 0
    assert Order.objects.filter(state=OrderState.AWAITING_PAYMENT).count() == PURCHASES
    failed_deliveries = sum(1 for d in stripe.deliveries() if not (200 <= int(d.get("status") or 0) < 300))

    stripe.clear_requests()
    started = time.monotonic()
    report = reconcile(commit=True)
    elapsed = time.monotonic() - started
    calls = stripe.request_count()["count"]

    assert report.failed == []
    fulfilled = Order.objects.filter(state=OrderState.FULFILLED).count()
    enrollments = CourseEnrollment.objects.filter(course_id=course.id, is_active=True).count()
    doubled = (CourseEnrollment.objects.values("user_id").annotate(n=Count("id")).filter(n__gt=1).count()
               + Invoice.objects.values("order_id").annotate(n=Count("id")).filter(n__gt=1).count())
    invoices = Invoice.objects.filter(stripe_status="paid").count()
    assert (fulfilled, enrollments, invoices, doubled) == (PURCHASES, PURCHASES, PURCHASES, 0)
    # Per lost purchase: its session read (invoice expanded) and the Customer Checkout made named once
    # (the learner's name and metadata); one read per page of each list.
    assert calls <= 2 * PURCHASES + 10, stripe.request_count()["by_endpoint"]
    writes = [r for r in stripe.requests() if r["method"] == "POST"]
    # Settling a payment writes nothing but those Customer details, once per new learner.
    assert all(r["path"].startswith("/v1/customers/cus_") for r in writes), {r["path"] for r in writes}
    assert len({r["path"] for r in writes}) == len(writes) == PURCHASES
    stripe.clear_requests()

    again = reconcile(commit=True)
    assert again.changes == []
    assert [r for r in stripe.requests() if r["method"] == "POST"] == []  # the second run writes nothing
    figure("lost-webhooks",
           f"{PURCHASES} purchases, {failed_deliveries} webhook deliveries failed; one reconciliation: "
           f"{fulfilled} fulfilled, {enrollments} enrolled, {invoices} invoices, {doubled} doubled, "
           f"{calls} Stripe requests, {elapsed:.1f}s; second run: {len(again.changes)} changes")
