"""
What one webhook costs the database: the SQL statements of a purchase's events, counted as the
intake benchmark counts them (every statement the connection executes, savepoints included).

The events are the emulator's own, signed and posted to the endpoint in request mode, so the whole
path runs: verify, store once, re-read the session from Stripe, enroll, record the invoice, mark
the event processed.
"""

import json

import pytest
from django.db import connection

from riseup_stripe_plugin.models import Invoice, StripeCustomer, StripeEvent
from riseup_stripe_plugin.orders.reconciliation import reconcile
from riseup_stripe_plugin.states import OrderState
from sandbox.platform.models import CourseEnrollment

from . import factories
from .conftest import sign_payload
from .test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)

#: A new learner's checkout.session.completed: the event stored (1); then one transaction: the order
#: locked by reference with its offer, its invoice's id and its cancelled-invoice check (1), the Customer
#: Checkout made recorded (1), the invoice the session brought stored (1), the platform's enrollment
#: (course, enrollment, savepoint, insert, release: 5; the gate asks nothing of the order it is told is
#: being fulfilled), the order moved to fulfilled through paid with its payment and Customer (1); the
#: event marked processed (1). The email names the course as the offer's Product does (no course read).
NEW_LEARNER_STATEMENTS = 11


class Statements:
    """
    Every SQL statement the connection executes, as the benchmark's middleware counts them on MariaDB,
    where a transaction's start is no statement (SQLite's ``BEGIN IMMEDIATE`` is left out to match).
    """

    def __init__(self):
        self.sql = []

    def __call__(self, execute, sql, params, many, context):
        if not sql.startswith("BEGIN"):
            self.sql.append(sql)
        return execute(sql, params, many, context)

    def on(self, table: str) -> list[str]:
        return [sql for sql in self.sql if f"riseup_stripe_plugin_{table}" in sql.replace("`", "").replace('"', "")]


@pytest.fixture
def post_event(client, settings):
    settings.RISEUP_STRIPE_WEBHOOK_MODE = "request"

    def post(event):
        payload = json.dumps(event).encode()
        statements = Statements()
        client.logout()
        with connection.execute_wrapper(statements):
            response = client.post("/riseup-stripe/webhook/", data=payload, content_type="application/json",
                                   HTTP_STRIPE_SIGNATURE=sign_payload(payload, settings.RISEUP_STRIPE_WEBHOOK_SECRET))
        assert response.status_code == 200, response.content
        return statements

    return post


def _event(stripe, event_type, object_id):
    return next(event for event in stripe.events(event_type) if event["data"]["object"]["id"] == object_id)


def test_a_new_learners_purchase_event_costs_eleven_statements(client, stripe, post_event):
    learner = factories.user()
    course, _ = factories.sold_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    completed = _event(stripe, "checkout.session.completed", order.checkout_session_id)
    stripe.clear_requests()

    statements = post_event(completed)
    # One Stripe call: the session re-read. The new Customer's name waits for the return page or reconciliation.
    assert [(r["method"], r["path"]) for r in stripe.requests()] == [
        ("GET", f"/v1/checkout/sessions/{order.checkout_session_id}")]
    assert StripeCustomer.objects.get(user=learner).details_pending

    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED
    assert order.stripe_customer_id.startswith("cus_")
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id, is_active=True).count() == 1
    assert Invoice.objects.filter(order=order, stripe_status="paid").count() == 1
    assert StripeEvent.objects.get(event_id=completed["id"]).processed
    print(f"statements of a new learner's checkout.session.completed: {len(statements.sql)}")
    assert len(statements.sql) == NEW_LEARNER_STATEMENTS, "\n".join(statements.sql)
    # Stored once, never read back; the event row written twice (stored, then processed).
    assert [sql.split()[0] for sql in statements.on("stripeevent")] == ["INSERT", "UPDATE"]
    assert len([sql for sql in statements.sql if sql.startswith("SAVEPOINT")]) == 1  # the platform's own
    # The order read once (under its lock) and written once; the gate's probe not sent.
    assert [sql.split()[0] for sql in statements.on("order ")] == ["SELECT", "UPDATE"]
    assert not [sql for sql in statements.sql if "access_slot" in sql and sql.startswith("SELECT 1")]

    # The invoice's own events follow: the invoice is stored as paid, nothing is re-read or written but the event.
    invoice_id = Invoice.objects.get(order=order).stripe_invoice_id
    invoice_paid = _event(stripe, "invoice.paid", invoice_id)
    stripe.clear_requests()
    paid = post_event(invoice_paid)
    assert stripe.request_count()["count"] == 0
    assert len(paid.sql) <= 4, "\n".join(paid.sql)

    # A second delivery of the same event: stored once, answered at once.
    again = post_event(completed)
    assert len(again.sql) <= 2, "\n".join(again.sql)
    assert StripeEvent.objects.filter(event_id=completed["id"]).count() == 1


def test_a_repeat_learners_purchase_event_costs_one_statement_less(client, stripe, post_event):
    learner = factories.user()
    first_course, _ = factories.sold_course()
    first = buy(client, learner, first_course)
    stripe.pay(first.checkout_session_id)
    post_event(_event(stripe, "checkout.session.completed", first.checkout_session_id))
    course, _ = factories.sold_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)

    statements = post_event(_event(stripe, "checkout.session.completed", order.checkout_session_id))

    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED
    assert statements.on("stripecustomer") == []  # the Customer is known since Buy
    assert len(statements.sql) == NEW_LEARNER_STATEMENTS - 1, "\n".join(statements.sql)


def test_a_customer_whose_learner_never_returns_is_named_by_the_next_reconciliation(client, stripe, post_event):
    learner = factories.user(first_name="Grace", last_name="Hopper")
    course, _ = factories.sold_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    post_event(_event(stripe, "checkout.session.completed", order.checkout_session_id))
    customer_id = StripeCustomer.objects.get(user=learner, details_pending=True).customer_id

    report = reconcile(commit=True)

    assert [(change.kind, change.error) for change in report.changes] == [("customer", "")]
    customer = stripe.client().v1.customers.retrieve(customer_id)
    assert (customer.email, customer.name) == (learner.email, "Grace Hopper")
    assert not StripeCustomer.objects.get(user=learner).details_pending
    assert reconcile(commit=True).changes == []
