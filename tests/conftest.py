"""Shared fixtures: the Stripe emulator over HTTP, the sandbox LMS over HTTP, signed webhooks."""

import hashlib
import hmac
import json
import os
import time

import pytest

# Fails the run if any process it started (emulators, the demo, workers...) outlives it;
# fails a test whose code called Stripe while holding a transaction.
pytest_plugins = ["tests.process_guard", "tests.transaction_guard"]


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']} ({os.environ.get('RISEUP_TEST_DB', 'sqlite')})"


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header, computed as Stripe computes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


@pytest.fixture(autouse=True)
def fresh_payment_configuration_cache():
    """Admin-entered payment settings are cached; each test starts from the database."""
    from riseup_stripe_plugin import conf

    conf.forget_admin_values()
    yield
    conf.forget_admin_values()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counts live in the cache, per address: every test client is 127.0.0.1, so start afresh."""
    from django.core.cache import cache

    cache.clear()
    yield


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


def wait_for(predicate, timeout=15.0, interval=0.1, message="condition"):
    """Poll until ``predicate()`` is truthy (webhooks arrive asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


@pytest.fixture(scope="session")
def emulator_process():
    """One Stripe emulator process (127.0.0.1, free port) for the whole run."""
    from sandbox.stripe_emulator.runner import EmulatorProcess

    process = EmulatorProcess()
    process.start()
    yield process
    process.stop(remove_tmpdir=True)


@pytest.fixture
def stripe(emulator_process, settings):
    """The plugin pointed at a freshly flushed emulator."""
    emulator_process.flush()
    try:
        emulator_process.remove_webhook()  # only tests that ask for the LMS receive webhooks
    except Exception:  # noqa: BLE001 - none was configured
        pass
    settings.RISEUP_STRIPE_API_BASE = emulator_process.base_url
    return emulator_process


@pytest.fixture
def lms(live_server, stripe, settings):
    """The sandbox LMS served over HTTP, receiving the emulator's signed webhooks."""
    stripe.configure_webhook(f"{live_server.url}/riseup-stripe/webhook/", settings.RISEUP_STRIPE_WEBHOOK_SECRET)
    yield live_server
    # No delivery of this test may land in the next one's database: stop sending, let those under way finish.
    try:
        stripe.remove_webhook()
        wait_for(lambda: all(d.get("status") is not None for d in stripe.deliveries()), timeout=10,
                 message="the test's webhook deliveries to finish")
    except Exception:  # noqa: BLE001 - teardown must not hide the test's own result
        pass
