"""A pytest plugin: a test fails if the code under test calls Stripe while it holds a transaction.

Tutor runs the LMS with ``ATOMIC_REQUESTS``, and the Django admin wraps its change
forms in a transaction: a Stripe call inside one holds the request's row locks
(and, on SQLite, the write lock) for as long as Stripe takes, 20 seconds and
retries at worst. Every call through the gateway is recorded with the
transactions open on its thread's connection at that moment; the transactions
pytest-django opens around a test (``_from_testcase``) do not count, so the
check works for ``db`` tests as for ``transactional_db`` and live-server ones.

The check is made at the end of the test, not by raising at the call: the code
under test catches Stripe errors on purpose, and would swallow the failure.
``stripe_calls`` is the fixture a test asks for to look at the calls itself.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field

import pytest


@dataclass
class StripeCall:
    what: str
    thread: str
    #: Transactions the code under test had open (not those of the test case itself).
    open_transactions: int
    stack: str = ""

    @property
    def held(self) -> bool:
        return self.open_transactions > 0


@dataclass
class StripeCallLog:
    calls: list[StripeCall] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, what: str) -> None:
        from django.db import connection

        open_blocks = [block for block in getattr(connection, "atomic_blocks", [])
                       if not getattr(block, "_from_testcase", False)]
        held = len(open_blocks) or (1 if connection.in_atomic_block and not connection.atomic_blocks else 0)
        call = StripeCall(what, threading.current_thread().name, held,
                          "".join(traceback.format_stack(limit=14)[:-2]) if held else "")
        with self.lock:
            self.calls.append(call)

    def held(self) -> list[StripeCall]:
        return [call for call in self.calls if call.held]

    def names(self) -> list[str]:
        return [call.what for call in self.calls]


@pytest.fixture(autouse=True)
def stripe_calls(monkeypatch):
    """Every Stripe call of the test, with whether a transaction was held; none may be."""
    try:
        from riseup_stripe_plugin.stripe_gateway import StripeGateway
    except Exception:  # noqa: BLE001 - Django not set up for this test (layout checks)
        yield StripeCallLog()
        return
    log = StripeCallLog()
    real = StripeGateway._call

    def recorded(gateway, what, fn, *args, **kwargs):
        log.record(what)
        return real(gateway, what, fn, *args, **kwargs)

    monkeypatch.setattr(StripeGateway, "_call", recorded)
    yield log
    held = log.held()
    if held:
        details = "\n".join(f"- {call.what} (thread {call.thread}, {call.open_transactions} open):\n{call.stack}"
                            for call in held)
        pytest.fail(f"Stripe called while a transaction was held:\n{details}", pytrace=False)
