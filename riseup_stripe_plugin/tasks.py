"""Celery tasks, where the platform's Celery autodiscovery finds them (``<app>.tasks``)."""

from __future__ import annotations

from celery import shared_task


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
