"""One decision, "can this person buy this course now, and if not, why", and every place that shows it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from riseup_stripe_plugin.models import AudienceRule, Order, StripeCustomer
from riseup_stripe_plugin.orders.eligibility import eligibilities, eligibility
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment
from sandbox.platform.models import CourseEnrollment

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_stripe(settings):
    # Nothing listens there: a Stripe call would fail the test with a 503.
    settings.RISEUP_STRIPE_API_BASE = "http://127.0.0.1:9"


def _order(user, course, offer, *states):
    order = Order.objects.create(user=user, course_key=course.id, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_e")
    for state in states:
        extra = {"checkout_session_id": f"cs_e_{order.pk}"} if state == OrderState.AWAITING_PAYMENT else {}
        order.transition(state, **extra)
    return order


PENDING = (OrderState.AWAITING_PAYMENT, OrderState.PAYMENT_PENDING)
BOUGHT = (OrderState.AWAITING_PAYMENT, OrderState.PAID, OrderState.FULFILLED)


def test_each_reason_has_its_code_sentence_and_link(settings):
    learner = factories.user()
    course, offer = factories.paid_course()
    decision = eligibility(learner, course.id)
    assert decision.can_buy and decision.code == "available"
    assert decision.link.url == reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})
    assert decision.link.label == "Buy – €49.00 incl. tax"

    anonymous = eligibility(AnonymousUser(), course.id)
    assert (anonymous.code, anonymous.message, anonymous.http_status) == (
        "signed_out", "Sign in to buy this course.", 401)
    assert anonymous.link.url.startswith("/login/?next=") and anonymous.link.label == "Sign in to buy"
    assert anonymous.storefront_status == "sign_in_required"

    free = factories.course()
    assert eligibility(learner, free.id).code == "free"

    settings.RISEUP_STRIPE_ENABLED = False
    off = eligibility(learner, course.id)
    assert (off.code, off.message, off.link) == (
        "payment_off", "This course is not available for purchase right now.", None)
    assert eligibility(AnonymousUser(), course.id).code == "payment_off"  # signing in would not help
    settings.RISEUP_STRIPE_ENABLED = True

    offer.active = False
    offer.save()
    assert eligibility(learner, course.id).code == "not_on_sale"
    offer.active, offer.scopes = True, "internal"
    offer.save()
    scoped = eligibility(learner, course.id)
    assert (scoped.code, scoped.http_status, scoped.message) == ("out_of_scope", 403,
                                                                 "This course is not offered to you.")
    hidden = eligibility(AnonymousUser(), course.id)
    assert hidden.code == "signed_out" and "not offered to the public" in hidden.message


def test_what_the_learner_holds_comes_before_payment_and_sale(settings):
    learner = factories.user()
    course, offer = factories.paid_course()
    _order(learner, course, offer, *PENDING)
    pending = eligibility(learner, course.id)
    assert (pending.code, pending.storefront_status) == ("pending", "pending")
    assert "being processed" in pending.message

    buyer = factories.user()
    _order(buyer, course, offer, *BOUGHT)
    enrollment.enroll(buyer, course.id)
    settings.RISEUP_STRIPE_ENABLED = False  # bought stays bought while payment is off
    bought = eligibility(buyer, course.id)
    assert (bought.code, bought.storefront_status, bought.link.label) == ("bought", "bought", "View course")
    assert bought.link.url == reverse("sandbox:courseware", args=[str(course.id)])

    settings.RISEUP_STRIPE_ENABLED = True
    staff_enrolled = factories.user()
    enrollment.enroll(staff_enrolled, course.id)  # no request: a back-office enrollment
    assert eligibility(staff_enrolled, course.id).code == "already_enrolled"

    flagged = factories.user()
    _order(flagged, course, offer, OrderState.AWAITING_PAYMENT, OrderState.FLAGGED)
    assert eligibility(flagged, course.id).code == "flagged"

    # An open checkout is not a reason: Buy sends the learner back to it.
    returning = factories.user()
    _order(returning, course, offer, OrderState.AWAITING_PAYMENT)
    assert eligibility(returning, course.id).can_buy


def test_enrollment_dates_and_invitations():
    learner = factories.user()
    now = timezone.now()
    closed, _ = factories.paid_course(enrollment_end=now - timedelta(days=1))
    later, _ = factories.paid_course(enrollment_start=now + timedelta(days=3))
    ended, _ = factories.paid_course(end=now - timedelta(days=1))
    invited, _ = factories.paid_course(invitation_only=True)
    assert eligibility(learner, closed.id).code == "enrollment_closed"
    assert eligibility(learner, ended.id).message == "This course has ended."
    assert eligibility(learner, later.id).code == "not_open_yet"
    assert (eligibility(learner, invited.id).code, eligibility(learner, invited.id).http_status) == (
        "invitation_only", 403)


def test_a_page_of_decisions_costs_the_same_for_one_and_twenty_courses():
    AudienceRule.objects.create(domain="acme.com", scope="internal")
    learner = factories.user(email="ann@acme.com")
    courses = [factories.paid_course()[0] for _ in range(20)]

    def count(keys):
        with CaptureQueriesContext(connection) as queries:
            decisions = eligibilities(learner, keys)
        return len(queries), decisions

    one, _ = count([courses[0].id])
    twenty, decisions = count([c.id for c in courses])
    assert one == twenty
    assert all(d.can_buy for d in decisions.values())
    print(f"eligibility queries for a page: {one}")


def test_bulk_and_single_decisions_agree(settings):
    learner = factories.user()
    paid, offer = factories.paid_course()
    pending, pending_offer = factories.paid_course()
    bought, bought_offer = factories.paid_course()
    _order(learner, pending, pending_offer, *PENDING)
    _order(learner, bought, bought_offer, *BOUGHT)
    free = factories.course()
    keys = [paid.id, pending.id, bought.id, free.id]
    page = eligibilities(learner, keys)
    assert {key: d.code for key, d in page.items()} == {key: eligibility(learner, key).code for key in keys}
    assert [page[key].code for key in keys] == ["available", "pending", "bought", "free"]


# --- The purchase page and the Buy POST ------------------------------------------------------------------------

def test_purchase_page_shows_a_pending_payment_instead_of_buy(client):
    learner = factories.user()
    course, offer = factories.paid_course()
    _order(learner, course, offer, *PENDING)
    client.force_login(learner)
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})).content.decode()
    assert 'id="buy"' not in page
    assert 'data-reason="pending"' in page and "Your payment for this course is being processed." in page
    response = client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)}))
    assert response.status_code == 409 and 'id="buy"' not in response.content.decode()
    assert not StripeCustomer.objects.exists()


def test_purchase_page_links_where_there_is_somewhere_to_go(client, settings):
    learner = factories.user()
    course, offer = factories.paid_course()
    _order(learner, course, offer, *BOUGHT)
    client.force_login(learner)
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})).content.decode()
    assert f'href="{reverse("sandbox:courseware", args=[str(course.id)])}"' in page and "View course" in page
    settings.RISEUP_STRIPE_ENABLED = False
    other = factories.user()
    client.force_login(other)
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})).content.decode()
    assert 'data-reason="payment_off"' in page and 'id="buy"' not in page


def test_purchases_api_answers_the_decision_code(client):
    learner = factories.user()
    course, offer = factories.paid_course()
    _order(learner, course, offer, *PENDING)
    client.force_login(learner)
    response = client.post("/riseup-stripe/api/v1/purchases/", {"course_id": str(course.id)},
                           content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"] == "pending"


# --- The catalog API's "purchasable" ---------------------------------------------------------------------------

def _catalog_row(client, course):
    rows = {row["course_id"]: row for row in client.get("/riseup-stripe/api/v1/catalog/").json()["results"]}
    return rows[str(course.id)]


def test_catalog_purchasable_means_this_person_can_buy_it_now(client, settings):
    course, offer = factories.paid_course()
    anonymous = _catalog_row(client, course)
    assert (anonymous["purchasable"], anonymous["reason"]) == (False, "signed_out")
    assert anonymous["reason_message"] == "Sign in to buy this course."

    learner = factories.user()
    client.force_login(learner)
    row = _catalog_row(client, course)
    assert (row["purchasable"], row["reason"], row["reason_message"]) == (True, None, "")

    settings.RISEUP_STRIPE_ENABLED = False
    assert (_catalog_row(client, course)["purchasable"], _catalog_row(client, course)["reason"]) == (
        False, "payment_off")
    settings.RISEUP_STRIPE_ENABLED = True

    _order(learner, course, offer, *BOUGHT)
    row = _catalog_row(client, course)
    assert (row["purchasable"], row["reason"], row["bought"]) == (False, "bought", True)

    free = factories.course()
    row = _catalog_row(client, free)
    assert (row["purchasable"], row["reason"]) == (False, None)


# --- The enrollment gate's refusal: one true sentence ----------------------------------------------------------

def _refusal(client, learner, course):
    client.force_login(learner)
    response = client.post(reverse("sandbox:enroll", args=[str(course.id)]), follow=True)
    assert not CourseEnrollment.objects.filter(user=learner, course_id=course.id).exists()
    return response.content.decode()


def test_gate_says_buy_with_the_full_address_when_the_course_can_be_bought(client):
    course, _ = factories.paid_course()
    page = _refusal(client, factories.user(), course)
    url = "http://testserver" + reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})
    assert f"This course is paid. Buy it to enroll: {url}" in page


def test_gate_with_payment_off_says_only_that(client, settings):
    settings.RISEUP_STRIPE_ENABLED = False
    course, _ = factories.paid_course()
    page = _refusal(client, factories.user(), course)
    assert "This course is not available for purchase right now." in page
    assert "Buy it to enroll" not in page and "/riseup-stripe/courses/" not in page


def test_gate_tells_a_learner_whose_payment_is_on_its_way(client):
    learner = factories.user()
    course, offer = factories.paid_course()
    _order(learner, course, offer, *PENDING)
    page = _refusal(client, learner, course)
    assert "Your payment for this course is being processed." in page and "Buy it to enroll" not in page


def test_gate_refusal_with_payment_off_stays_cheap(settings):
    from crum import set_current_request
    from django.test import RequestFactory
    from openedx_filters.learning.filters import CourseEnrollmentStarted

    from riseup_stripe_plugin.enrollment.gate import PaidCourseEnrollmentGate

    settings.RISEUP_STRIPE_ENABLED = False
    course, _ = factories.paid_course()
    learner = factories.user()
    request = RequestFactory().post("/")
    request.user = learner
    set_current_request(request)
    step = PaidCourseEnrollmentGate(CourseEnrollmentStarted.filter_type, [])
    try:
        with CaptureQueriesContext(connection) as refused, \
                pytest.raises(CourseEnrollmentStarted.PreventEnrollment, match="right now"):
            step.run_filter(user=learner, course_key=course.id, mode="audit")
    finally:
        set_current_request(None)
    # The offer with what the learner holds (1), the back-office checks (2); no scope, no course read.
    assert len(refused) <= 3


def test_sign_in_links_follow_the_configured_login_page(settings):
    """A site whose sign-in is the authn MFE sends the plugin's "sign in" links there, coming back after."""
    course, _offer = factories.paid_course()
    settings.RISEUP_STRIPE_LOGIN_URL = "https://apps.example.com/authn/login"
    link = eligibility(AnonymousUser(), course.id).link.url
    purchase = reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})
    assert link.startswith("https://apps.example.com/authn/login?next=")
    from urllib.parse import parse_qs, urlsplit

    assert parse_qs(urlsplit(link).query)["next"] == [purchase]
