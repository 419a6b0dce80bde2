"""The webhook endpoint: verify on the raw body, store once, acknowledge what it does not handle."""

import json
import time

import pytest

from riseup_stripe_plugin.models import StripeEvent

from .conftest import sign_payload

pytestmark = pytest.mark.django_db


def _event(event_id="evt_1", type_="customer.created", obj=None):
    return {"id": event_id, "object": "event", "type": type_, "api_version": "2026-10-28.endive",
            "created": int(time.time()), "livemode": False, "data": {"object": obj or {"id": "cus_1"}}}


def test_missing_signature_is_refused_and_nothing_stored(signed_post):
    response = signed_post(_event(), header="")
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_forged_signature_is_refused_and_nothing_stored(signed_post):
    response = signed_post(_event(), secret="whsec_attacker_guess_000000")
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_stale_signature_is_refused(client, settings):
    payload = json.dumps(_event()).encode()
    old = sign_payload(payload, settings.RISEUP_STRIPE_WEBHOOK_SECRET, timestamp=int(time.time()) - 3600)
    response = client.post("/riseup-stripe/webhook/", data=payload, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=old)
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_body_altered_after_signing_is_refused(client, settings):
    payload = json.dumps(_event()).encode()
    header = sign_payload(payload, settings.RISEUP_STRIPE_WEBHOOK_SECRET)
    tampered = payload.replace(b"customer.created", b"checkout.session.completed")
    response = client.post("/riseup-stripe/webhook/", data=tampered, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == 400


def test_get_is_not_allowed(client):
    assert client.get("/riseup-stripe/webhook/").status_code == 405


def test_unknown_event_type_is_stored_acknowledged_and_ignored(signed_post):
    response = signed_post(_event("evt_unknown", "customer.created"))
    assert response.status_code == 200
    record = StripeEvent.objects.get(event_id="evt_unknown")
    assert record.verified and record.processed and record.ignored
    assert json.loads(record.raw_body)["id"] == "evt_unknown"


def test_same_event_twice_is_stored_once(signed_post):
    assert signed_post(_event("evt_dup")).status_code == 200
    second = signed_post(_event("evt_dup"))
    assert second.status_code == 200 and second.json()["outcome"] == "duplicate"
    assert StripeEvent.objects.filter(event_id="evt_dup").count() == 1


def test_session_of_another_integration_is_ignored_without_calling_stripe(signed_post, settings):
    settings.RISEUP_STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: a call would fail
    obj = {"id": "cs_test_other", "object": "checkout.session", "metadata": {"shop": "elsewhere"}}
    response = signed_post(_event("evt_other", "checkout.session.completed", obj))
    assert response.status_code == 200
    assert StripeEvent.objects.get(event_id="evt_other").ignored


def test_stripe_down_makes_stripe_retry(signed_post, settings):
    settings.RISEUP_STRIPE_API_BASE = "http://127.0.0.1:9"
    obj = {"id": "cs_test_ours", "object": "checkout.session", "metadata": {"riseup_order": "x"}}
    response = signed_post(_event("evt_retry", "checkout.session.completed", obj))
    assert response.status_code == 500
    record = StripeEvent.objects.get(event_id="evt_retry")
    assert not record.processed and "PaymentProviderUnavailable" in record.error
