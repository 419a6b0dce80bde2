"""Who may change a price (money roles, not the whole course team) and the record of every change."""

import pytest
from django.urls import reverse

from riseup_stripe_plugin.models import CourseOffer, OfferChange

from . import factories

pytestmark = pytest.mark.django_db


def _url(course):
    return reverse("riseup_stripe:api_offer", kwargs={"course_id": str(course.id)})


def _put(client, course, body):
    return client.put(_url(course), body, content_type="application/json")


# Transactional: the price API is outside the request transaction (it calls Stripe), and DRF marks any
# open transaction for rollback when it answers 403; inside the test's own transaction that would be the test's.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["instructor", "staff"])
def test_the_course_team_reads_the_price_but_cannot_change_it(client, role):
    course, offer = factories.paid_course(price=4900)
    member = factories.user()
    factories.role(member, course, role)
    client.force_login(member)
    assert client.get(_url(course)).json()["price_minor"] == 4900
    for body in ({"is_paid": False}, {"price": "0.01"}, {"currency": "usd", "price": "49.00"}, {"active": False},
                 {"scopes": ["internal"]}):
        response = _put(client, course, body)
        assert response.status_code == 403, body
        assert "finance or sales admins" in response.json()["detail"]
    offer.refresh_from_db()
    assert (offer.is_paid, offer.price, offer.currency, offer.active, offer.scopes) == (True, 4900, "eur", True,
                                                                                       "public")
    assert not OfferChange.objects.exists()


@pytest.mark.parametrize("role", ["finance_admin", "sales_admin", "global_staff"])
def test_money_roles_change_the_price_and_each_change_is_recorded(client, role):
    course, offer = factories.paid_course(price=4900)
    actor = factories.user(is_staff=role == "global_staff")
    if role != "global_staff":
        factories.role(actor, course, role)
    client.force_login(actor)
    response = _put(client, course, {"price": "59.00"})
    assert response.status_code == 200, response.content
    change = OfferChange.objects.get()
    assert change.actor == actor and change.source == OfferChange.Source.STUDIO and change.offer == offer
    assert change.before["price"] == 4900 and change.after["price"] == 5900
    assert change.before["currency"] == change.after["currency"] == "eur"
    # The same values again change nothing, and record nothing.
    assert _put(client, course, {"price": "59.00"}).status_code == 200
    assert OfferChange.objects.count() == 1


def test_an_absent_field_changes_nothing(client):
    course, offer = factories.paid_course(price=4900)
    offer.active = False  # an administrator took it off sale
    offer.save()
    client.force_login(factories.user(is_staff=True))
    body = _put(client, course, {"price": "45.00"}).json()
    offer.refresh_from_db()
    assert offer.active is False and body["active"] is False
    assert (offer.is_paid, offer.price, offer.currency) == (True, 4500, "eur")
    assert _put(client, course, {"scopes": ["partner"]}).status_code == 200
    offer.refresh_from_db()
    assert (offer.active, offer.price, offer.scopes) == (False, 4500, "partner")


def test_a_new_currency_needs_its_price(client):
    course, offer = factories.paid_course(price=4900)
    client.force_login(factories.user(is_staff=True))
    response = _put(client, course, {"currency": "jpy"})
    assert response.status_code == 400 and "JPY" in response.json()["price"][0]
    offer.refresh_from_db()
    assert (offer.price, offer.currency) == (4900, "eur")


def test_admin_changes_are_recorded_and_shown_read_only_on_the_offer_page(client, stripe):
    course, offer = factories.paid_course(price=4900)
    admin_user = factories.user("priceadmin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = reverse("admin:riseup_stripe_plugin_courseoffer_change", args=[offer.pk])
    response = client.post(url, {"is_paid": "on", "price_major": "39.00", "currency": "eur", "enrollment_mode": "",
                                 "scopes_shown": "1", "scopes": ["public"], **factories.OFFER_CHANGES_INLINE})
    assert response.status_code == 302, response.content.decode()[:2000]
    change = OfferChange.objects.get()
    assert change.source == OfferChange.Source.ADMIN and change.actor == admin_user
    assert (change.before["price"], change.after["price"]) == (4900, 3900)
    assert (change.before["active"], change.after["active"]) == (True, False)  # "on sale" left unticked
    page = client.get(url).content.decode()
    assert "Offer changes" in page or "offer changes" in page
    assert "priceadmin" in page and "3900" in page
    assert 'name="changes-0-source"' not in page  # shown, not editable
    assert CourseOffer.objects.get(pk=offer.pk).price == 3900
