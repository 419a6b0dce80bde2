"""A purchase that cannot start is refused with a clear message and creates nothing (no Stripe call)."""

import pytest
from django.urls import reverse

from riseup_stripe_plugin.models import Order, StripeCustomer
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_stripe(settings):
    # Nothing listens there: any Stripe call would fail the test with a 503.
    settings.RISEUP_STRIPE_API_BASE = "http://127.0.0.1:9"


def _buy(client, course):
    return client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)}))


def _nothing_created():
    assert Order.objects.count() == 0
    assert StripeCustomer.objects.count() == 0


def test_anonymous_visitor_is_sent_to_sign_in(client):
    course, _ = factories.paid_course()
    response = _buy(client, course)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    _nothing_created()


def test_purchase_page_offers_sign_in_to_anonymous_visitors(client):
    course, _ = factories.paid_course()
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)}))
    assert page.status_code == 200
    assert "Sign in to buy" in page.content.decode()
    assert 'id="buy"' not in page.content.decode()


@pytest.mark.parametrize("case,message", [
    ("disabled", "not available for purchase right now"),
    ("free", "This course is free"),
    ("inactive", "not available for purchase."),
    ("enrolled", "already enrolled"),
    ("bought", "already bought"),
])
def test_refusals(client, settings, case, message):
    learner = factories.user()
    course, offer = factories.paid_course()
    if case == "disabled":
        settings.RISEUP_STRIPE_ENABLED = False
    elif case == "free":
        offer.is_paid = False
        offer.save()
    elif case == "inactive":
        offer.active = False
        offer.save()
    elif case == "enrolled":
        enrollment.enroll(learner, course.id)  # no request: like a back-office command
    elif case == "bought":
        order = Order.objects.create(user=learner, course_key=course.id, offer=offer, amount=offer.price,
                                     currency=offer.currency, stripe_price_id="price_b")
        order.transition(OrderState.AWAITING_PAYMENT, checkout_session_id="cs_b")
        order.transition(OrderState.PAID)
        order.transition(OrderState.FULFILLED)
    client.force_login(learner)
    response = _buy(client, course)
    assert response.status_code == 409
    assert message in response.content.decode()
    assert Order.objects.exclude(state=OrderState.FULFILLED).count() == 0
    assert StripeCustomer.objects.count() == 0


def test_unknown_course_is_404(client):
    client.force_login(factories.user())
    assert client.post("/riseup-stripe/courses/course-v1:No+Such+2026/buy/").status_code == 404
    assert client.post("/riseup-stripe/courses/not-a-course-key/buy/").status_code == 404
    _nothing_created()


def test_purchase_requires_post_with_csrf(client):
    from django.test import Client

    learner = factories.user()
    course, _ = factories.paid_course()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)})).status_code == 403
    client.force_login(learner)
    assert client.get(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)})).status_code == 405
    _nothing_created()


def test_stripe_down_creates_no_session_and_says_so(client):
    learner = factories.user()
    course, _ = factories.paid_course()
    client.force_login(learner)
    response = _buy(client, course)
    assert response.status_code == 503
    assert "Stripe cannot be reached" in response.content.decode()
    assert not Order.objects.filter(checkout_session_id__isnull=False).exists()


def test_api_refusal_is_json(client):
    learner = factories.user()
    course, offer = factories.paid_course()
    offer.is_paid = False
    offer.save()
    client.force_login(learner)
    response = client.post("/riseup-stripe/api/v1/purchases/", {"course_id": str(course.id)},
                           content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"] == "free"
