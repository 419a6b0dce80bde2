"""Fixtures for the emulator's own tests: one emulator process per module.

These tests need neither Django nor a database; they talk to the emulator
over HTTP, as the plugin does.
"""

import http.server
import json
import os
import sys
import threading
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # the emulator lives in the repository, not in the wheel
    sys.path.insert(0, str(REPO_ROOT))

WEBHOOK_SECRET = "whsec_emulator_tests"


@pytest.fixture(scope="session")
def stripe_fixtures():
    """Stripe's example objects by resource name (``fixtures3.json``)."""
    from .helpers import stripe_fixtures_path

    path = stripe_fixtures_path()
    if not path.exists():
        message = f"Stripe's fixtures3.json not found at {path}: contract tests need it."
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set: this must not be skipped)")
        pytest.skip(message)
    return json.loads(path.read_text())["resources"]


@pytest.fixture(scope="module")
def emulator():
    from sandbox.stripe_emulator.runner import EmulatorProcess

    process = EmulatorProcess(webhook_delay=0.05).start()
    try:
        yield process
    finally:
        process.stop(remove_tmpdir=True)


@pytest.fixture
def emu(emulator):
    """The module's emulator, emptied before the test."""
    emulator.flush()
    return emulator


@pytest.fixture
def client(emu):
    return emu.client()


class WebhookReceiver:
    """A local HTTP endpoint recording the webhooks it receives (raw body + headers)."""

    def __init__(self):
        self.received = []
        self.status = 200
        self.condition = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.condition:
                    receiver.received.append({"body": body, "headers": dict(self.headers), "path": self.path})
                    receiver.condition.notify_all()
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/stripe"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def types(self):
        return [json.loads(item["body"])["type"] for item in self.received]

    def wait_for(self, count, timeout=5.0):
        """Wait until ``count`` webhooks arrived; returns their event types."""
        with self.condition:
            self.condition.wait_for(lambda: len(self.received) >= count, timeout)
        return self.types()

    def wait_for_type(self, event_type, timeout=5.0):
        with self.condition:
            self.condition.wait_for(lambda: event_type in self.types(), timeout)
        return self.types()

    def clear(self):
        with self.condition:
            self.received.clear()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver_server():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def receiver(emu, receiver_server):
    """A webhook receiver registered with the (flushed) emulator."""
    receiver_server.clear()
    receiver_server.status = 200
    emu.configure_webhook(receiver_server.url, WEBHOOK_SECRET)
    yield receiver_server
    emu.remove_webhook()
