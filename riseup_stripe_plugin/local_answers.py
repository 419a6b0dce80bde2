"""
Answers a process keeps in memory for the enrollment gate, dropped as soon as any process announces a change.

Every ``enroll()`` of the platform asks the gate "is this course paid?" and, for a paid course, "does this
learner hold access?". Asking Redis or the database costs a round trip each time, as much as the platform's
own enrollment work. So each process keeps what it has read, and every change that could make an answer
wrong (an offer saved or deleted, an order losing its access) is published on a Redis channel once it is
committed. Before it answers, a process reads what has reached its subscription, without waiting.

It fails closed: answers are given only while the subscription is known to be alive. A PING goes down the
subscription every second, and its PONG comes back after every message published before it. Answers are
given only within ``ALIVE_SECONDS`` of sending the PING whose PONG was read last; without one, the
caller asks the database. A broken
connection, an unreachable Redis or a fork drops every answer kept. An answer read while a change was
being announced is not kept: the count of changes heard is compared before and after the read. No answer
outlives its ``max_age``, even if an announcement is lost (Redis refusing the publish is logged as an
error).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque

from django.db import transaction

from . import conf

log = logging.getLogger(__name__)

_clock = time.monotonic  # the tests move it

#: How often the subscription is pinged, and how long after the last PONG answers are still given.
PING_SECONDS = 1.0
ALIVE_SECONDS = 3.0
#: After a failed connection, how long answers are not kept before connecting again.
RETRY_SECONDS = 5.0
_CONNECT_TIMEOUT = 0.5
#: How a process's subscription is named in Redis (``CLIENT LIST``), followed by its process id.
SUBSCRIBER_NAME = "riseup-stripe-answers"
_REDIS_CACHE_BACKENDS = ("django_redis.cache.RedisCache", "django.core.cache.backends.redis.RedisCache")


def broadcast_url() -> str | None:
    """Where changes are announced: the setting, else the Redis of Django's default cache (Tutor's); None: off."""
    url = conf.get("RISEUP_STRIPE_BROADCAST_REDIS_URL")
    if url is not None:
        return url or None
    from django.conf import settings

    default = (getattr(settings, "CACHES", None) or {}).get("default") or {}
    if default.get("BACKEND") not in _REDIS_CACHE_BACKENDS:
        return None
    location = default.get("LOCATION")
    if isinstance(location, (list, tuple)):
        location = location[0] if location else None
    if isinstance(location, str) and "," in location:
        location = location.split(",")[0]  # Django's RedisCache: "primary,replica,..."
    return location or None


def _redis(url: str, **options):
    """A Redis client that gives up quickly: the gate must never wait long for it."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=_CONNECT_TIMEOUT, socket_timeout=_CONNECT_TIMEOUT,
                                **options)


