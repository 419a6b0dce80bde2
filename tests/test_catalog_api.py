"""The catalog API and page: scope-aware listing, price filters, bad values, a constant number of queries."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey

from riseup_stripe_plugin.catalog import index
from riseup_stripe_plugin.models import AudienceRule, CourseOffer, Order
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment
from sandbox.platform.models import Course

from . import factories
from .test_demo import demo  # noqa: F401  (the README's demo, started once for this module)
from .test_demo import sign_in as demo_sign_in

pytestmark = pytest.mark.django_db

API = "/riseup-stripe/api/v1/catalog/"
PAGE = "/riseup-stripe/catalog/"


def _paid(name, price, currency="eur", scopes="public", start=None):
    course, offer = factories.paid_course(price=price, currency=currency, name=name, start=start)
    if scopes != "public":
        offer.scopes = scopes
        offer.save()
    return course


@pytest.fixture
def catalog():
    """A small catalog: free, paid in three currency classes, scoped courses, one hidden from catalogs."""
    AudienceRule.objects.create(domain="acme.example", scope="internal")
    AudienceRule.objects.create(domain="partner.example", scope="partner")
    return {
        "free": factories.course(name="Open Learning 101", start=datetime(2026, 3, 1, tzinfo=UTC)),
        "eur": _paid("Selling Courses with Stripe", 4900, start=datetime(2026, 1, 1, tzinfo=UTC)),
        "jpy": _paid("Japanese for Business", 5000, "jpy", start=datetime(2026, 6, 1, tzinfo=UTC)),
        "usd": _paid("Data Literacy", 1999, "usd"),
        "internal": _paid("Internal Onboarding", 9900, scopes="internal"),
        "partner": _paid("Partner Sales Academy", 2900, scopes="partner,public"),
        "hidden": factories.course(name="About Page Only", catalog_visibility="about"),
    }


def _titles(response):
    assert response.status_code == 200, response.content.decode()[:500]
    return [row["title"] for row in response.json()["results"]]


def _get(client, **params):
    return client.get(API, params)


# --- Who sees what ----------------------------------------------------------------------------------------------

def test_anonymous_visitors_see_public_and_free_courses_only(client, catalog):
    assert _titles(_get(client)) == ["Data Literacy", "Japanese for Business", "Open Learning 101",
                                     "Partner Sales Academy", "Selling Courses with Stripe"]


def test_internal_and_public_learners_see_different_catalogs(client, catalog):
    public = ["Data Literacy", "Japanese for Business", "Open Learning 101", "Partner Sales Academy",
              "Selling Courses with Stripe"]
    client.force_login(factories.user(email="ann@acme.example"))  # public courses are offered to everyone
    assert _titles(_get(client)) == sorted([*public, "Internal Onboarding"])
    client.force_login(factories.user(email="pat@partner.example"))
    assert _titles(_get(client)) == public
    client.force_login(factories.user(email="joe@example.com"))
    assert _titles(_get(client)) == public


def test_course_fields_price_enrolled_and_bought(client, catalog):
    learner = factories.user()
    enrollment.enroll(learner, catalog["free"].id)
    offer = CourseOffer.objects.get(course_key=catalog["usd"].id)
    order = Order.objects.create(user=learner, course_key=offer.course_key, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_cat")
    order.transition(OrderState.AWAITING_PAYMENT, checkout_session_id="cs_cat")
    order.transition(OrderState.PAID)
    client.force_login(learner)
    rows = {row["title"]: row for row in _get(client).json()["results"]}
    eur = rows["Selling Courses with Stripe"]
    assert eur["course_id"] == str(catalog["eur"].id)
    assert (eur["is_paid"], eur["price"], eur["currency"], eur["price_display"]) == (
        True, 4900, "eur", "€49.00 incl. tax")
    assert eur["about_url"] == f"http://testserver/courses/{catalog['eur'].id}/about/"
    assert eur["purchase_url"] == f"http://testserver/riseup-stripe/courses/{catalog['eur'].id}/"
    assert eur["org"] == "RiseUp" and eur["purchasable"] is True
    assert (eur["enrolled"], eur["bought"]) == (False, False)
    assert rows["Data Literacy"]["bought"] is True
    assert rows["Open Learning 101"]["enrolled"] is True
    free = rows["Open Learning 101"]
    assert (free["is_paid"], free["price"], free["currency"], free["purchase_url"]) == (False, 0, "", None)
    assert rows["Japanese for Business"]["price_display"] == "¥5,000 incl. tax"


def test_prices_are_formatted_for_the_locale(client, catalog):
    rows = {row["title"]: row for row in client.get(API, HTTP_ACCEPT_LANGUAGE="fr").json()["results"]}
    assert rows["Selling Courses with Stripe"]["price_display"].replace("\u202f", " ").replace("\xa0", " ") \
        == "49,00 € TTC"


# --- Filters ----------------------------------------------------------------------------------------------------

def test_free_and_paid_filters(client, catalog):
    assert _titles(_get(client, price="free")) == ["Open Learning 101"]
    assert "Open Learning 101" not in _titles(_get(client, price="paid"))
    assert len(_titles(_get(client, price="paid"))) == 4


def test_price_range_in_each_currency_major_units(client, catalog):
    # No currency: each offer is compared in its own currency (49 EUR, 5000 JPY, 19.99 USD, 29 EUR).
    assert _titles(_get(client, min_price="20", max_price="50")) == ["Partner Sales Academy",
                                                                     "Selling Courses with Stripe"]
    assert _titles(_get(client, max_price="19.99")) == ["Data Literacy", "Open Learning 101"]
    assert _titles(_get(client, min_price="19.991")) == ["Japanese for Business", "Partner Sales Academy",
                                                         "Selling Courses with Stripe"]
    assert _titles(_get(client, min_price="1000")) == ["Japanese for Business"]
    assert _titles(_get(client, min_price="49,00", max_price="49")) == ["Selling Courses with Stripe"]


def test_currency_filter(client, catalog):
    assert _titles(_get(client, currency="JPY")) == ["Japanese for Business"]
    assert _titles(_get(client, currency="eur", max_price="30")) == ["Partner Sales Academy"]
    assert _titles(_get(client, currency="gbp")) == []  # known currency, nothing priced in it
    assert _get(client).json()["currencies"] == ["eur", "jpy", "usd"]


def test_text_search_on_title(client, catalog):
    assert _titles(_get(client, q="stripe")) == ["Selling Courses with Stripe"]
    assert _titles(_get(client, q="  COURSES   selling ")) == ["Selling Courses with Stripe"]
    assert _titles(_get(client, q="nothing like this")) == []


def test_sorting(client, catalog):
    assert _titles(_get(client, sort="-title"))[0] == "Selling Courses with Stripe"
    assert _titles(_get(client, sort="price")) == ["Open Learning 101", "Data Literacy", "Partner Sales Academy",
                                                   "Selling Courses with Stripe", "Japanese for Business"]
    assert _titles(_get(client, sort="-price"))[0] == "Japanese for Business"
    assert _titles(_get(client, sort="start"))[:3] == ["Selling Courses with Stripe", "Open Learning 101",
                                                       "Japanese for Business"]
    assert _titles(_get(client, sort="-start"))[0] == "Japanese for Business"


def test_pagination(client, catalog):
    first = _get(client, page_size="2").json()
    assert (first["count"], first["num_pages"], first["page"], first["previous"]) == (5, 3, 1, None)
    assert [r["title"] for r in first["results"]] == ["Data Literacy", "Japanese for Business"]
    second = client.get(first["next"]).json()
    assert [r["title"] for r in second["results"]] == ["Open Learning 101", "Partner Sales Academy"]
    assert "page=1" in second["previous"] and "page_size=2" in second["next"]
    assert _get(client, page="9").json()["results"] == []


@pytest.mark.parametrize("params,field,message", [
    ({"min_price": "-1"}, "min_price", "cannot be negative"),
    ({"max_price": "-0.01"}, "max_price", "cannot be negative"),
    ({"min_price": "50", "max_price": "10"}, "max_price", "must not be below the lowest price"),
    ({"currency": "xyz"}, "currency", "Unknown currency: xyz."),
    ({"currency": "euro"}, "currency", "Unknown currency"),
    ({"min_price": "cheap"}, "min_price", "is not a number"),
    ({"max_price": "NaN"}, "max_price", "is not a number"),
    ({"max_price": "1e9"}, "max_price", "above"),
    ({"price": "expensive"}, "price", "free, paid"),
    ({"sort": "popularity"}, "sort", "Sort by title, price or start"),
    ({"page": "0"}, "page", "whole number above zero"),
    ({"page": "two"}, "page", "whole number above zero"),
    ({"page_size": "1000"}, "page_size", "At most 100"),
])
def test_bad_filter_values_get_a_400_with_a_clear_message(client, catalog, params, field, message):
    response = client.get(API, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_filter"
    assert message in body["errors"][field] and message in body["message"]


def test_several_bad_values_are_all_reported(client, catalog):
    body = client.get(API, {"min_price": "-5", "currency": "zzz"}).json()
    assert set(body["errors"]) == {"min_price", "currency"}


# --- Queries ----------------------------------------------------------------------------------------------------

def _bulk_courses(count, start_at=0):
    """``count`` courses, every other one paid, in a few queries."""
    keys = [CourseKey.from_string(f"course-v1:Bulk+B{start_at + i}+2026") for i in range(count)]
    Course.objects.bulk_create([Course(id=key, display_name=f"Bulk course {start_at + i}", org="Bulk")
                                for i, key in enumerate(keys)])
    CourseOffer.objects.bulk_create([
        CourseOffer(course_key=key, is_paid=True, price=1000 + i, currency="eur",
                    scopes="public" if i % 3 else "internal")
        for i, key in enumerate(keys) if i % 2
    ])
    index.rebuild()  # bulk_create sends no signal: the backfill fills the catalog's read model
    return keys


AUTH_TABLES = ("django_session", "auth_user")


def _count_queries(client, **params):
    """Queries of one request, and those of the view alone (Django reading the session and the user apart)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(API, params)
    assert response.status_code == 200
    # Not counted: the SAVEPOINT pair of ATOMIC_REQUESTS inside the test's transaction (outside a
    # test, the request's transaction is a BEGIN/COMMIT of the connection, not a logged query).
    captured = [q for q in queries.captured_queries
                if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    view = [q for q in captured if not any(t in q["sql"] for t in AUTH_TABLES)]
    return len(captured), len(view), response.json()["count"]


@pytest.mark.parametrize("signed_in", [False, True])
def test_query_count_does_not_grow_with_the_catalog(client, signed_in):
    AudienceRule.objects.create(domain="acme.example", scope="internal")
    learner = factories.user(email="joe@example.com")  # public: the internal-only courses are filtered out
    if signed_in:
        client.force_login(learner)
    _bulk_courses(10)
    client.get(API)  # warm-up: sessions, cached payment settings
    small, small_view, small_count = _count_queries(client, page_size="100")
    small_filtered, _, _ = _count_queries(client, price="paid", max_price="20", sort="-price")
    keys = _bulk_courses(190, start_at=10)
    for key in keys[:50]:
        enrollment.enroll(learner, key)
    client.get(API)  # the new courses renewed the cached currencies: asked again once
    large, large_view, large_count = _count_queries(client, page_size="100")
    large_filtered, _, _ = _count_queries(client, price="paid", max_price="20", sort="-price")
    searched, _, _ = _count_queries(client, q="course 1", currency="eur", min_price="10.05", sort="start")
    # Every sixth course of a batch is internal only: hidden from the public learner and anonymous visitors.
    assert (small_count, large_count) == (8, 166)
    assert small == large == searched and small_filtered == large_filtered, (
        small, large, searched, small_filtered, large_filtered)
    print(f"catalog API queries, signed in={signed_in}: 10 courses {small}, 200 courses {large}")
    # The view: count, page, the page's offers, currencies; signed in, the scope and the enrollments too.
    assert large_view == small_view <= (6 if signed_in else 4)
# --- The page ---------------------------------------------------------------------------------------------------

def test_catalog_page_lists_cards_with_a_price_filter(client, catalog):
    html = client.get(PAGE).content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert 'id="price-filter"' in html
    for name in ("price-all", "price-free", "price-paid", "min_price", "max_price", "currency", "q", "sort"):
        assert f'id="{name}"' in html and f'for="{name}"' in html  # every control has its label
    assert "€49.00 incl. tax" in html and 'href="/courses/' in html and "See more" in html
    assert "Internal Onboarding" not in html
    assert 'method="get"' in html


def test_catalog_page_filters_with_a_plain_get(client, catalog):
    html = client.get(PAGE, {"price": "paid", "max_price": "20"}).content.decode()
    assert "Data Literacy" in html and "Open Learning 101" not in html and "Selling Courses" not in html
    assert 'value="20"' in html and 'value="paid" checked' in html


def test_catalog_page_explains_bad_values(client, catalog):
    response = client.get(PAGE, {"min_price": "abc", "max_price": "-3"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html and "is not a number" in html and "cannot be negative" in html
    assert 'aria-invalid="true"' in html and 'value="abc"' in html


def test_price_filter_appears_only_with_paid_courses(client):
    factories.course(name="Only Free")
    html = client.get(PAGE).content.decode()
    assert "Only Free" in html and 'id="price-filter"' not in html
    factories.paid_course(name="Now Paid")
    assert 'id="price-filter"' in client.get(PAGE).content.decode()


# --- The demo ---------------------------------------------------------------------------------------------------

def test_demo_shows_scopes_the_price_filter_and_the_buy_button(demo):  # noqa: F811
    import re

    import requests

    base, log = demo
    assert "internal    internal-pass" in log.read_text() and f"Catalog:   {base}/riseup-stripe/catalog/" in \
        log.read_text()
    internal, public = requests.Session(), requests.Session()
    demo_sign_in(internal, base, "internal", "internal-pass")
    demo_sign_in(public, base, "learner", "learner-pass")

    def titles(session, **params):
        return [row["title"] for row in session.get(base + API, params=params).json()["results"]]

    assert "Internal Onboarding" in titles(internal) and "Selling Courses with Stripe" in titles(internal)
    assert "Internal Onboarding" not in titles(public) and "Partner Sales Academy" in titles(public)
    assert titles(public, price="paid", max_price="30") == ["Data Literacy", "Partner Sales Academy"]
    page = public.get(base + PAGE, params={"price": "paid", "max_price": "30"}).text
    assert 'id="price-filter"' in page and "$19.99 incl. tax" in page and "Selling Courses" not in page

    course = "course-v1:RiseUp+INT501+2026"
    about = internal.get(f"{base}/courses/{course}/about/").text
    assert 'id="buy-link"' in about and "€99.00 incl. tax" in about
    about = public.get(f"{base}/courses/{course}/about/").text
    assert "This course is not offered to you." in about and 'id="buy-link"' not in about
    purchase = public.get(f"{base}/riseup-stripe/courses/{course}/")
    assert "This course is not offered to you." in purchase.text and 'id="buy"' not in purchase.text
    token = public.cookies["csrftoken"]  # no form on that page: post as a crafted request would
    refused = public.post(f"{base}/riseup-stripe/courses/{course}/buy/", data={"csrfmiddlewaretoken": token},
                          headers={"Referer": purchase.url}, allow_redirects=False)
    assert refused.status_code == 403 and "not offered to you" in refused.text

    # The internal learner buys it: Buy → the payment page → back enrolled.
    purchase = internal.get(f"{base}/riseup-stripe/courses/{course}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', purchase.text).group(1)
    checkout = internal.post(f"{base}/riseup-stripe/courses/{course}/buy/", data={"csrfmiddlewaretoken": token},
                             headers={"Referer": purchase.url})
    assert "/pay/cs_test_" in checkout.url and "99.00 EUR" in checkout.text
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', checkout.text))
    back = internal.post(checkout.url, data=fields)
    assert 'data-state="fulfilled"' in back.text
    rows = {row["title"]: row for row in internal.get(base + API).json()["results"]}
    assert rows["Internal Onboarding"]["enrolled"] and rows["Internal Onboarding"]["bought"]
