"""
The purchase journey end to end, over HTTP: the plugin ↔ the Stripe emulator ↔ the sandbox LMS.

The learner's clicks go through Django's test client; Stripe's side is the
emulator process; its signed webhooks reach the plugin through the live server.
"""

import csv
import io

import pytest
from django.urls import reverse

from riseup_stripe_plugin.conf import PINNED_API_VERSION
from riseup_stripe_plugin.models import Invoice, Order, StripeCustomer, StripeEvent
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment
from sandbox.platform.models import CourseEnrollment

from . import factories
from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def buy(client, learner, course):
    """Click Buy; return the order and the Checkout Session id it was sent to."""
    client.force_login(learner)
    response = client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)}))
    assert response.status_code == 303, response.content.decode()[:500]
    order = Order.objects.get(user=learner, course_key=course.id, state=OrderState.AWAITING_PAYMENT)
    assert response["Location"] == order.checkout_url
    return order


def fulfilled(order):
    def check():
        order.refresh_from_db()
        return order.state == OrderState.FULFILLED
    return check


def test_purchase_to_invoice(client, lms, stripe):
    learner = factories.user(first_name="Ada", last_name="Lovelace")
    course, _ = factories.paid_course(price=4900, currency="eur", name="Stripe for Teachers")
    order = buy(client, learner, course)

    session = stripe.client().v1.checkout.sessions.retrieve(order.checkout_session_id).to_dict()
    assert session["mode"] == "payment"
    assert session["client_reference_id"] == str(order.uuid)
    assert session["metadata"]["riseup_order"] == str(order.uuid)
    assert session["allow_promotion_codes"] is True
    assert session["invoice_creation"]["enabled"] is True
    assert session["amount_total"] == 4900 and session["currency"] == "eur"
    # A new learner: Checkout creates their Customer (no call of its own), recorded at fulfilment.
    assert session["customer"] is None and session["customer_email"] == learner.email
    assert session["customer_creation"] == "always"
    assert session["success_url"].endswith("?session_id={CHECKOUT_SESSION_ID}")

    stripe.pay(order.checkout_session_id)
    wait_for(fulfilled(order), message="the webhook to fulfil the order")
    customer_id = StripeCustomer.objects.get(user=learner).customer_id
    assert order.stripe_customer_id == customer_id
    assert stripe.client().v1.checkout.sessions.retrieve(order.checkout_session_id).customer == customer_id
    # The webhook's request settled the purchase and left the Customer's name to the return page.
    assert StripeCustomer.objects.get(user=learner).details_pending
    assert stripe.client().v1.customers.retrieve(customer_id).name is None
    assert enrollment.is_enrolled(learner, course.id)
    assert order.amount_paid == 4900 and order.payment_intent_id.startswith("pi_")

    invoice = wait_for(lambda: Invoice.objects.filter(order=order, stripe_status="paid").first(),
                       message="the invoice")
    assert invoice.number and invoice.total == 4900 and invoice.currency == "eur"
    assert invoice.status == "paid" and invoice.user == learner
    assert invoice.invoice_pdf_url.startswith(stripe.base_url)
    assert invoice.hosted_invoice_url.startswith(stripe.base_url)

    # The return page confirms it too, and says so.
    page = client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}")
    assert page.status_code == 200
    assert 'data-state="fulfilled"' in page.content.decode()
    customer = stripe.client().v1.customers.retrieve(customer_id)
    assert (customer.email, customer.name) == (learner.email, "Ada Lovelace")
    assert customer.metadata["riseup_user_id"] == str(learner.pk)
    assert not StripeCustomer.objects.get(user=learner).details_pending

    # My invoices, page and API.
    html = client.get(reverse("riseup_stripe:my_invoices")).content.decode()
    assert invoice.number in html and "Stripe for Teachers" in html and "€49.00" in html
    api = client.get(reverse("riseup_stripe:api_invoices")).json()
    assert api["count"] == 1
    row = api["results"][0]
    assert row["number"] == invoice.number and row["total"] == 4900 and row["currency"] == "eur"
    assert row["course_name"] == "Stripe for Teachers"
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id).count() == 1


