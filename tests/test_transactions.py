"""
Tutor's database settings, and no Stripe call while a transaction is held.

The suite runs as Tutor runs the LMS: ``ATOMIC_REQUESTS`` on, and on MariaDB
``STRICT_TRANS_TABLES`` and utf8mb4. Every place that calls Stripe is driven
here through its real page or endpoint; the ``stripe_calls`` guard
(tests/transaction_guard.py) records each call with the transactions open on
its connection, and these tests check the calls were made, how many, and that
none was made inside a transaction. On SQLite the journeys through the live
server would also hang on a held write lock: the emulator's webhook to the
test server could not write its event.
"""

import pytest
from django.db import connection, transaction
from django.urls import reverse

from riseup_stripe_plugin.models import CourseOffer, Invoice, InvoiceStatus, Order, PaymentConfiguration
from riseup_stripe_plugin.states import OrderState
from riseup_stripe_plugin.stripe_gateway import StripeGateway

from . import factories
from .conftest import wait_for
from .purchases import cancel_url, paid_purchase
from .test_purchase_journey import buy, fulfilled

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "sk_test_emulatorSECRETVALUE9876"


@pytest.fixture
def admin_client(client):
    client.force_login(factories.user("root", is_staff=True, is_superuser=True))
    return client


def _calls(stripe_calls, what):
    return [call for call in stripe_calls.calls if call.what == what]


def _assert_outside(stripe_calls):
    assert stripe_calls.calls, "no Stripe call was made"
    assert stripe_calls.held() == []


def test_the_database_is_set_as_tutor_sets_it():
    assert connection.settings_dict["ATOMIC_REQUESTS"] is True
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT @@SESSION.sql_mode, @@SESSION.character_set_connection")
            sql_mode, charset = cursor.fetchone()
        assert "STRICT_TRANS_TABLES" in sql_mode.split(",")
        assert charset == "utf8mb4"


def test_the_guard_sees_a_stripe_call_made_inside_a_transaction(stripe, stripe_calls):
    StripeGateway().retrieve_account()
    with transaction.atomic():
        StripeGateway().retrieve_account()
    assert [call.held for call in stripe_calls.calls] == [False, True]
    stripe_calls.calls.clear()  # the guard did its job; it would fail this test at its end


def test_buying_paying_and_returning_call_stripe_outside_transactions(client, lms, stripe, stripe_calls):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)  # the Buy form: one Checkout Session (Checkout makes the Customer)
    assert [call.what for call in stripe_calls.calls] == ["checkout session creation"]
    stripe.pay(order.checkout_session_id)
    wait_for(fulfilled(order), message="the webhook to fulfil the order")  # the webhook, in the live server
    wait_for(lambda: Invoice.objects.filter(order=order, stripe_status="paid").exists(), message="the invoice")
    webhook_calls = len(_calls(stripe_calls, "checkout session retrieval"))
    assert webhook_calls >= 1
    page = client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}")
    assert page.status_code == 200 and 'data-state="fulfilled"' in page.content.decode()
    # Settled (fulfilled, its paid invoice stored): the return page answers from the database.
    assert len(_calls(stripe_calls, "checkout session retrieval")) == webhook_calls
    _assert_outside(stripe_calls)  # every call so far, the webhook's included


