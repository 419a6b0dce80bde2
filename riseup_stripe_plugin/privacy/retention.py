"""
Raw webhook bodies carry the buyer's name and email: processed events lose theirs after a while.

An event is kept whole while it needs attention (not processed yet, or its last
attempt failed). Its row stays: the id, type, object and outcome are the audit
trail, and the id is what makes a late redelivery a duplicate.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .. import conf
from ..models import StripeEvent


def purgeable_events(days: int | None = None):
    """Processed events received more than ``days`` ago (the retention setting by default) still holding a body."""
    days = conf.get("RISEUP_STRIPE_EVENT_RETENTION_DAYS") if days is None else days
    cutoff = timezone.now() - timedelta(days=int(days))
    return StripeEvent.objects.filter(received_at__lt=cutoff, processed=True, error="").exclude(raw_body="")


def purge_events(days: int | None = None, *, dry_run: bool = False) -> int:
    """Empty the raw body of the events past retention; returns how many (would be) purged."""
    events = purgeable_events(days)
    if dry_run:
        return events.count()
    return erase_bodies(events)


def erase_bodies(events) -> int:
    """Empty the raw body of these events, recording when (one UPDATE)."""
    return events.exclude(raw_body="").update(raw_body="", body_erased_at=timezone.now())


def events_about(ids) -> Q:
    """Events whose object is one of ``ids``, or whose body names one of them (customer, payment)."""
    ids = [value for value in ids if value]
    query = Q(object_id__in=ids)
    for value in ids:
        query |= Q(raw_body__contains=value)
    return query
