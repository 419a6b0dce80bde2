"""
Celery tasks, where the platform's autodiscovery finds them (``<app>.tasks``).

Tutor's ``lms-worker`` runs them. Each task is small and idempotent: it takes
ids, re-reads what it needs, and may run twice (``acks_late``: a worker killed
mid-task leaves the task to another worker).
"""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)

#: Retries of a transient failure (Stripe unreachable, the database busy), then the event waits for
#: Stripe's own redelivery, ``riseup_stripe_process_events`` or the reconciliation.
MAX_RETRIES = 8


def retry_delay(retries: int) -> int:
    """Seconds before the next attempt: 30 s, doubling, at most an hour."""
    return min(3600, 30 * 2 ** retries)


@shared_task(bind=True, name="riseup_stripe_plugin.tasks.process_stripe_event", acks_late=True,
             ignore_result=True, max_retries=MAX_RETRIES)
def process_stripe_event(self, event_pk: int) -> str:
    """Process one stored webhook event (queued by the endpoint after the commit that stored it)."""
    from .models import StripeEvent
    from .webhooks.processing import run_event

    record = StripeEvent.objects.filter(pk=event_pk).first()
    if record is None:  # emptied by the retention period, or never committed
        return "no such event"
    run = run_event(record)  # just read: its processed flag is current
    log.info("Stripe event %s %s processed by a worker: %s", record.type, record.event_id, run.outcome)
    if run.retry:
        raise self.retry(countdown=retry_delay(self.request.retries))
    return run.outcome


@shared_task(name="riseup_stripe_plugin.reconcile", ignore_result=False)
def reconcile(commit: bool = True, since_days: float | None = None) -> dict:
    """
    Reconciliation on a Celery worker (applies by default, unlike the command's dry run).

    Returns the run's summary (counts only). ``since_days`` bounds the Stripe lists
    (default: ``orders.reconciliation.DEFAULT_SINCE``).
    """
    from datetime import timedelta

    from django.utils import timezone

    from .orders.reconciliation import reconcile as run

    since = timezone.now() - timedelta(days=since_days) if since_days is not None else None
    return run(since=since, commit=commit).as_dict()