def test_return_page_fulfils_when_the_webhook_is_late(client, stripe):
    # No webhook endpoint at all: only the browser comes back.
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    page = client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}")
    assert 'data-state="fulfilled"' in page.content.decode()
    assert enrollment.is_enrolled(learner, course.id)
    assert Invoice.objects.filter(order=order).exists()


def test_webhook_fulfils_when_the_learner_never_comes_back(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    client.logout()
    stripe.pay(order.checkout_session_id)
    wait_for(fulfilled(order), message="fulfilment by webhook alone")
    assert enrollment.is_enrolled(learner, course.id)


@pytest.mark.parametrize("scopes", ["public", "internal"])
def test_the_buy_request_reads_the_learners_scope_once(client, stripe, scopes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from riseup_stripe_plugin.models import AudienceRule

    AudienceRule.objects.create(domain="acme.com", scope="internal")
    learner = factories.user(email="ann@acme.com")
    course, offer = factories.paid_course()
    offer.scopes = scopes
    offer.save()
    with CaptureQueriesContext(connection) as queries:
        order = buy(client, learner, course)
    assert order.audience_scope == "internal"
    assert sum("learnerscope" in query["sql"].lower() for query in queries.captured_queries) == 1


def test_double_click_reuses_the_open_session(client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    first = buy(client, learner, course)
    second = buy(client, learner, course)
    assert first.pk == second.pk and first.checkout_session_id == second.checkout_session_id
    creates = [r for r in stripe.requests() if r["method"] == "POST" and r["path"] == "/v1/checkout/sessions"]
    assert len(creates) == 1
    assert Order.objects.filter(user=learner).count() == 1


def test_replayed_success_url_by_another_learner_is_404_and_changes_nothing(client, stripe):
    buyer = factories.user()
    intruder = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, buyer, course)
    stripe.pay(order.checkout_session_id)
    client.force_login(intruder)
    page = client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}")
    assert page.status_code == 404
    assert not enrollment.is_enrolled(intruder, course.id)
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_PAYMENT  # nothing processed on the intruder's request
    client.force_login(buyer)
    client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}")
    assert enrollment.is_enrolled(buyer, course.id)


def test_duplicate_and_out_of_order_webhooks_converge(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pause_webhooks()
    stripe.pay(order.checkout_session_id)
    events = {e["type"]: e["id"] for e in stripe.events()}
    wanted = ["invoice.paid", "invoice.finalized", "checkout.session.completed"]
    # Newest first, every one twice, the invoice before the session.
    stripe.redeliver(*[events[t] for t in wanted], *[events[t] for t in wanted])
    wait_for(fulfilled(order), message="fulfilment from out-of-order events")
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id).count() == 1
    assert Invoice.objects.filter(order=order).count() == 1
    for event_type in wanted:
        assert StripeEvent.objects.filter(event_id=events[event_type], processed=True).count() == 1
    assert Invoice.objects.get(order=order).stripe_status == "paid"


def test_amount_mismatch_flags_the_order_and_enrolls_nobody(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order = buy(client, learner, course)
    # The order's snapshot and what Stripe will charge disagree (a tampered price).
    Order.objects.filter(pk=order.pk).update(amount=100)
    stripe.pay(order.checkout_session_id)
    wait_for(lambda: Order.objects.get(pk=order.pk).state == OrderState.FLAGGED, message="the flag")
    order.refresh_from_db()
    assert "subtotal 4900" in order.flag_reason
    assert not enrollment.is_enrolled(learner, course.id)


@pytest.mark.parametrize("price,currency,text", [
    (4900, "eur", "€49.00"), (5000, "jpy", "¥5,000"), (12340, "kwd", "KWD\u00a012.340"), (1999, "usd", "$19.99"),
])
def test_each_currency_class(client, lms, stripe, price, currency, text):
    learner = factories.user()
    course, _ = factories.sold_course(price=price, currency=currency)
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)}))
    assert text in page.content.decode()
    order = buy(client, learner, course)
    price_obj = stripe.client().v1.prices.retrieve(order.stripe_price_id).to_dict()
    assert price_obj["unit_amount"] == price and price_obj["currency"] == currency
    assert price_obj["tax_behavior"] == "inclusive"
    stripe.pay(order.checkout_session_id)
    wait_for(fulfilled(order), message="fulfilment")
    invoice = wait_for(lambda: Invoice.objects.filter(order=order).first(), message="the invoice")
    assert (invoice.total, invoice.currency) == (price, currency)


