"""
Running a stored event, whoever asks (the endpoint, a Celery worker, the admin, a command), and what a failure means.

A failure is either transient (Stripe unreachable, the database busy: the next
delivery will succeed, so Stripe must retry) or one retrying cannot fix (a
second invoice naming the same order, a Stripe object that does not exist, an
enrollment the platform refuses): Stripe would retry it for three days in vain,
so the event is kept, marked as needing attention, and answered 2xx. An
administrator fixes the cause and processes it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError
from django.db.models import F
from django.utils import timezone

from .. import edxapp_wrapper as platform
from ..exceptions import PaymentConfigurationError, PaymentProviderUnavailable, RiseupStripeError
from ..models import StripeEvent
from ..stripe_gateway import StripeGateway
from .handlers import process_event

log = logging.getLogger(__name__)

#: Errors the next attempt may not meet: Stripe unreachable or refusing our key (an administrator
#: fixes the key, Stripe's next delivery succeeds), the database busy (lock wait timeout, deadlock).
TRANSIENT = (PaymentProviderUnavailable, PaymentConfigurationError)


def is_transient(exc: BaseException) -> bool:
    """Whether retrying the same event later can succeed without anyone changing anything."""
    if isinstance(exc, TRANSIENT):
        return True
    # Lock wait timeouts, deadlocks, "database is locked", a lost connection; not a broken constraint
    # nor a value strict mode refuses (IntegrityError, DataError: the same event would fail again).
    return isinstance(exc, (OperationalError, InterfaceError))


def describe(exc: BaseException) -> str:
    """The error as kept on the event: its class and what it says (never a key: the gateway's details hold none)."""
    detail = (exc.detail or str(exc.message)) if isinstance(exc, RiseupStripeError) else str(exc)
    return f"{exc.__class__.__name__}: {detail}"[:4000]


@dataclass
class Run:
    """What running an event gave."""

    outcome: str
    #: The failure will pass by itself: the endpoint answers 5xx (Stripe retries), a worker retries.
    retry: bool = False
    needs_attention: bool = False

    @property
    def ok(self) -> bool:
        return not (self.retry or self.needs_attention)


def run_event(record: StripeEvent, gateway: StripeGateway | None = None) -> Run:
    """
    Process a stored event and keep what happened on it; never raises for the event's own failure.

    The caller has just read or written ``record``, so its ``processed`` is what the database says.
    """
    gateway = gateway or StripeGateway()
    platform.set_custom_attributes(event_id=record.event_id, event_type=record.type)
    try:
        outcome = process_event(record, gateway)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, then classified
        transient = is_transient(exc)
        platform.set_custom_attributes(event_result="retry" if transient else "needs_attention",
                                       event_error=exc.__class__.__name__)
        StripeEvent.objects.filter(pk=record.pk).update(
            error=describe(exc), attempts=F("attempts") + 1, last_attempt_at=timezone.now(),
            needs_attention=not transient,
        )
        if transient:
            log.warning("Stripe event %s %s not processed yet (will be retried): %s", record.type,
                        record.event_id, describe(exc))
        elif isinstance(exc, (RiseupStripeError, platform.EnrollmentRefused)):
            log.error("Stripe event %s %s needs attention: %s", record.type, record.event_id, describe(exc))
        else:
            log.exception("Stripe event %s %s needs attention", record.type, record.event_id)
        return Run(describe(exc), retry=transient, needs_attention=not transient)
    platform.set_custom_attributes(event_result=outcome.split(":")[0] if outcome.startswith(("ignored", "duplicate"))
                                   else "processed")
    return Run(outcome)


def process_again(events, gateway: StripeGateway | None = None) -> dict[str, Run]:
    """An administrator's "Process again": each event not processed yet runs once more; {event id: run}."""
    gateway = gateway or StripeGateway()
    runs = {}
    for record in events:
        record.refresh_from_db()
        if record.processed:
            runs[record.event_id] = Run(f"already processed: {record.outcome}")
            continue
        runs[record.event_id] = run_event(record, gateway)  # refreshed just above
    return runs
