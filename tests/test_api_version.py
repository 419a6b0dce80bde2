"""
The Stripe API version the code parses is the one it sends: another one cannot be configured (system check, admin
form), and an event sent in another version is processed from objects re-read in the pinned one, with a warning.
"""

import logging
import time

import pytest
from django.urls import reverse

from riseup_stripe_plugin import checks, conf
from riseup_stripe_plugin.models import PaymentConfiguration, StripeEvent
from riseup_stripe_plugin.states import OrderState
from riseup_stripe_plugin.stripe_gateway import StripeGateway
from riseup_stripe_plugin.webhooks import handlers

from . import factories
from .test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)

OLD = "2024-06-20"


def test_a_django_setting_naming_another_version_is_refused_and_the_pinned_one_is_sent(settings, stripe):
    assert checks.check_api_version() == []
    settings.RISEUP_STRIPE_API_VERSION = OLD
    assert [e.id for e in checks.check_api_version()] == ["riseup_stripe.E012"]
    settings.RISEUP_STRIPE_API_VERSION = "latest"
    assert [e.id for e in checks.check_api_version()] == ["riseup_stripe.E005"]
    settings.RISEUP_STRIPE_API_VERSION = OLD
    assert conf.stripe_settings().api_version == conf.PINNED_API_VERSION
    StripeGateway().retrieve_account()
    assert [r["stripe_version"] for r in stripe.requests()] == [conf.PINNED_API_VERSION]
    settings.RISEUP_STRIPE_API_VERSION = conf.PINNED_API_VERSION
    assert checks.check_api_version() == []


def test_the_settings_page_refuses_another_version(client, settings):
    if hasattr(settings, "RISEUP_STRIPE_API_VERSION"):
        del settings.RISEUP_STRIPE_API_VERSION
    client.force_login(factories.user("root", is_staff=True, is_superuser=True))
    row = PaymentConfiguration.objects.create()
    url = reverse("admin:riseup_stripe_plugin_paymentconfiguration_change", args=[row.pk])
    form = {"publishable_key": "", "default_currency": "eur", "tax_mode": "", "tax_rate_id": "", "invoice_footer": "",
            "invoice_custom_fields": "[]", "checkout_lifetime_minutes": ""}
    response = client.post(url, {**form, "api_version": OLD})
    assert response.status_code == 200 and "written against Stripe API version" in response.content.decode()
    assert PaymentConfiguration.objects.get().api_version == ""
    assert client.post(url, {**form, "api_version": conf.PINNED_API_VERSION}).status_code == 302
    assert PaymentConfiguration.objects.get().api_version == conf.PINNED_API_VERSION


def test_an_event_in_another_version_is_processed_from_objects_reread_in_the_pinned_one(
        client, stripe, signed_post, caplog):
    handlers._warned_versions.clear()
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)  # no webhook reaches the LMS here: the test sends its own
    stripe.clear_requests()
    # An old-shape snapshot: none of the fields the plugin reads, only what names the session.
    snapshot = {"id": order.checkout_session_id, "object": "checkout.session",
                "metadata": {"riseup_order": str(order.uuid)}, "display_items": []}
    caplog.set_level(logging.WARNING, logger="riseup_stripe_plugin")
    for number in (1, 2):
        response = signed_post({"id": f"evt_old_version_{number}", "object": "event", "api_version": OLD,
                                "type": "checkout.session.completed", "created": int(time.time()),
                                "data": {"object": snapshot}})
        assert response.status_code == 200
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED
    events = StripeEvent.objects.filter(event_id__startswith="evt_old_version_")
    assert all(OLD in e.warning and conf.PINNED_API_VERSION in e.warning for e in events)
    reads = [r for r in stripe.requests() if r["path"] == f"/v1/checkout/sessions/{order.checkout_session_id}"]
    assert reads and {r["stripe_version"] for r in stripe.requests()} == {conf.PINNED_API_VERSION}
    assert len([r for r in caplog.records if OLD in r.getMessage()]) == 1  # logged once
