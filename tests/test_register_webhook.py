"""The command that registers the webhook endpoint (run by the Tutor job) against the emulator."""

import pytest
from django.core.management import CommandError, call_command

from riseup_stripe_plugin.conf import PINNED_API_VERSION
from riseup_stripe_plugin.stripe_gateway import WEBHOOK_EVENTS

pytestmark = pytest.mark.django_db

URL = "https://lms.example.com/riseup-stripe/webhook/"


def test_creates_then_updates_the_endpoint(stripe, capsys, settings):
    call_command("riseup_stripe_register_webhook", "--url", URL)
    out = capsys.readouterr().out
    endpoints = stripe.client().v1.webhook_endpoints.list().data
    assert len(endpoints) == 1
    endpoint = endpoints[0]
    assert endpoint.url == URL and sorted(endpoint.enabled_events) == sorted(WEBHOOK_EVENTS)
    assert endpoint.api_version == PINNED_API_VERSION
    secret = [line for line in out.splitlines() if line.startswith("whsec_")]
    assert len(secret) == 1
    call_command("riseup_stripe_register_webhook", "--url", URL)
    out = capsys.readouterr().out
    assert "Updated webhook endpoint" in out and "whsec_" not in out
    assert len(stripe.client().v1.webhook_endpoints.list().data) == 1


def test_stripe_unreachable_is_a_clear_error(settings):
    settings.RISEUP_STRIPE_API_BASE = "http://127.0.0.1:9"
    with pytest.raises(CommandError, match="Stripe cannot be reached"):
        call_command("riseup_stripe_register_webhook", "--url", URL)


def test_bad_url_is_refused():
    with pytest.raises(CommandError, match="absolute"):
        call_command("riseup_stripe_register_webhook", "--url", "lms.example.com")
