"""Process-wide settings of the running emulator (base URL, clock, delays).

Kept in one place so every module reads the same values and a flush can reset
them; the emulator is one process serving one merchant account.
"""

import itertools
import os
import time
from contextvars import ContextVar

from . import API_VERSION

MERCHANT_NAME = "Emulator merchant"
ACCOUNT_ID = "acct_emulator"
ACCOUNT_COUNTRY = "FR"
DEFAULT_WEBHOOK_DELAY = 0.2

#: Set once the server is bound; used to build the hosted page and PDF URLs.
base_url = "http://127.0.0.1"

#: Seconds added to the wall clock by ``POST /_test/clock`` (to expire sessions).
clock_offset = 0

#: Wall-clock second the emulated clock is stopped at (``POST /_test/clock``
#: with ``freeze``), like a Stripe test clock; None while it runs.
frozen_at = None

_sequence = itertools.count(1)

#: The API request being served: events record its id and idempotency key.
request_context = ContextVar("request_context", default=None)


def current_request():
    """``{"id", "idempotency_key"}`` of the API request being served (both None outside one)."""
    return dict(request_context.get() or {"id": None, "idempotency_key": None})


def now():
    """Emulated Unix time in whole seconds."""
    base = int(time.time()) if frozen_at is None else frozen_at
    return base + clock_offset


def next_sequence():
    """Monotonic counter: orders objects created within the same second."""
    return next(_sequence)


def webhook_delay_from_env():
    """Delay before an event is sent, from STRIPE_EMULATOR_WEBHOOK_DELAY."""
    raw = os.environ.get("STRIPE_EMULATOR_WEBHOOK_DELAY", "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_WEBHOOK_DELAY
    except ValueError:
        value = DEFAULT_WEBHOOK_DELAY
    return max(0.0, value)


def reset():
    """Back to a fresh clock (called by the flush)."""
    global clock_offset, frozen_at
    clock_offset = 0
    frozen_at = None


__all__ = ["ACCOUNT_ID", "API_VERSION", "MERCHANT_NAME", "next_sequence", "now"]
