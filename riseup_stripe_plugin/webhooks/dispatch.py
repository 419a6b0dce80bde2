"""
Where a stored event is processed: on the platform's Celery workers, or in the webhook's request.

In Celery mode the endpoint answers Stripe as soon as the event is stored, and a
worker (Tutor's ``lms-worker``) processes it; the task is queued after the commit
that stored the event, so a worker never looks for an event it cannot see yet. If
the broker cannot take the task, the request processes the event itself, as in
request mode: a broker outage never loses an event.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from .. import conf
from ..models import StripeEvent

log = logging.getLogger(__name__)

#: How hard to try the broker before processing in the request instead (kombu's publish retry policy).
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def celery_app():
    """The platform's Celery app (the current one, as the LMS sets it up), or None without Celery."""
    try:
        from celery import current_app
    except ImportError:
        return None
    return current_app._get_current_object()


def celery_configured(app) -> bool:
    """A broker to send to, and tasks not run on the spot (``task_always_eager``, as in development)."""
    return app is not None and bool(app.conf.broker_url) and not app.conf.task_always_eager


def webhook_mode() -> str:
    """"celery" or "request": the setting, with "auto" decided by the platform's Celery configuration."""
    mode = conf.get("RISEUP_STRIPE_WEBHOOK_MODE")
    if mode == "request":
        return "request"
    app = celery_app()
    if mode == "celery":
        return "celery" if app is not None else "request"
    return "celery" if celery_configured(app) else "request"


def queue_event(record: StripeEvent) -> bool:
    """
    Hand a stored event to a worker once the transaction that stored it commits.

    Returns False when the broker refused it (the caller then processes it itself); True when it is
    queued, or will be at the commit of a transaction still open.
    """
    from ..tasks import process_stripe_event

    sent = []

    def send():
        StripeEvent.objects.filter(pk=record.pk).update(queued_at=timezone.now())
        try:
            process_stripe_event.apply_async(
                args=[record.pk], queue=conf.get("RISEUP_STRIPE_CELERY_QUEUE") or None,
                retry=True, retry_policy=PUBLISH_RETRY_POLICY,
            )
        except Exception as exc:  # noqa: BLE001 - whatever the broker says, the request processes it instead
            StripeEvent.objects.filter(pk=record.pk).update(queued_at=None)
            log.warning("Could not queue Stripe event %s (%s); processing it in the request",
                        record.event_id, exc.__class__.__name__)
            sent.append(False)
        else:
            sent.append(True)

    transaction.on_commit(send)
    return sent != [False]