def test_full_promotion_code_needs_no_payment(client, lms, stripe):
    factories.promotion_code(stripe.client(), "FREE", 100)
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order = buy(client, learner, course)
    session = stripe.pay(order.checkout_session_id, promotion_code="FREE")
    assert session["payment_status"] == "no_payment_required"
    wait_for(fulfilled(order), message="fulfilment of a free purchase")
    assert order.amount_paid == 0 and order.amount_discount == 4900
    assert order.promotion_code_id.startswith("promo_")
    assert enrollment.is_enrolled(learner, course.id)


def test_partial_promotion_code_is_accepted(client, lms, stripe):
    factories.promotion_code(stripe.client(), "TEN", 10)
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id, promotion_code="TEN")
    wait_for(fulfilled(order), message="fulfilment")
    assert (order.amount_paid, order.amount_discount) == (4410, 490)
    assert order.promotion_code == "TEN" and order.promotion_code_id.startswith("promo_")
    invoice = wait_for(lambda: Invoice.objects.filter(order=order).first(), message="the invoice")
    assert invoice.discount == 490 and invoice.total == 4410
    assert invoice.promotion_code == "TEN"

    # The code as typed, with the discount, wherever the invoice is shown: My invoices, the admin list, the CSV.
    mine = client.get(reverse("riseup_stripe:my_invoices")).content.decode()
    assert "€4.90<br><span class=\"promotion-code\">code TEN</span>" in mine
    assert order.promotion_code_id not in mine
    admin = factories.user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get(reverse("admin:riseup_stripe_plugin_invoice_changelist")).content.decode()
    assert "€4.90 (TEN)" in listing and order.promotion_code_id not in listing
    export = client.get(reverse("admin:riseup_stripe_plugin_invoice_export")).content.decode()
    assert next(csv.DictReader(io.StringIO(export)))["promotion_code"] == "TEN"


def test_delayed_payment_pending_then_succeeded(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id, outcome="async_pending")
    wait_for(lambda: Order.objects.get(pk=order.pk).state == OrderState.PAYMENT_PENDING, message="pending")
    page = client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}")
    assert 'data-state="pending"' in page.content.decode()
    assert not enrollment.is_enrolled(learner, course.id)
    # A second click while the payment clears does not open a second checkout.
    response = client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)}))
    assert response.status_code == 409
    stripe.pay(order.checkout_session_id, outcome="succeeded")
    wait_for(fulfilled(order), message="fulfilment after the delayed payment")
    assert enrollment.is_enrolled(learner, course.id)


def test_delayed_payment_failed(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id, outcome="async_pending")
    wait_for(lambda: Order.objects.get(pk=order.pk).state == OrderState.PAYMENT_PENDING, message="pending")
    stripe.pay(order.checkout_session_id, outcome="failed")
    wait_for(lambda: Order.objects.get(pk=order.pk).state == OrderState.FAILED, message="failure")
    assert not enrollment.is_enrolled(learner, course.id)
    # The learner may try again.
    again = buy(client, learner, course)
    assert again.pk != order.pk


