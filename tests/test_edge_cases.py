"""
The corners where payment plugins lose money or give courses away: events in the wrong order,
payments flagged for review, courses that cannot be enrolled in, invitations, unverified emails.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from riseup_stripe_plugin.catalog.audience import learner_scope
from riseup_stripe_plugin.models import AudienceRule, Invoice, InvoiceStatus, Order, StripeCustomer
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment
from sandbox.platform.models import Course, CourseEnrollmentAllowed

from . import factories
from .conftest import wait_for
from .test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(client):
    from django.test import Client

    admin = Client()
    admin.force_login(factories.user("boss", is_staff=True, is_superuser=True))
    return admin


def test_refund_arriving_before_the_payment_event_cancels_instead_of_enrolling(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pause_webhooks()
    session = stripe.pay(order.checkout_session_id)
    stripe.client().v1.refunds.create(params={"payment_intent": session["payment_intent"]})  # the Dashboard
    events = {e["type"]: e["id"] for e in stripe.events()}
    # The refund first, then the payment's own events.
    stripe.redeliver(events["charge.refunded"], events["checkout.session.completed"], events["invoice.paid"])
    wait_for(lambda: Order.objects.get(pk=order.pk).state == OrderState.CANCELLED, message="the cancellation")
    assert not enrollment.is_enrolled(learner, course.id)
    assert Invoice.objects.get(order=order).status == InvoiceStatus.CANCELLED


def test_flagged_payment_keeps_its_ids_blocks_a_second_payment_and_can_be_released(
        client, admin_client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order = buy(client, learner, course)
    Order.objects.filter(pk=order.pk).update(amount=100)  # what Stripe charges no longer matches
    stripe.pay(order.checkout_session_id)
    wait_for(lambda: Order.objects.get(pk=order.pk).state == OrderState.FLAGGED, message="the flag")
    order.refresh_from_db()
    assert order.payment_intent_id.startswith("pi_") and order.stripe_invoice_id.startswith("in_")
    # The learner is not offered to pay a second time while the first payment is reviewed.
    response = client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)}))
    assert response.status_code == 409 and "being reviewed" in response.content.decode()
    # The administrator checked it: enroll.
    admin_client.post(reverse("admin:riseup_stripe_plugin_order_changelist"),
                      {"action": "release_flagged", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED and enrollment.is_enrolled(learner, course.id)


def test_flagged_payment_cancelled_by_the_admin_is_really_refunded(client, admin_client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order = buy(client, learner, course)
    Order.objects.filter(pk=order.pk).update(amount=100)
    stripe.pay(order.checkout_session_id)
    wait_for(lambda: Order.objects.get(pk=order.pk).state == OrderState.FLAGGED, message="the flag")
    invoice = wait_for(lambda: Invoice.objects.filter(order=order, stripe_status="paid").first(), message="invoice")
    response = admin_client.post(reverse("admin:riseup_stripe_plugin_invoice_cancel", args=[invoice.pk]),
                                 {"reason": "amount mismatch", "stripe_reason": "order_change", "confirm": "yes"})
    assert response.status_code in (200, 302)
    wait_for(lambda: Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.CANCELLED, message="cancelled")
    order.refresh_from_db()
    intent = stripe.client().v1.payment_intents.retrieve(order.payment_intent_id)
    charge = stripe.client().v1.charges.retrieve(intent.latest_charge)
    assert charge.amount_refunded == 4900
    assert Order.objects.get(pk=order.pk).state == OrderState.CANCELLED


@pytest.mark.parametrize("change,code", [
    ({"invitation_only": True}, "by invitation only"),
    ({"enrollment_end": -1}, "Enrollment in this course is closed"),
    ({"enrollment_start": +3}, "Enrollment in this course opens on"),
    ({"end": -1}, "This course has ended"),
])
def test_courses_that_cannot_be_enrolled_in_are_not_sold(client, stripe, change, code):
    learner = factories.user()
    course, _ = factories.paid_course()
    values = {k: (timezone.now() + timedelta(days=v) if k != "invitation_only" else v) for k, v in change.items()}
    Course.objects.filter(id=course.id).update(**values)
    client.force_login(learner)
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)}))
    assert code in page.content.decode() and 'id="buy"' not in page.content.decode()
    response = client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)}))
    assert response.status_code in (403, 409) and code in response.content.decode()
    assert not Order.objects.exists() and not StripeCustomer.objects.exists()
    assert stripe.requests() == []


def test_an_invitation_opens_a_paid_course_once(client):
    staff = factories.user(is_staff=True)
    course, _ = factories.paid_course()
    CourseEnrollmentAllowed.objects.create(email="guest@example.com", course_id=course.id, created_by=staff)
    client.post(reverse("sandbox:register"), {"username": "guest", "email": "guest@example.com",
                                              "password1": "a-Long-pass-123", "password2": "a-Long-pass-123"})
    from django.contrib.auth import get_user_model

    guest = get_user_model().objects.get(username="guest")
    assert enrollment.is_enrolled(guest, course.id)
    enrollment.unenroll(guest, course.id)
    client.post(reverse("sandbox:enroll", args=[str(course.id)]))  # back in by the old invitation? No.
    assert not enrollment.is_enrolled(guest, course.id)


def test_domain_rules_trust_only_activated_accounts():
    AudienceRule.objects.create(domain="acme.example", scope="internal")
    active = factories.user(email="ann@acme.example")
    pending = factories.user(email="bob@acme.example", is_active=False)
    assert learner_scope(active) == "internal"
    assert learner_scope(pending) == "public"
