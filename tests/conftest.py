"""Shared fixtures: the Stripe emulator over HTTP, the sandbox LMS over HTTP, signed webhooks."""

import hashlib
import hmac
import json
import os
import time

import pytest


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']} ({os.environ.get('RISEUP_TEST_DB', 'sqlite')})"


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header, computed as Stripe computes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


@pytest.fixture
def signed_post(client, settings):
    """POST a JSON body to the webhook endpoint with a valid (or given) signature."""
    from django.urls import reverse

    def post(event: dict, *, secret=None, header=None):
        payload = json.dumps(event).encode()
        signature = header if header is not None else sign_payload(
            payload, secret or settings.RISEUP_STRIPE_WEBHOOK_SECRET,
        )
        extra = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}
        return client.post(reverse("riseup_stripe:webhook"), data=payload, content_type="application/json", **extra)

    return post
