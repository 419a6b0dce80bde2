"""Starting purchases is rate-limited per learner and per address, with a clear 429 before any Stripe call."""

import pytest
from django.urls import reverse

from riseup_stripe_plugin.models import Order
from riseup_stripe_plugin.web.ratelimit import Rate, RateLimited, check_rate, parse_rate

from . import factories

pytestmark = pytest.mark.django_db


def test_rates_are_parsed():
    assert parse_rate("10/m") == Rate(10, 60)
    assert parse_rate("20/10m") == Rate(20, 600)
    assert parse_rate("100/h") == Rate(100, 3600)
    assert parse_rate("") is None and parse_rate(None) is None
    with pytest.raises(ValueError):
        parse_rate("ten a minute")
    with pytest.raises(ValueError, match="at least 1"):  # a window of no time: a division by zero later
        parse_rate("20/0m")


def test_a_rate_with_a_zero_period_is_a_system_check_error(settings):
    from riseup_stripe_plugin.checks import check_rates

    settings.RISEUP_STRIPE_PURCHASE_RATE = "20/0m"
    assert [error.id for error in check_rates()] == ["riseup_stripe.E016"]
    settings.RISEUP_STRIPE_PURCHASE_RATE = "20/10m"
    assert check_rates() == []


def test_each_key_has_its_own_count():
    for _ in range(2):
        check_rate("test", ["a"], "2/h")
    with pytest.raises(RateLimited) as refused:
        check_rate("test", ["a"], "2/h")
    assert 1 <= refused.value.retry_after <= 3600
    check_rate("test", ["b"], "2/h")  # another key is not affected


def _sessions_created(stripe):
    return len(stripe.client().v1.checkout.sessions.list().data)


def test_the_purchase_api_answers_429_json_before_any_stripe_call(client, stripe, settings):
    settings.RISEUP_STRIPE_PURCHASE_RATE = "2/h"
    learner = factories.user()
    client.force_login(learner)
    courses = [factories.paid_course()[0] for _ in range(3)]
    for course in courses[:2]:
        response = client.post(reverse("riseup_stripe:api_purchase"), {"course_id": str(course.id)},
                               content_type="application/json")
        assert response.status_code == 201
    made = _sessions_created(stripe)
    response = client.post(reverse("riseup_stripe:api_purchase"), {"course_id": str(courses[2].id)},
                           content_type="application/json")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    body = response.json()
    assert body["error"] == "rate_limited" and "Too many attempts" in body["message"] and body["retry_after"] >= 1
    assert _sessions_created(stripe) == made and not Order.objects.filter(course_key=courses[2].id).exists()


def test_the_buy_form_answers_a_429_page_and_the_limit_is_per_address_too(client, stripe, settings):
    settings.RISEUP_STRIPE_PURCHASE_RATE = "1/h"
    first, second = factories.user(), factories.user()
    course_a, _ = factories.paid_course()
    course_b, _ = factories.paid_course()
    client.force_login(first)
    assert client.post(reverse("riseup_stripe:start_purchase", args=[str(course_a.id)])).status_code == 303
    client.force_login(second)  # another learner, the same address
    response = client.post(reverse("riseup_stripe:start_purchase", args=[str(course_b.id)]))
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert not Order.objects.filter(user=second).exists()
    client.force_login(factories.user())  # a third learner, elsewhere
    other_address = client.post(reverse("riseup_stripe:start_purchase", args=[str(course_b.id)]),
                                REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 303