def test_expired_session_lets_the_learner_buy_again(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.client().v1.checkout.sessions.expire(order.checkout_session_id)
    wait_for(lambda: Order.objects.get(pk=order.pk).state == OrderState.EXPIRED, message="expiry")
    again = buy(client, learner, course)
    assert again.pk != order.pk and again.checkout_session_id != order.checkout_session_id


def test_session_near_expiry_is_replaced_not_duplicated(client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    from datetime import timedelta

    from django.utils import timezone

    Order.objects.filter(pk=order.pk).update(checkout_expires_at=timezone.now() + timedelta(minutes=1))
    again = buy(client, learner, course)
    assert again.pk != order.pk
    old = stripe.client().v1.checkout.sessions.retrieve(order.checkout_session_id)
    assert old.status == "expired"
    assert Order.objects.get(pk=order.pk).state == OrderState.EXPIRED


def test_price_change_makes_a_new_price_and_keeps_open_checkouts(client, stripe):
    from riseup_stripe_plugin.catalog.pricing import set_offer

    learner, other = factories.user(), factories.user()
    course, offer = factories.sold_course(price=4900)
    first = buy(client, learner, course)
    old_price = first.stripe_price_id
    assert old_price == offer.stripe_price_id
    set_offer(course.id, price="59.00", currency="eur")  # the admin's save: a new Price, the old one archived
    assert stripe.client().v1.prices.retrieve(old_price).active is False
    second = buy(client, other, course)
    assert second.stripe_price_id not in ("", old_price) and second.amount == 5900
    session = stripe.client().v1.checkout.sessions.retrieve(first.checkout_session_id)
    assert session.amount_total == 4900  # the open checkout keeps its price


def _calls(stripe):
    return [r for r in stripe.requests() if r["path"].startswith("/v1/")]


def _settle(client, stripe, order, return_first=True):
    """Pay; the learner's return page and the webhooks, in either order; wait until all is processed."""
    stripe.pay(order.checkout_session_id)
    if return_first:
        client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}")
    wait_for(fulfilled(order), message="fulfilment")
    invoice = wait_for(lambda: Invoice.objects.filter(order=order, stripe_status="paid").first(), message="invoice")
    wait_for(lambda: StripeEvent.objects.filter(type="invoice.paid", processed=True,
                                                object_id=invoice.stripe_invoice_id).exists(),
             message="the invoice.paid webhook")
    wait_for(lambda: not StripeEvent.objects.filter(processed=False).exists(), message="every event processed")
    if not return_first:
        client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}")


@pytest.mark.parametrize("return_first", [True, False])
def test_stripe_calls_per_purchase_and_their_headers(client, lms, stripe, settings, return_first):
    learner = factories.user()
    course, _ = factories.sold_course()
    stripe.clear_requests()
    order = buy(client, learner, course)
    # Buy: one call, the session (the Price exists since the offer was saved; Checkout makes the Customer).
    assert [(r["method"], r["path"]) for r in _calls(stripe)] == [("POST", "/v1/checkout/sessions")]
    _settle(client, stripe, order, return_first)
    calls = _calls(stripe)
    # Buy to enrolled, invoice stored: the session, one re-read of it by the return page or the webhook,
    # whichever comes first, with its invoice expanded; the other one's; the new Customer's details.
    assert len(calls) <= 4, [(r["method"], r["path"]) for r in calls]
    assert [r["path"] for r in calls if r["path"].startswith("/v1/invoices")] == []
    writes = [r for r in calls if r["method"] == "POST"]
    assert sorted(r["path"] for r in writes) == sorted(["/v1/checkout/sessions", f"/v1/customers/"
                                                        f"{order.stripe_customer_id}"])
    assert all(r["idempotency_key"] for r in writes)
    assert {r["stripe_version"] for r in calls} == {PINNED_API_VERSION}
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id).count() == 1
    assert Invoice.objects.filter(order=order).count() == 1

    # The same learner again: the stored Customer goes with the session; nothing to update.
    second, _ = factories.sold_course(price=1999, currency="usd")
    stripe.clear_requests()
    again = buy(client, learner, second)
    assert [(r["method"], r["path"]) for r in _calls(stripe)] == [("POST", "/v1/checkout/sessions")]
    session = stripe.client().v1.checkout.sessions.retrieve(again.checkout_session_id)
    assert session.customer == order.stripe_customer_id
    stripe.clear_requests()
    _settle(client, stripe, again, return_first)
    assert len(_calls(stripe)) <= 2, [(r["method"], r["path"]) for r in _calls(stripe)]


