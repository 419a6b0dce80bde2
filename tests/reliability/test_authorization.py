"""
The authorization matrix: every learner-facing, staff and admin endpoint, tried by anonymous, the learner,
another learner, staff of another course, the course's staff, global staff and a superuser (the Django
admin's administrator). Only the right ones succeed; another learner's id answers 404, as if it did not
exist. (The webhook endpoint takes no user: its signature is the test_forged_webhooks suite.)
"""

import pytest
from django.test import Client
from django.urls import reverse

from riseup_stripe_plugin.models import StripeEvent

from .. import factories
from ..purchases import paid_purchase

pytestmark = pytest.mark.django_db(transaction=True)

ACTORS = ("anonymous", "learner", "other learner", "other course staff", "course staff", "global staff",
          "superuser")
LEARNERS = ACTORS[1:]
COURSE_TEAM = ("course staff", "global staff", "superuser")
OK = (200, 201, 303)


@pytest.fixture
def world(client, stripe, settings):
    settings.RISEUP_STRIPE_PURCHASE_RATE = "1000/10m"  # many actors, one address: not what is measured here
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    other_course, _ = factories.paid_course(price=3000)
    order, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    users = {
        "learner": learner,
        "other learner": factories.user(),
        "other course staff": factories.user(),
        "course staff": factories.user(),
        "global staff": factories.user(is_staff=True),
        "superuser": factories.user(is_staff=True, is_superuser=True),
    }
    factories.role(users["other course staff"], other_course)
    factories.role(users["course staff"], course)
    buyable, _ = factories.paid_course(price=2500)  # what the buy endpoints sell
    return {"users": users, "course": course, "order": order, "invoice": invoice, "buyable": buyable}


def as_actor(world, actor):
    client = Client()
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    return client


def endpoints(world):
    """(name, method, url, data, who may succeed); the rest must be refused."""
    course, order, invoice, buyable = world["course"], world["order"], world["invoice"], world["buyable"]
    offer = reverse("riseup_stripe:api_offer", kwargs={"course_id": str(course.id)})
    return [
        ("purchase page", "get", reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)}), None,
         ACTORS),
        ("catalog page", "get", reverse("riseup_stripe:catalog"), None, ACTORS),
        ("catalog API", "get", reverse("riseup_stripe:api_catalog"), None, ACTORS),
        ("buy", "post", reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(buyable.id)}), None,
         LEARNERS),
        ("purchase API", "post", reverse("riseup_stripe:api_purchase"), {"course_id": str(buyable.id)}, LEARNERS),
        ("return page", "get", reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}",
         None, ("learner",)),
        ("my invoices", "get", reverse("riseup_stripe:my_invoices"), None, LEARNERS),
        ("invoices API", "get", reverse("riseup_stripe:api_invoices"), None, LEARNERS),
        ("invoice API", "get", reverse("riseup_stripe:api_invoice", args=[invoice.stripe_invoice_id]), None,
         ("learner",)),
        ("offer API read", "get", offer, None, COURSE_TEAM),
        ("offer API change", "put", offer, {"is_paid": True, "price": "59.00", "currency": "eur", "active": True},
         ("global staff", "superuser")),
        *[(f"admin {model}", "get", reverse(f"admin:riseup_stripe_plugin_{model}_changelist"), None, ("superuser",))
          for model in ("order", "invoice", "creditnote", "stripeevent", "courseoffer", "backofficeenrollment",
                        "audiencerule", "learnerscope", "paymentconfiguration")],
        ("admin order detail", "get", reverse("admin:riseup_stripe_plugin_order_change", args=[order.pk]), None,
         ("superuser",)),
        ("admin invoice cancel", "get", reverse("admin:riseup_stripe_plugin_invoice_cancel", args=[invoice.pk]),
         None, ("superuser",)),
    ]


def call(client, method, url, data):
    if method == "get":
        return client.get(url)
    if method == "put":
        return client.put(url, data=data, content_type="application/json")
    return client.post(url, data=data or {}, content_type="application/json" if data else None) if data \
        else client.post(url)


def test_the_authorization_matrix(world, stripe, figure):
    invoice = world["invoice"]
    results, wrong, granted = {}, [], 0
    table = endpoints(world)
    for name, method, url, data, allowed in table:
        for actor in ACTORS:
            response = call(as_actor(world, actor), method, url, data)
            status = response.status_code
            results[name, actor] = status
            # The payment settings are one row: its list sends the administrator on to that row's page.
            succeeded = status in OK or (status == 302 and "/riseup_stripe_plugin/paymentconfiguration/" in
                                         response["Location"] and "login" not in response["Location"])
            granted += succeeded
            if succeeded != (actor in allowed):
                wrong.append(f"{name} by {actor}: HTTP {status}")
            if not succeeded and actor == "anonymous" and method == "get" and status == 302:
                assert "login" in response["Location"]  # anonymous is sent to log in, never shown anything
            if name in ("my invoices", "invoices API") and succeeded:
                # Everyone signed in may list *their own* invoices: only the learner sees theirs.
                assert (invoice.number in response.content.decode()) == (actor == "learner"), (name, actor)
    assert wrong == [], "\n".join(wrong)

    # Another learner's ids are 404s, for every signed-in actor but their owner (and the admin's tools).
    foreign = {
        "invoice API": reverse("riseup_stripe:api_invoice", args=[invoice.stripe_invoice_id]),
        "return page": reverse("riseup_stripe:checkout_return") + f"?session_id={world['order'].checkout_session_id}",
    }
    not_found = 0
    for name, url in foreign.items():
        for actor in ("other learner", "other course staff", "course staff", "global staff", "superuser"):
            assert as_actor(world, actor).get(url).status_code == 404, (name, actor)
            not_found += 1
    unknown = reverse("riseup_stripe:api_offer", kwargs={"course_id": "course-v1:No+Such+2026"})
    assert as_actor(world, "global staff").get(unknown).status_code == 404
    assert as_actor(world, "learner").get(reverse("riseup_stripe:api_invoice", args=["in_nosuch"])).status_code == 404
    assert StripeEvent.objects.count() == 0
    tried = len(results)
    figure("authorization", f"{len(table)} endpoints x {len(ACTORS)} actors = {tried} calls: "
           f"{granted} granted, {tried - granted} refused, 0 wrong; another learner's ids: 404 in "
           f"{not_found} of {not_found} tries")
