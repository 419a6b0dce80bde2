"""
Stripe customers that change: a Customer deleted in the Dashboard is replaced instead of failing every later
purchase, and the learner's new email and name reach Stripe off the Buy path (starting a purchase stays one call).
"""

import pytest
from django.urls import reverse

from riseup_stripe_plugin.models import Order, StripeCustomer

from . import factories
from .conftest import wait_for
from .purchases import paid_purchase
from .test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)


def _calls(stripe):
    return [(r["method"], r["path"]) for r in stripe.requests() if r["path"].startswith("/v1/")]


def test_a_customer_deleted_in_stripe_is_replaced_at_the_next_purchase(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.sold_course()
    first, _ = paid_purchase(client, stripe, learner, course)
    old_customer = StripeCustomer.objects.get(user=learner).customer_id
    stripe.client().v1.customers.delete(old_customer)  # an administrator deletes it in the Dashboard

    other, _ = factories.sold_course(price=1999, currency="usd")
    stripe.clear_requests()
    client.force_login(learner)
    response = client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(other.id)}))
    assert response.status_code == 303, response.content.decode()[:300]  # not a 503
    # Stripe refused the stored Customer; the session was made again for Checkout to create a new one.
    assert _calls(stripe) == [("POST", "/v1/checkout/sessions"), ("POST", "/v1/checkout/sessions")]
    assert not StripeCustomer.objects.filter(customer_id=old_customer).exists()
    second = Order.objects.get(user=learner, course_key=other.id)
    session = stripe.client().v1.checkout.sessions.retrieve(second.checkout_session_id)
    assert session.customer is None and session.customer_email == learner.email
    stripe.pay(second.checkout_session_id)
    new_customer = wait_for(lambda: StripeCustomer.objects.filter(user=learner).first(),
                            message="the new customer recorded").customer_id
    assert new_customer != old_customer
    second.refresh_from_db()
    assert second.stripe_customer_id == new_customer


def test_a_new_email_and_name_reach_the_stripe_customer_off_the_buy_path(client, lms, stripe):
    learner = factories.user(first_name="Ada", last_name="Byron")
    course, _ = factories.sold_course()
    paid_purchase(client, stripe, learner, course)
    customer_id = StripeCustomer.objects.get(user=learner).customer_id
    stripe.clear_requests()

    # The platform confirms the learner's new email, and their new name.
    learner.email, learner.last_name = "ada@new.example", "Lovelace"
    learner.save()

    customer = stripe.client().v1.customers.retrieve(customer_id)
    assert (customer.email, customer.name) == ("ada@new.example", "Ada Lovelace")
    assert _calls(stripe) == [("POST", f"/v1/customers/{customer_id}"), ("GET", f"/v1/customers/{customer_id}")]

    # The next Buy is one call, with the same Customer, whose email is the new one.
    other, _ = factories.sold_course(price=1999, currency="usd")
    stripe.clear_requests()
    order = buy(client, learner, other)
    assert _calls(stripe) == [("POST", "/v1/checkout/sessions")]
    assert stripe.client().v1.checkout.sessions.retrieve(order.checkout_session_id).customer == customer_id


def test_saving_a_learner_without_a_customer_calls_nobody(stripe):
    learner = factories.user()
    stripe.clear_requests()
    learner.email = "new@example.com"
    learner.save()
    learner.last_login = None
    learner.save(update_fields=["last_login"])
    assert _calls(stripe) == []


def test_a_customer_deleted_in_stripe_is_forgotten_when_its_details_change(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.sold_course()
    paid_purchase(client, stripe, learner, course)
    customer_id = StripeCustomer.objects.get(user=learner).customer_id
    stripe.client().v1.customers.delete(customer_id)
    learner.email = "moved@example.com"
    learner.save()
    assert not StripeCustomer.objects.filter(user=learner).exists()