def test_an_offer_stripe_never_synced_is_sold_inline_in_one_call(client, lms, stripe):
    learner = factories.user()
    course, offer = factories.paid_course(price=4900)  # saved while Stripe was down: no Product, no Price
    stripe.clear_requests()
    order = buy(client, learner, course)
    assert [(r["method"], r["path"]) for r in _calls(stripe)] == [("POST", "/v1/checkout/sessions")]
    assert order.stripe_price_id == "" and order.amount == 4900
    items = stripe.client().v1.checkout.sessions.line_items.list(order.checkout_session_id).data
    assert [(i.amount_total, i.currency, i.price.tax_behavior) for i in items] == [(4900, "eur", "inclusive")]
    _settle(client, stripe, order)
    assert enrollment.is_enrolled(learner, course.id)

    # The retry job gives it its Product and Price; later purchases use them.
    from django.core.management import call_command

    call_command("riseup_stripe_sync_offers")
    offer.refresh_from_db()
    assert offer.stripe_price_in_step and offer.stripe_product_id
    other = buy(client, factories.user(), course)
    assert other.stripe_price_id == offer.stripe_price_id


def test_params_sent_are_known_to_stripe_python(client, stripe, monkeypatch, settings):
    from stripe.params import CustomerUpdateParams, PriceCreateParams, ProductCreateParams
    from stripe.params.checkout import SessionCreateParams

    from riseup_stripe_plugin.stripe_gateway import StripeGateway

    from .emulator.stripe_params import assert_params_known

    sent = {}
    real_call = StripeGateway._call

    def recording_call(self, what, fn, *args, **kwargs):  # records, then makes the real call
        sent[what] = kwargs.get("params")
        return real_call(self, what, fn, *args, **kwargs)

    monkeypatch.setattr(StripeGateway, "_call", recording_call)
    settings.RISEUP_STRIPE_INVOICE_FOOTER = "Rise Up SAS, 1 rue de Paris, SIRET 000"
    learner = factories.user()
    course, _ = factories.sold_course()  # the offer's save: product and price
    buy(client, learner, course)
    other, _ = factories.paid_course()  # never synced: the price inline
    buy(client, learner, other)
    from riseup_stripe_plugin.orders.customers import update_customer_details

    StripeCustomer.objects.create(user=learner, customer_id=stripe.client().v1.customers.create(
        params={"email": learner.email}).id)
    update_customer_details(learner)
    types = {"checkout session creation": SessionCreateParams, "customer update": CustomerUpdateParams,
             "price creation": PriceCreateParams, "product creation": ProductCreateParams}
    assert set(types) <= set(sent)
    for what, params_type in types.items():
        assert_params_known(sent[what], params_type)
    assert sent["checkout session creation"]["invoice_creation"]["invoice_data"]["footer"].startswith("Rise Up")


def test_foreign_invoice_id_is_404(client, lms, stripe):
    buyer, other = factories.user(), factories.user()
    course, _ = factories.paid_course()
    order = buy(client, buyer, course)
    stripe.pay(order.checkout_session_id)
    invoice = wait_for(lambda: Invoice.objects.filter(order=order).first(), message="the invoice")
    client.force_login(buyer)
    assert client.get(f"/riseup-stripe/api/v1/invoices/{invoice.stripe_invoice_id}/").status_code == 200
    client.force_login(other)
    assert client.get(f"/riseup-stripe/api/v1/invoices/{invoice.stripe_invoice_id}/").status_code == 404
    assert client.get("/riseup-stripe/api/v1/invoices/in_doesnotexist/").status_code == 404
    assert client.get("/riseup-stripe/api/v1/invoices/").json()["count"] == 0
    assert invoice.number not in client.get(reverse("riseup_stripe:my_invoices")).content.decode()
    client.logout()
    assert client.get("/riseup-stripe/api/v1/invoices/").status_code in (401, 403)


def test_stripe_down_during_checkout_then_retry_reuses_the_same_order(client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    client.force_login(learner)
    url = reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)})
    stripe.add_fault("/v1/checkout/sessions", status=503, count=1)
    response = client.post(url)
    assert response.status_code == 503 and "Stripe cannot be reached" in response.content.decode()
    assert Order.objects.get(user=learner).state == OrderState.CREATED
    response = client.post(url)
    assert response.status_code == 303
    assert Order.objects.filter(user=learner).count() == 1
    assert Order.objects.get(user=learner).state == OrderState.AWAITING_PAYMENT
