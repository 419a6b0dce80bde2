"""
A small rate limiter on Django's cache, for the endpoints that cost a Stripe call or invite abuse.

A rate is written ``"N/period"``: ``"10/m"``, ``"20/10m"``, ``"100/h"``, ``"500/d"`` (``s``, ``m``,
``h``, ``d``, with an optional count of them); an empty rate means no limit. Each key (a learner, an
address) has its own fixed window; the first key over its rate refuses the request, before any work.
Every process sharing the cache (Redis or Memcached in production) shares the counts.

Use::

    check_rate("purchase", [f"user:{user.pk}", f"addr:{client_address(request)}"], "20/10m")

which raises :class:`RateLimited` (``retry_after`` seconds, ``message``) when one key is over its rate.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


class RateLimited(Exception):
    """Too many requests from one key; try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        self.message = _("Too many attempts. Please try again in {seconds} seconds.").format(
            seconds=self.retry_after)
        super().__init__(self.message)


def parse_rate(value) -> Rate | None:
    """``"20/10m"`` → ``Rate(20, 600)``; empty → None (no limit); anything else raises ValueError."""
    if value in (None, "") or isinstance(value, Rate):
        return value or None
    match = _RATE_RE.match(str(value))
    if not match:
        raise ValueError(f"Not a rate: {value!r} (write it as 10/m, 20/10m, 100/h...)")
    count, multiple, unit = int(match[1]), int(match[2] or 1), match[3]
    if multiple == 0:  # a window of no time at all: every request would divide by zero
        raise ValueError(f"Not a rate: {value!r} (the period must be at least 1 {unit})")
    return Rate(count, multiple * _UNIT_SECONDS[unit])


def check_rate(scope: str, keys, rate) -> None:
    """Count one request for each key in ``scope``; raise :class:`RateLimited` if one is over ``rate``."""
    rate = parse_rate(rate)
    if rate is None:
        return
    now = time.time()
    window = int(now // rate.seconds)
    for key in keys:
        cache_key = f"riseup_stripe:ratelimit:{scope}:{key}:{rate.seconds}:{window}"
        # add() then incr(): atomic in Redis and Memcached, so concurrent requests are all counted.
        cache.add(cache_key, 0, timeout=rate.seconds + 1)
        try:
            hits = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=rate.seconds + 1)
            hits = 1
        if hits > rate.count:
            raise RateLimited(rate.seconds - (now % rate.seconds))


def client_address(request) -> str:
    """The client's address as the platform sees it (``REMOTE_ADDR``, which its proxy middleware sets)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
