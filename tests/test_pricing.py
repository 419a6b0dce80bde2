"""Putting a price on a course: the admin form and the course team's API, with Stripe kept in step."""

import pytest
from django.urls import reverse

from riseup_stripe_plugin.models import CourseOffer

from . import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(client):
    client.force_login(factories.user("root", is_staff=True, is_superuser=True))
    return client


def _add(admin_client, **data):
    form = {"course_id": "", "is_paid": "on", "price_major": "", "currency": "eur", "active": "on",
            "enrollment_mode": "", **factories.OFFER_CHANGES_INLINE}
    form.update(data)
    return admin_client.post(reverse("admin:riseup_stripe_plugin_courseoffer_add"),
                             {k: v for k, v in form.items() if v is not None})


def test_admin_makes_a_course_paid_and_purchasable(admin_client, stripe):
    course = factories.course()
    response = _add(admin_client, course_id=str(course.id), price_major="49.00", currency="EUR")
    assert response.status_code == 302, response.content.decode()[:3000]
    offer = CourseOffer.objects.get(course_key=course.id)
    assert (offer.price, offer.currency, offer.is_paid, offer.active) == (4900, "eur", True, True)
    price = stripe.client().v1.prices.retrieve(offer.stripe_price_id)
    assert (price.unit_amount, price.currency, price.tax_behavior) == (4900, "eur", "inclusive")
    # Purchasable by itself: the purchase page offers the Buy button.
    learner = factories.user()
    admin_client.force_login(learner)
    page = admin_client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)}))
    assert 'id="buy"' in page.content.decode()


@pytest.mark.parametrize("price,currency,message", [
    ("-5", "eur", "cannot be negative"),
    ("10000000", "eur", "above 999999"),
    ("abc", "eur", "is not a number"),
    ("49.001", "eur", "has more"),
    ("12.5", "jpy", "has more"),
    ("10", "xyz", "Unknown currency"),
    ("0", "eur", "above zero"),
    ("", "eur", "needs a price"),
])
def test_admin_bad_prices_get_clear_errors(admin_client, stripe, price, currency, message):
    course = factories.course()
    response = _add(admin_client, course_id=str(course.id), price_major=price, currency=currency)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CourseOffer.objects.exists()


def test_admin_unknown_course_is_refused(admin_client, stripe):
    response = _add(admin_client, course_id="course-v1:Nobody+Nothing+2026", price_major="10")
    assert "Unknown course" in response.content.decode()
    response = _add(admin_client, course_id="not a key", price_major="10")
    assert "Not a course id" in response.content.decode()


def test_admin_price_change_creates_a_new_price_and_archives_the_old(admin_client, stripe):
    course = factories.course()
    _add(admin_client, course_id=str(course.id), price_major="49.00")
    offer = CourseOffer.objects.get()
    old_price = offer.stripe_price_id
    response = admin_client.post(reverse("admin:riseup_stripe_plugin_courseoffer_change", args=[offer.pk]), {
        "is_paid": "on", "price_major": "59.00", "currency": "eur", "active": "on", "enrollment_mode": "",
        **factories.OFFER_CHANGES_INLINE})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.price == 5900 and offer.stripe_price_id != old_price
    client = stripe.client()
    assert client.v1.prices.retrieve(old_price).active is False
    assert client.v1.prices.retrieve(offer.stripe_price_id).unit_amount == 5900


def test_admin_saves_even_when_stripe_is_down(admin_client, stripe):
    course = factories.course()
    stripe.add_fault("/v1/products", status=503)
    response = _add(admin_client, course_id=str(course.id), price_major="19.99", currency="usd")
    assert response.status_code == 302
    offer = CourseOffer.objects.get()
    assert offer.price == 1999 and offer.stripe_price_id == ""
    messages = admin_client.get(response["Location"]).content.decode()
    assert "Stripe could not be updated" in messages


def _offer_url(course):
    return reverse("riseup_stripe:api_offer", kwargs={"course_id": str(course.id)})