class LocalAnswers:
    """The answers of this process, with its subscription to the change channel (one per process, thread-safe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._publisher = None
        self._changes = 0
        self._messages = 0
        self._failing = False
        self._start(pid=None)

    def _start(self, pid):
        self._pid = pid
        self._pubsub = None
        self._answers: dict = {}
        self._changes += 1  # a token taken before is never valid after
        self._subscribed = False
        self._heard = float("-inf")
        self._pinged = float("-inf")
        self._pings: deque = deque()  # when each PING not answered yet was sent
        self._retry_at = 0.0

    def forked(self) -> None:
        """In a forked child: a lock of its own (the parent's may have been held by another thread) and nothing else."""
        self._lock = threading.Lock()
        self._publisher = None
        self._start(os.getpid())

    def changes_heard(self) -> int:
        """How many announcements this process has read (after reading what has arrived)."""
        with self._lock:
            self._alive()
            return self._messages

    # -- reading -------------------------------------------------------------------------------------------

    def lookup(self, key):
        """
        ``(answer, token)`` after reading what has arrived, once: the answer kept for ``key`` (None: not kept,
        expired, or the subscription not known alive) and the token to pass to :meth:`keep` once the
        caller has read the answer elsewhere (None: nothing may be kept now).
        """
        with self._lock:
            if not self._alive():
                return None, None
            entry = self._answers.get(key)
            if entry is not None and _clock() >= entry[1]:
                del self._answers[key]
                entry = None
            return (entry[0] if entry is not None else None), self._changes

    def token(self):
        """The count of changes heard, to pass to :meth:`keep` after reading; None when nothing may be kept."""
        return self.lookup(None)[1]

    def get(self, key):
        """The answer kept for ``key``, or None (not kept, expired, or the subscription not known alive)."""
        return self.lookup(key)[0]

    def keep(self, key, value, token, max_age: float) -> None:
        """Keep an answer read after :meth:`token` gave ``token``, unless a change was heard since."""
        if token is None:
            return
        with self._lock:
            if self._alive() and self._changes == token:
                self._answers[key] = (value, _clock() + max_age)

    def remember(self, key, value, token, read, max_age: float, using: str = "default") -> None:
        """
        Keep ``value``, just read from the database with ``token`` taken before: at once when that read was
        its own transaction (autocommit), else read again by ``read()`` after the commit (see below).
        """
        if token is None:
            return
        connection = transaction.get_connection(using)
        if connection.in_atomic_block:
            self.keep_after_commit(key, read, max_age, using)
        elif connection.get_autocommit():
            self.keep(key, value, token, max_age)
        # else: a transaction managed by hand (autocommit off): its snapshot may be old, nothing is kept

    def keep_after_commit(self, key, read, max_age: float, using: str = "default") -> None:
        """
        Keep what ``read()`` says (None: nothing) once the current transaction has committed, read again then.

        Inside a transaction the database may answer from an older snapshot (MySQL's REPEATABLE READ) or
        with changes a rollback will undo: neither may be kept. ``read`` runs after the commit, outside
        any transaction, so its answer is the database's latest; a rollback never runs it.
        """
        def fresh():
            token = self.token()
            if token is not None:
                value = read()
                if value is not None:
                    self.keep(key, value, token, max_age)

        # robust: a database that fails this read after the commit costs the answer, not the request.
        transaction.on_commit(fresh, using=using, robust=True)

    # -- changes -------------------------------------------------------------------------------------------

    def changed(self, using: str = "default") -> None:
        """Something answers depend on changed: drop them here now, and everywhere once committed."""
        self._drop_all()
        transaction.on_commit(self.announce, using=using)

    def announce(self) -> None:
        """A committed change: drop every answer here and announce it to every process (see :meth:`changed`)."""
        self._drop_all()
        try:
            client = self._publishing_client()
            if client is None:
                return
            client.publish(conf.get("RISEUP_STRIPE_BROADCAST_CHANNEL"), "changed")
        except Exception as exc:  # noqa: BLE001  (any Redis failure: the other processes keep their answers)
            log.error("Change not announced to the other processes: they keep their answers until these expire "
                      "(%s s): %s", int(MAX_AGE), exc.__class__.__name__)

    def _drop_all(self) -> None:
        with self._lock:
            self._answers.clear()
            self._changes += 1

    def _publishing_client(self):
        url = broadcast_url()
        if url is None:
            return None
        if self._publisher is None:  # a forked child drops its parent's (:meth:`forked`)
            self._publisher = _redis(url)
        return self._publisher

    # -- the subscription (called with the lock held) ------------------------------------------------------

    def _alive(self) -> bool:
        now = _clock()
        if self._pid != os.getpid():
            # A forked child shares its parent's socket: start its own subscription, keep nothing inherited.
            self._start(os.getpid())
        if self._pubsub is None and not self._subscribe(now):
            return False
        self._drain(now)
        if self._pubsub is None:
            return False
        if now - self._pinged >= PING_SECONDS and not self._ping(now):
            return False
        return self._subscribed and now - self._heard <= ALIVE_SECONDS

    def _ping(self, now) -> bool:
        self._pinged = now
        try:
            self._pubsub.ping()
        except Exception:  # noqa: BLE001
            self._lost(now)
            return False
        self._pings.append(now)
        return True

    def _subscribe(self, now) -> bool:
        if now < self._retry_at:
            return False
        url = broadcast_url()
        if url is None:
            self._retry_at = float("inf")  # no Redis named: nothing is kept, the caller always asks
            return False
        pubsub = None
        try:
            pubsub = _redis(url, socket_keepalive=True, client_name=f"{SUBSCRIBER_NAME}-{os.getpid()}").pubsub()
            pubsub.subscribe(conf.get("RISEUP_STRIPE_BROADCAST_CHANNEL"))
        except Exception as exc:  # noqa: BLE001
            if not self._failing:  # once per outage, not at every retry
                log.warning("Change channel unreachable, the gate asks every time: %s", exc.__class__.__name__)
            self._failing = True
            self._retry_at = now + RETRY_SECONDS
            if pubsub is not None:
                try:
                    pubsub.close()
                except Exception:  # noqa: BLE001
                    pass
            return False
        if self._failing:
            log.info("Change channel reachable again")
        self._failing = False
        self._pubsub, self._subscribed = pubsub, False
        return self._ping(now)

    def _drain(self, now) -> None:
        while self._pubsub is not None:
            try:
                connection = self._pubsub.connection
                if connection is not None and not connection.can_read(timeout=0):
                    return  # nothing arrived (one poll of the socket, a third of parsing nothing)
                message = self._pubsub.get_message(timeout=0)
            except Exception:  # noqa: BLE001  (a broken connection: nothing kept can be trusted)
                self._lost(now)
                return
            if message is None:
                return
            kind = message.get("type")
            if kind == "subscribe":
                # Subscribed, or subscribed again by the client after a reconnection: what was kept before
                # may have missed an announcement.
                self._subscribed = True
                self._answers.clear()
                self._changes += 1
            elif kind == "message":
                self._answers.clear()
                self._changes += 1
                self._messages += 1
            elif kind == "pong" and self._pings:
                # Everything published before this PING reached Redis has been read: alive as of its sending.
                sent = self._pings.popleft()
                if self._subscribed:
                    self._heard = sent

    def _lost(self, now) -> None:
        pubsub, self._pubsub = self._pubsub, None
        self._answers.clear()
        self._changes += 1
        self._subscribed = False
        self._heard = float("-inf")
        self._pings.clear()
        self._retry_at = now + RETRY_SECONDS
        try:
            pubsub.close()
        except Exception:  # noqa: BLE001
            pass

    def close(self) -> None:
        """Drop the subscription and everything kept (a test, or a process shutting down)."""
        with self._lock:
            if self._pubsub is not None and self._pid == os.getpid():
                try:
                    self._pubsub.close()
                except Exception:  # noqa: BLE001
                    pass
            self._start(pid=None)


#: How long an answer is kept here at most (a lost announcement, a change behind the ORM, is seen after this).
MAX_AGE = 60.0

#: This process's answers.
answers = LocalAnswers()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=answers.forked)