def test_the_purchases_api_calls_stripe_outside_transactions(client, stripe, stripe_calls):
    learner = factories.user()
    course, _ = factories.paid_course()
    client.force_login(learner)
    response = client.post(reverse("riseup_stripe:api_purchase"), {"course_id": str(course.id)},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert Order.objects.get(user=learner).state == OrderState.AWAITING_PAYMENT
    assert len(_calls(stripe_calls, "checkout session creation")) == 1
    _assert_outside(stripe_calls)


def test_the_studio_price_api_calls_stripe_outside_transactions(client, stripe, stripe_calls):
    course = factories.course()
    finance = factories.user()
    factories.role(finance, course, "finance_admin")
    client.force_login(finance)
    response = client.put(reverse("riseup_stripe:api_offer", kwargs={"course_id": str(course.id)}),
                          {"is_paid": True, "price": "49.00", "currency": "eur"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["stripe_price_id"]
    assert len(_calls(stripe_calls, "product creation")) == 1 and len(_calls(stripe_calls, "price creation")) == 1
    _assert_outside(stripe_calls)


def test_the_offer_admin_creates_product_and_price_after_its_transaction(admin_client, stripe, stripe_calls):
    course = factories.course()
    form = {"course_id": str(course.id), "is_paid": "on", "price_major": "49.00", "currency": "eur",
            "active": "on", "enrollment_mode": "", **factories.OFFER_CHANGES_INLINE}
    response = admin_client.post(reverse("admin:riseup_stripe_plugin_courseoffer_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    offer = CourseOffer.objects.get(course_key=course.id)
    assert offer.stripe_product_id and offer.stripe_price_id and offer.stripe_price_amount == 4900
    assert len(_calls(stripe_calls, "product creation")) == 1 and len(_calls(stripe_calls, "price creation")) == 1
    _assert_outside(stripe_calls)

    form.update(price_major="59.00", course_id=str(course.id))
    response = admin_client.post(reverse("admin:riseup_stripe_plugin_courseoffer_change", args=[offer.pk]), form)
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.stripe_price_amount == 5900
    assert len(_calls(stripe_calls, "price creation")) == 2 and len(_calls(stripe_calls, "price archival")) == 1
    _assert_outside(stripe_calls)


def test_the_payment_settings_ask_stripe_before_the_admins_transaction(admin_client, settings, stripe,
                                                                      stripe_calls):
    for name in ("RISEUP_STRIPE_ENABLED", "RISEUP_STRIPE_SECRET_KEY"):
        delattr(settings, name)
    admin_client.get(reverse("admin:riseup_stripe_plugin_paymentconfiguration_changelist"), follow=True)
    row = PaymentConfiguration.objects.get()
    form = {"publishable_key": "pk_test_x", "api_version": "", "default_currency": "eur", "tax_mode": "",
            "tax_rate_id": "", "invoice_footer": "", "invoice_custom_fields": "[]",
            "checkout_lifetime_minutes": "", "enabled": "on", "secret_key": SECRET}
    url = reverse("admin:riseup_stripe_plugin_paymentconfiguration_change", args=[row.pk])
    assert admin_client.post(url, form).status_code == 302
    row.refresh_from_db()
    assert row.enabled is True
    assert len(_calls(stripe_calls, "account retrieval")) == 1
    # A key Stripe refuses: refused by the form, from the answer asked before the transaction.
    stripe.add_fault("/v1/account", status=401)
    response = admin_client.post(url, {**form, "secret_key": "sk_test_refusedKEY00000000000"})
    assert response.status_code == 200 and "Stripe refused this key" in response.content.decode()
    assert len(_calls(stripe_calls, "account retrieval")) == 2
    stripe.clear_faults()
    response = admin_client.post(reverse("admin:riseup_stripe_plugin_paymentconfiguration_test", args=[row.pk]),
                                 follow=True)
    assert response.status_code == 200
    assert len(_calls(stripe_calls, "account retrieval")) == 3
    _assert_outside(stripe_calls)


def test_invoice_cancellation_calls_stripe_outside_transactions(admin_client, lms, stripe, stripe_calls):
    from django.test import Client

    learner = factories.user()
    course, _ = factories.paid_course()
    order, invoice = paid_purchase(Client(), stripe, learner, course)
    stripe_calls.calls.clear()
    response = admin_client.post(cancel_url(invoice), {"reason": "Bought by mistake", "stripe_reason": "order_change"},
                                 follow=True)
    assert response.status_code == 200 and "cancelled: credit note" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert len(_calls(stripe_calls, "credit note creation")) == 1
    _assert_outside(stripe_calls)