def test_finance_admin_sets_the_price_through_the_api(client, stripe):
    course = factories.course()
    finance = factories.user()
    factories.role(finance, course, "finance_admin")
    client.force_login(finance)
    response = client.put(_offer_url(course), {"is_paid": True, "price": "5000", "currency": "JPY"},
                          content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["price_minor"] == 5000 and body["currency"] == "jpy" and body["stripe_price_id"]
    assert client.get(_offer_url(course)).json()["is_paid"] is True
    bad = client.put(_offer_url(course), {"is_paid": True, "price": "49.5", "currency": "jpy"},
                     content_type="application/json")
    assert bad.status_code == 400 and "has more" in bad.json()["price"][0]
    scoped = client.put(_offer_url(course), {"is_paid": True, "price": "5000", "currency": "jpy",
                                             "scopes": ["partner", "internal"]}, content_type="application/json")
    assert scoped.json()["scopes"] == ["internal", "partner"]
    assert CourseOffer.objects.get(course_key=course.id).scopes == "internal,partner"
    unknown = client.put(_offer_url(course), {"is_paid": True, "price": "5000", "currency": "jpy",
                                              "scopes": ["everyone"]}, content_type="application/json")
    assert unknown.status_code == 400 and "Unknown audience scope" in unknown.json()["scopes"][0]


def test_only_that_course_team_may_price_it(client, stripe):
    course, other = factories.course(), factories.course()
    outsider = factories.user()
    factories.role(outsider, other, "instructor")
    client.force_login(outsider)
    response = client.put(_offer_url(course), {"is_paid": True, "price": "1"}, content_type="application/json")
    assert response.status_code == 403
    learner = factories.user()
    client.force_login(learner)
    assert client.get(_offer_url(course)).status_code == 403
    client.logout()
    assert client.get(_offer_url(course)).status_code in (401, 403)
    assert not CourseOffer.objects.exists()
    client.force_login(outsider)  # who is not on a team learns nothing of which courses exist
    assert client.get("/riseup-stripe/api/v1/courses/course-v1:No+Such+2026/offer/").status_code == 403
    client.force_login(factories.user(is_staff=True))
    assert client.get("/riseup-stripe/api/v1/courses/course-v1:No+Such+2026/offer/").status_code == 404


def test_studio_mounts_the_pricing_api():
    from riseup_stripe_plugin import urls_cms

    assert [p.name for p in urls_cms.urlpatterns] == ["api_offer"]


@pytest.mark.parametrize("price, currency, field, message", [
    ("0.40", "eur", "price", "Stripe charges at least €0.50."),
    ("40", "jpy", "price", "Stripe charges at least ¥50."),
    ("5000.50", "isk", "price", "Stripe charges ISK in whole units only"),
    ("10", "xau", "currency", "Stripe does not accept payments in XAU."),
])
def test_what_stripe_refuses_is_refused_at_pricing(client, admin_client, stripe, price, currency, field, message):
    course = factories.course()
    response = _add(admin_client, course_id=str(course.id), price_major=price, currency=currency)
    assert response.status_code == 200 and message in response.content.decode().replace("\xa0", " ")
    staff = factories.user(is_staff=True)
    client.force_login(staff)
    api = client.put(_offer_url(course), {"is_paid": True, "price": price, "currency": currency},
                     content_type="application/json")
    assert api.status_code == 400 and message in api.json()[field][0].replace("\xa0", " ")
    assert not CourseOffer.objects.exists()


def test_ugx_prices_go_to_stripe_in_hundredths(client, stripe):
    course = factories.course()
    client.force_login(factories.user(is_staff=True))
    body = client.put(_offer_url(course), {"is_paid": True, "price": "20000", "currency": "ugx"},
                      content_type="application/json").json()
    assert body["price_minor"] == 2_000_000 and body["price"] == "20000"
    assert stripe.client().v1.prices.retrieve(body["stripe_price_id"]).unit_amount == 2_000_000
