"""
This installation's id: one Stripe account may serve several installations.

Production and staging on one account, or a database reset, reuse the same local
ids (offers, users, orders) within Stripe's 24-hour idempotency window, and each
installation receives the other's webhooks. The id goes into every idempotency
key and into the ``riseup_installation`` metadata of everything the plugin
creates; an object naming another id is not ours. ``RISEUP_STRIPE_INSTALLATION_ID``
forces it (a staging database restored from production carries production's).
"""

from __future__ import annotations

import re
import secrets

from django.db import IntegrityError, connection, transaction

from .. import conf

#: The metadata key naming the installation that created a Stripe object.
METADATA_KEY = "riseup_installation"

#: What an installation id may look like (it goes into idempotency keys and metadata).
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")

_memo: dict[str, str] = {}


def installation_id() -> str:
    """The id of this installation: the setting, else the stored one, generated at first use."""
    forced = conf.get("RISEUP_STRIPE_INSTALLATION_ID")
    if forced:
        return str(forced)
    if "id" in _memo:
        return _memo["id"]
    value = _stored_id()
    if not connection.in_atomic_block:  # inside a transaction that may roll back, the row is not final yet
        _memo["id"] = value
    return value


def forget() -> None:
    """Drop the id read once per process (tests whose database was emptied)."""
    _memo.clear()


def _stored_id() -> str:
    from ..models import Installation

    row = Installation.objects.order_by("pk").first()
    if row is not None:
        return row.installation_id
    try:
        with transaction.atomic():
            return Installation.objects.create(pk=1, installation_id=secrets.token_hex(6)).installation_id
    except IntegrityError:  # another process generated it at the same moment: use theirs
        return Installation.objects.get(pk=1).installation_id


def is_foreign(obj) -> bool:
    """Whether a Stripe object names another installation (objects without the key, older ones, are ours)."""
    if not isinstance(obj, dict):
        return False
    owner = (obj.get("metadata") or {}).get(METADATA_KEY)
    return bool(owner) and owner != installation_id()
