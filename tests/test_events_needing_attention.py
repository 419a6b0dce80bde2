"""
Webhook events that retrying cannot fix: answered 2xx, kept with their error, processed again once fixed.

Transient failures (Stripe unreachable) still answer 5xx so that Stripe retries.
The platform's refusal is a real openedx-filters step; the Stripe side is the emulator.
"""

import copy
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted

from riseup_stripe_plugin.conf import PINNED_API_VERSION
from riseup_stripe_plugin.models import EventStatus, Invoice, Order, StripeEvent
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = "admin:riseup_stripe_plugin_stripeevent_changelist"


class EnrollmentClosed(PipelineStep):
    """A platform step refusing every enrollment (as a site closing enrollments would)."""

    def run_filter(self, user, course_key, mode):  # noqa: ARG002 - the filter's signature
        raise CourseEnrollmentStarted.PreventEnrollment("Enrollment is closed for maintenance.")


@pytest.fixture
def enrollment_closed(settings):
    config = copy.deepcopy(settings.OPEN_EDX_FILTERS_CONFIG)
    config["org.openedx.learning.course.enrollment.started.v1"]["pipeline"].insert(
        0, f"{__name__}.EnrollmentClosed")
    original = settings.OPEN_EDX_FILTERS_CONFIG
    settings.OPEN_EDX_FILTERS_CONFIG = config

    def reopen():
        settings.OPEN_EDX_FILTERS_CONFIG = original
    return reopen


@pytest.fixture
def staff():
    admin = Client()
    admin.force_login(factories.user("root", is_staff=True, is_superuser=True))
    return admin


def _event(stripe, type_):
    """The emulator's own event of this type (newest), to be delivered by the test."""
    return next(event for event in stripe.events(type=type_))


def _made_event(type_, obj, event_id):
    return {"id": event_id, "object": "event", "type": type_, "api_version": PINNED_API_VERSION,
            "livemode": False, "created": 1767225600, "data": {"object": obj}}


