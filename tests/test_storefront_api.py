"""
The storefront API the MFE widgets read: one request for every card of a page, its JSON as the widgets'
fixtures describe it (frontend/test/fixtures.js), bounded work, caching, the anonymous rate limit.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from riseup_stripe_plugin.models import AudienceRule, Invoice, Order
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories

pytestmark = pytest.mark.django_db

API = "/riseup-stripe/api/v1/storefront/"

#: The fields of a course in the answer, as the widgets' fixtures have them.
COURSE_FIELDS = {"course_id", "is_paid", "price", "purchasable", "status", "reason", "message", "course_url",
                 "invoice"}


def _get(client, *ids, **extra):
    return client.get(API, {"course_id": [str(i) for i in ids]}, **extra)


def _order(user, course, offer, *states):
    order = Order.objects.create(user=user, course_key=course.id, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_s")
    for state in states:
        extra = {"checkout_session_id": f"cs_s_{order.pk}"} if state == OrderState.AWAITING_PAYMENT else {}
        order.transition(state, **extra)
    return order


def _bought(user, course, offer, number="RS-0001"):
    order = _order(user, course, offer, OrderState.AWAITING_PAYMENT, OrderState.PAID, OrderState.FULFILLED)
    enrollment.enroll(user, course.id)
    return Invoice.objects.create(order=order, user=user, course_key=course.id, stripe_invoice_id=f"in_{number}",
                                  number=number, currency=offer.currency, total=offer.price, status="paid",
                                  invoice_pdf_url="https://pay.example/invoice.pdf",
                                  hosted_invoice_url="https://pay.example/i")


def test_a_signed_in_page_in_one_answer(client):
    learner = factories.user()
    paid, _ = factories.paid_course()
    bought, bought_offer = factories.paid_course()
    pending, pending_offer = factories.paid_course()
    scoped, scoped_offer = factories.paid_course()
    scoped_offer.scopes = "partner"
    scoped_offer.save()
    free = factories.course()
    _bought(learner, bought, bought_offer)
    _order(learner, pending, pending_offer, OrderState.AWAITING_PAYMENT, OrderState.PAYMENT_PENDING)
    client.force_login(learner)

    response = _get(client, paid.id, bought.id, pending.id, scoped.id, free.id, "course-v1:No+Such+2026", "junk")
    assert response.status_code == 200
    data = response.json()
    assert (data["payment_enabled"], data["signed_in"]) == (True, True)
    assert data["purchase_endpoint"] == "http://testserver/riseup-stripe/api/v1/purchases/"
    assert data["sign_in_url"] == "http://testserver/login/"
    assert data["invoices_url"] == "http://testserver/riseup-stripe/invoices/"
    assert data["unknown"] == ["course-v1:No+Such+2026", "junk"]
    courses = data["courses"]
    assert list(courses) == [str(paid.id), str(bought.id), str(pending.id), str(scoped.id), str(free.id)]
    assert all(set(course) == COURSE_FIELDS for course in courses.values())

    assert courses[str(paid.id)] == {
        "course_id": str(paid.id), "is_paid": True,
        "price": {"amount": 4900, "currency": "EUR", "formatted": "€49.00 incl. tax", "tax_included": True},
        "purchasable": True, "status": "available", "reason": None, "message": None, "course_url": None,
        "invoice": None,
    }
    got = courses[str(bought.id)]
    assert (got["status"], got["reason"], got["purchasable"]) == ("bought", "bought", False)
    assert got["course_url"] == f"http://testserver/courses/{bought.id}/courseware/"
    assert got["invoice"] == {"number": "RS-0001", "url": "http://testserver/riseup-stripe/invoices/#invoice-in_RS-0001",
                              "pdf_url": "https://pay.example/invoice.pdf", "hosted_url": "https://pay.example/i"}
    assert (courses[str(pending.id)]["status"], courses[str(pending.id)]["reason"]) == ("pending", "pending")
    assert courses[str(pending.id)]["message"].startswith("Your payment for this course is being processed.")
    assert (courses[str(scoped.id)]["status"], courses[str(scoped.id)]["reason"],
            courses[str(scoped.id)]["message"]) == ("unavailable", "out_of_scope", "This course is not offered to you.")
    assert courses[str(free.id)] == {
        "course_id": str(free.id), "is_paid": False, "price": None, "purchasable": False, "status": "free",
        "reason": None, "message": None, "course_url": None, "invoice": None}


def test_anonymous_visitors_get_the_price_and_sign_in(client, settings):
    paid, _ = factories.paid_course()
    data = _get(client, paid.id).json()
    assert data["signed_in"] is False
    course = data["courses"][str(paid.id)]
    assert (course["status"], course["reason"], course["purchasable"]) == ("sign_in_required", "signed_out", False)
    assert course["price"]["amount"] == 4900
    settings.RISEUP_STRIPE_ENABLED = False
    data = _get(client, paid.id).json()
    assert data["payment_enabled"] is False
    assert (data["courses"][str(paid.id)]["status"], data["courses"][str(paid.id)]["reason"]) == (
        "unavailable", "payment_off")


def test_prices_and_reasons_in_the_learners_language(client):
    paid, offer = factories.paid_course()
    offer.scopes = "internal"
    offer.save()
    client.force_login(factories.user())
    course = _get(client, paid.id, HTTP_ACCEPT_LANGUAGE="fr").json()["courses"][str(paid.id)]
    assert course["price"]["formatted"].replace("\u202f", " ").replace("\xa0", " ") == "49,00 € TTC"
    assert course["message"] == "Cette formation ne vous est pas proposée."


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_same_queries_for_one_and_twenty_courses(client, signed_in):
    AudienceRule.objects.create(domain="acme.com", scope="internal")
    learner = factories.user(email="ann@acme.com")
    first, first_offer = factories.paid_course()
    courses = [first] + [factories.paid_course()[0] for _ in range(14)] + [factories.course() for _ in range(5)]
    if signed_in:
        _bought(learner, first, first_offer)
        _order(learner, courses[1], _offer(courses[1]),
               OrderState.AWAITING_PAYMENT, OrderState.PAYMENT_PENDING)
        client.force_login(learner)

    def count(ids):
        _get(client, *ids)  # the session and the user are read once, as on any page
        with CaptureQueriesContext(connection) as queries:
            response = _get(client, *ids)
        assert response.status_code == 200 and len(response.json()["courses"]) == len(ids)
        # Not counted: the session and the user, and ATOMIC_REQUESTS' savepoint pair inside the test's transaction.
        return len([q for q in queries.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
                    and "django_session" not in q["sql"] and "auth_user" not in q["sql"]])

    one, twenty = count([first.id]), count([c.id for c in courses])
    assert one == twenty
    print(f"storefront queries, signed in={signed_in}: 1 course {one}, 20 courses {twenty}")
    # The courses with their offers (the catalog's table); signed in, the learner's orders, enrollments and
    # scope, and the invoice of the bought course.
    assert twenty == (5 if signed_in else 1)


def _offer(course):
    from riseup_stripe_plugin.models import CourseOffer

    return CourseOffer.objects.get(course_key=course.id)


def test_anonymous_answers_are_public_and_signed_in_ones_private(client):
    paid, _ = factories.paid_course()
    anonymous = _get(client, paid.id)
    assert "public" in anonymous["Cache-Control"] and "max-age=60" in anonymous["Cache-Control"]
    vary = {part.strip() for part in anonymous["Vary"].split(",")}
    assert {"Cookie", "Authorization", "Accept-Language"} <= vary
    client.force_login(factories.user())
    private = _get(client, paid.id)
    assert "private" in private["Cache-Control"] and "public" not in private["Cache-Control"]
    assert "Cookie" in private["Vary"]


def test_anonymous_callers_are_rate_limited_per_address(client, settings):
    settings.RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE = "3/m"
    paid, _ = factories.paid_course()
    for _ in range(3):
        assert _get(client, paid.id).status_code == 200
    refused = _get(client, paid.id)
    assert refused.status_code == 429
    body = refused.json()
    assert body["error"] == "rate_limited" and body["retry_after"] >= 1
    assert refused["Retry-After"] == str(body["retry_after"])
    assert "Too many attempts" in body["message"]
    assert "no-store" in refused["Cache-Control"]
    # Another address is counted on its own; a signed-in learner is not limited by it.
    assert _get(client, paid.id, REMOTE_ADDR="10.0.0.2").status_code == 200
    client.force_login(factories.user())
    assert _get(client, paid.id).status_code == 200


def test_the_catalog_api_shares_the_anonymous_rate(client, settings):
    settings.RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE = "2/m"
    factories.paid_course()
    catalog = "/riseup-stripe/api/v1/catalog/"
    assert [client.get(catalog).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(catalog).json()["error"] == "rate_limited"
    client.force_login(factories.user())
    assert client.get(catalog).status_code == 200


def test_course_ids_are_capped_and_required(client):
    too_many = [f"course-v1:Org+C{n}+2026" for n in range(101)]
    response = client.get(API, {"course_id": too_many})
    assert response.status_code == 400
    assert response.json() == {"error": "too_many_courses", "message": "Ask for at most 100 courses at once."}
    assert client.get(API, {"course_id": too_many[:100]}).status_code == 200
    french = client.get(API, {"course_id": too_many}, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["message"] == "Demandez au plus 100 formations à la fois."
    assert client.get(API).json()["error"] == "course_id_required"


def test_a_rate_that_cannot_be_read_is_a_system_check_error(settings):
    from riseup_stripe_plugin.checks import check_rates

    settings.RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE = "lots"
    assert [error.id for error in check_rates()] == ["riseup_stripe.E016"]
    settings.RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE = "120/m"
    assert check_rates() == []


def test_the_storefront_is_an_lms_route_only():
    assert reverse("riseup_stripe:api_storefront") == API


def test_the_widgets_know_every_reason_the_api_sends():
    """The widgets put each reason in their own words (frontend/src/widgets/reasons.js): none may be missing."""
    import re
    from pathlib import Path

    from riseup_stripe_plugin.orders import eligibility as decision

    source = (Path(__file__).resolve().parent.parent / "frontend/src/widgets/reasons.js").read_text()
    known = set(re.findall(r"^\s+(\w+): messages\.\w+,$", source, flags=re.M))
    sent = set(decision.REASONS)
    assert sent and known
    assert sent <= known, f"reasons the widgets do not know: {sorted(sent - known)}"
