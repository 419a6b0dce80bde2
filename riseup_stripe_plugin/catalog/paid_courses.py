"""
Which courses are paid, remembered in Django's cache so the enrollment gate costs nothing on a free course.

Every ``enroll()`` of the platform runs the gate; most courses are free. The answer "is this course paid"
is kept per course (the offer's course key: a CCX asks its master's) in the shared cache (Tutor's Redis),
and forgotten after every commit that changes an offer (save, delete, a re-run inheriting one), so every
process sees a newly paid course at once. It fails closed: a cache miss, or a cache that cannot be reached,
sends the gate to the database, never lets it assume "free".

In front of that cache, each process keeps the answers it read from it (:mod:`..local_answers`), dropped
when any process announces an offer change: most enrollments then ask nothing outside the process.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

from django.core.cache import cache
from django.db import transaction

from ..local_answers import MAX_AGE, answers

log = logging.getLogger(__name__)

#: How long an answer is kept at most (an offer changed outside the ORM, such as by SQL, is seen after this).
TIMEOUT_SECONDS = 600
_PAID, _FREE = "paid", "free"


def _key(offer_key) -> str:
    # Course keys may exceed what memcached takes in a key (250 characters) or hold any character.
    return "riseup_stripe:paid:v1:" + hashlib.sha256(str(offer_key).encode()).hexdigest()[:40]


def cached_is_paid(offer_key) -> bool | None:
    """True or False when this process or the cache knows, None when the database must be asked."""
    local_key = ("paid", str(offer_key))
    known, token = answers.lookup(local_key)
    if known is not None:
        return known
    try:
        value = cache.get(_key(offer_key))
    except Exception as exc:  # noqa: BLE001  (any cache failure: ask the database)
        log.warning("Paid-course cache unreachable, asking the database: %s", exc.__class__.__name__)
        return None
    known = {_PAID: True, _FREE: False}.get(value)
    if known is not None:
        # What the shared cache says, kept here until an offer change is announced.
        answers.keep(local_key, known, token, MAX_AGE)
    return known


def remember_is_paid(offer_key, paid: bool) -> None:
    """Keep what the database said; an offer change meanwhile is forgotten again after its commit."""
    try:
        cache.set(_key(offer_key), _PAID if paid else _FREE, TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001
        log.warning("Paid-course cache unreachable: %s", exc.__class__.__name__)


_GENERATION_KEY = "riseup_stripe:offers_generation:v1"


def offers_generation() -> str:
    """A token that changes after every offer change: what is derived from all offers is cached under it."""
    try:
        value = cache.get(_GENERATION_KEY)
        if value is None:
            value = uuid.uuid4().hex
            cache.add(_GENERATION_KEY, value, None)
            value = cache.get(_GENERATION_KEY) or value
        return value
    except Exception as exc:  # noqa: BLE001
        log.warning("Paid-course cache unreachable: %s", exc.__class__.__name__)
        return ""


def forget(offer_key, using: str = "default") -> None:
    """The course's offer changed: forget the answer now and again once the change has committed."""
    def _forget():
        try:
            cache.delete(_key(offer_key))
            cache.set(_GENERATION_KEY, uuid.uuid4().hex, None)
        except Exception as exc:  # noqa: BLE001
            # Fail closed: an answer "free" that cannot be deleted would let people in; say so loudly.
            log.error("Paid-course cache not cleared for %s: %s", offer_key, exc.__class__.__name__)

    _forget()
    transaction.on_commit(_forget, using=using)
    # Registered after the cache's own forgetting: a process that hears the change reads the cache anew.
    answers.changed(using=using)


def renew_generation() -> None:
    """Something derived from the whole catalog changed (a course shown or hidden): renew the generation."""
    try:
        cache.set(_GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception as exc:  # noqa: BLE001  (the cached currencies expire by themselves)
        log.warning("Catalog generation not renewed: %s", exc.__class__.__name__)