def test_a_refused_enrollment_needs_attention_then_is_retried(client, stripe, signed_post, staff,
                                                              enrollment_closed):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    completed = _event(stripe, "checkout.session.completed")

    response = signed_post(completed)
    assert response.status_code == 200  # Stripe would retry a 5xx for three days, in vain
    assert response.json() == {"received": True, "outcome": "needs attention"}
    record = StripeEvent.objects.get(event_id=completed["id"])
    assert record.status == EventStatus.NEEDS_ATTENTION and record.attempts == 1 and not record.processed
    assert record.error.startswith("FulfilmentError:") and "closed for maintenance" in record.error
    order.refresh_from_db()
    assert order.state == OrderState.PAID and "closed for maintenance" in order.last_error
    assert not enrollment.is_enrolled(learner, course.id)

    # The events list shows it under "needs attention"; the order's page says what failed, with the button.
    listing = staff.get(reverse(EVENTS) + "?status=needs_attention").content.decode()
    assert completed["id"] in listing and "Needs attention" in listing
    assert completed["id"] not in staff.get(reverse(EVENTS) + "?status=processed").content.decode()
    french = staff.get(reverse(EVENTS) + "?status=needs_attention", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "À examiner" in french and "Traiter à nouveau" in french
    orders = staff.get(reverse("admin:riseup_stripe_plugin_order_changelist") + "?fulfilment=failed")
    assert str(order.uuid) in orders.content.decode()
    page = staff.get(reverse("admin:riseup_stripe_plugin_order_change", args=[order.pk])).content.decode()
    assert 'id="retry-fulfilment"' in page and "closed for maintenance" in page
    french = staff.get(reverse("admin:riseup_stripe_plugin_order_change", args=[order.pk]),
                       HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Réessayer l&#x27;inscription" in french or "Réessayer l'inscription" in french
    retry = reverse("admin:riseup_stripe_plugin_order_retry_fulfilment", args=[order.pk])

    # Retrying while the platform still refuses changes nothing and says so.
    text = staff.post(retry, follow=True).content.decode()
    assert "is still not fulfilled" in text
    order.refresh_from_db()
    assert order.state == OrderState.PAID

    enrollment_closed()  # the cause is fixed
    text = staff.post(retry, follow=True).content.decode()
    assert "fulfilled: the learner is enrolled" in text
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED and order.last_error == ""
    assert enrollment.is_enrolled(learner, course.id)
    page = staff.get(reverse("admin:riseup_stripe_plugin_order_change", args=[order.pk])).content.decode()
    assert 'id="retry-fulfilment"' not in page

    # The event, processed again by the command, now finds the order fulfilled: nothing doubles.
    out = io.StringIO()
    call_command("riseup_stripe_process_events", completed["id"], stdout=out)
    assert f"{completed['id']}: order {order.uuid}: fulfilled" in out.getvalue()
    record.refresh_from_db()
    assert record.status == EventStatus.PROCESSED and record.attempts == 2 and record.error == ""
    assert not record.needs_attention
    assert Order.objects.filter(user=learner, state=OrderState.FULFILLED).count() == 1


def test_a_second_invoice_naming_the_same_order_needs_attention(client, stripe, signed_post, staff,
                                                                stripe_calls):
    learner, other = factories.user(), factories.user()
    course, _ = factories.paid_course()
    first = buy(client, learner, course)
    stripe.pay(first.checkout_session_id)
    assert signed_post(_event(stripe, "checkout.session.completed")).status_code == 200
    first.refresh_from_db()
    assert first.state == OrderState.FULFILLED and Invoice.objects.filter(order=first).count() == 1

    # Another paid invoice at Stripe whose metadata names the same order (Stripe's "Duplicate invoice").
    second = buy(Client(), other, course)
    stripe.pay(second.checkout_session_id)
    duplicate_id = stripe.client().v1.checkout.sessions.retrieve(second.checkout_session_id).invoice
    stripe.client().v1.invoices.update(duplicate_id, params={"metadata": {"riseup_order": str(first.uuid)}})
    event = _made_event("invoice.paid", {"id": duplicate_id, "object": "invoice",
                                         "metadata": {"riseup_order": str(first.uuid)}}, "evt_duplicate_invoice")

    response = signed_post(event)
    assert response.status_code == 200 and response.json()["outcome"] == "needs attention"
    record = StripeEvent.objects.get(event_id="evt_duplicate_invoice")
    assert record.needs_attention and record.attempts == 1
    assert record.error == (f"NeedsAttention: Stripe invoice {duplicate_id} names order {first.uuid}, which "
                            f"already has invoice {first.stripe_invoice_id}; not recorded")
    assert Invoice.objects.filter(stripe_invoice_id=duplicate_id).count() == 0
    # Stripe's redelivery of it changes nothing more than the attempt count.
    assert signed_post(event).status_code == 200
    record.refresh_from_db()
    assert record.attempts == 2 and record.needs_attention

    # "Process again" in the admin: still failing, said so, counted.
    response = staff.post(reverse(EVENTS), {"action": "process_again", "_selected_action": [record.pk]},
                          follow=True)
    assert "Event evt_duplicate_invoice still fails: NeedsAttention" in response.content.decode()
    record.refresh_from_db()
    assert record.attempts == 3 and record.status == EventStatus.NEEDS_ATTENTION

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 event"):
        call_command("riseup_stripe_process_events", "--needs-attention", stdout=out)
    assert "evt_duplicate_invoice: still fails" in out.getvalue()
    assert Invoice.objects.filter(order=first).count() == 1


def test_a_missing_stripe_object_needs_attention(stripe, signed_post):
    order_ref = "6b1e3a52-0f7c-4c55-9f39-0b9b3f0c1a11"
    event = _made_event("checkout.session.completed",
                        {"id": "cs_test_never_made", "object": "checkout.session",
                         "metadata": {"riseup_order": order_ref}}, "evt_missing_session")
    response = signed_post(event)
    assert response.status_code == 200 and response.json()["outcome"] == "needs attention"
    record = StripeEvent.objects.get(event_id="evt_missing_session")
    assert record.needs_attention and record.attempts == 1
    assert record.error.startswith("PaymentRequestError: checkout session retrieval")


def test_stripe_unreachable_still_makes_stripe_retry(client, stripe, signed_post):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    completed = _event(stripe, "checkout.session.completed")
    stripe.unreachable()
    assert signed_post(completed).status_code == 500
    record = StripeEvent.objects.get(event_id=completed["id"])
    assert record.status == EventStatus.RETRYING and not record.needs_attention and record.attempts == 1
    assert record.error.startswith("PaymentProviderUnavailable:")
    stripe.clear_faults()
    assert signed_post(completed).status_code == 200
    record.refresh_from_db()
    assert record.status == EventStatus.PROCESSED and record.attempts == 2
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED


def test_the_command_refuses_what_it_cannot_do(db):
    with pytest.raises(CommandError, match="one of them"):
        call_command("riseup_stripe_process_events")
    with pytest.raises(CommandError, match="No stored event with id evt_nope"):
        call_command("riseup_stripe_process_events", "evt_nope")


def test_a_lock_wait_timeout_still_makes_stripe_retry(client, stripe, signed_post):
    """MySQL's row locks: another transaction holds the order's row; the webhook times out and Stripe retries."""
    from django.db import connection, connections

    if connection.vendor != "mysql":
        pytest.skip("row lock wait timeouts are MySQL's (SQLite locks the whole database)")
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    completed = _event(stripe, "checkout.session.completed")
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("START TRANSACTION")
            cursor.execute(f"SELECT id FROM {Order._meta.db_table} WHERE id = %s FOR UPDATE", [order.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION innodb_lock_wait_timeout = 1")
        assert signed_post(completed).status_code == 500
        record = StripeEvent.objects.get(event_id=completed["id"])
        assert record.status == EventStatus.RETRYING and not record.needs_attention
        assert record.error.startswith("OperationalError:") and "1205" in record.error
    finally:
        with holder.cursor() as cursor:
            cursor.execute("ROLLBACK")
        holder.close()
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION innodb_lock_wait_timeout = 50")
    assert signed_post(completed).status_code == 200
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED
