"""
The fixed tax rate must be inclusive: prices are shown tax included, and an exclusive TaxRate would
charge more than the price shown.

The payment settings page asks Stripe (outside any transaction) and refuses a rate that is not
inclusive; what it learnt is cached, so the system check can report a configured rate known to be
exclusive without ever calling Stripe itself (checks run at every management command and start-up).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.utils.translation import gettext as _

from .. import conf
from ..exceptions import StripeGatewayError
from ..stripe_gateway import StripeGateway

#: How long what Stripe said about a TaxRate is remembered (a TaxRate's ``inclusive`` never changes).
CACHE_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class TaxRateCheck:
    rate_id: str
    inclusive: bool | None  # None: Stripe could not tell (unreachable, unknown id)
    problem: str = ""


def _cache_key(rate_id: str) -> str:
    return f"riseup_stripe:tax_rate:{rate_id}"


def check_tax_rate(rate_id: str, secret_key: str | None = None) -> TaxRateCheck:
    """Ask Stripe whether the TaxRate is inclusive; remember the answer for the system check."""
    settings = conf.stripe_settings()
    if secret_key is not None:
        settings = replace(settings, secret_key=secret_key)
    try:
        rate = StripeGateway(settings).retrieve_tax_rate(rate_id)
    except StripeGatewayError as exc:
        return TaxRateCheck(rate_id, None, _("Stripe could not confirm the tax rate {rate}: {reason}").format(
            rate=rate_id, reason=exc.message))
    inclusive = bool(rate.get("inclusive"))
    cache.set(_cache_key(rate_id), {"inclusive": inclusive, "checked": int(time.time())}, CACHE_SECONDS)
    if not inclusive:
        return TaxRateCheck(rate_id, False, _(
            "The tax rate {rate} is not inclusive: Stripe would add it on top of the price shown tax included, "
            "and charge more. Create an inclusive tax rate in Stripe (Inclusive: yes) and use its id."
        ).format(rate=rate_id))
    return TaxRateCheck(rate_id, True)


def known_inclusive(rate_id: str) -> bool | None:
    """What the last check learnt about this rate (None: never checked here)."""
    try:
        known = cache.get(_cache_key(rate_id))
    except Exception:  # noqa: BLE001 - a cache down at start-up must not stop the platform's checks
        return None
    return None if known is None else bool(known.get("inclusive"))
