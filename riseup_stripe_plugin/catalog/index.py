"""
The catalog's read model (``CatalogCourse``): one row per platform course with its offer's columns.

The catalog lists, filters, sorts, counts and pages courses in one indexed read of this table, and the
storefront API reads its courses from it, instead of joining the platform's course table with the
plugin's offers and turning both into objects on every request.

It is derived data, kept in step in the transaction that changes a source:

- an offer saved or deleted (``receivers``): the rows its price applies to (the course and its CCXs);
- a platform course saved or deleted (the boundary's ``connect_course_changed``: the platform's
  ``CourseOverview``, which Studio's publish and the LMS's refresh save): that course's row.

A change made around the ORM (raw SQL, ``QuerySet.update``, ``bulk_create``, a restore) is not heard:
:func:`drift` finds it (``riseup_stripe_rebuild_catalog --check``, system check W004 with
``manage.py check --database default``) and :func:`rebuild` repairs it
(``riseup_stripe_rebuild_catalog``), as migration 0011 did once when the table was created.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from .. import edxapp_wrapper as platform
from .. import money
from ..models import CatalogCourse, CourseOffer
from .scopes import join_scopes

log = logging.getLogger(__name__)

_CCX_PREFIX, _MASTER_PREFIX, _CCX_MARK = "ccx-v1:", "course-v1:", "+ccx@"
#: Hidden from the catalog (the course's about page only, or nowhere).
UNLISTED = ("about", "none")
#: The columns an offer decides.
OFFER_COLUMNS = ("is_paid", "on_sale", "price", "price_thousandths", "currency", "scopes")
#: The columns a platform course decides.
COURSE_COLUMNS = ("offer_key", "title", "title_lower", "org", "image_url", "start", "end", "enrollment_start",
                  "enrollment_end", "invitation_only", "listed")
_BATCH = 1000


def offer_key(course_id: str) -> str:
    """The course whose offer applies: a CCX (``ccx-v1:o+c+r+ccx@N``) sells as its master (``course-v1:o+c+r``)."""
    course_id = str(course_id)
    if course_id.startswith(_CCX_PREFIX) and _CCX_MARK in course_id:
        return _MASTER_PREFIX + course_id[len(_CCX_PREFIX):course_id.index(_CCX_MARK)]
    return course_id


def thousandths(price: int, currency: str) -> int:
    """A price in thousandths of its major unit: 4900 EUR → 49000, 5000 JPY → 5000000, 12340 KWD → 12340."""
    return int(price) * 10 ** (3 - money.exponent(currency))


def offer_columns(offer: CourseOffer | None) -> dict:
    """What the catalog keeps of an offer (None: a free course)."""
    if offer is None or not offer.is_paid:
        return {"is_paid": False, "on_sale": False, "price": 0, "price_thousandths": 0, "currency": "",
                "scopes": ""}
    # The offer's ``purchasable``, spelled out: migration 0011 passes its historical model, which has no property.
    on_sale = bool(offer.active and offer.price > 0)
    return {"is_paid": True, "on_sale": on_sale, "price": int(offer.price),
            "price_thousandths": thousandths(offer.price, offer.currency), "currency": offer.currency,
            "scopes": join_scopes(offer.scopes)}


def _text(value, length=255) -> str:
    return ("" if value is None else str(value))[:length]


def course_columns(record: dict) -> dict:
    """What the catalog keeps of a platform course record (``edxapp_wrapper.course_records``)."""
    title = "" if record.get("display_name") is None else str(record["display_name"])
    return {
        "offer_key": offer_key(record["course_id"]), "title": title, "title_lower": title.lower()[:255],
        "org": _text(record.get("org")), "image_url": _text(record.get("image_url"), 1024),
        "start": record.get("start"), "end": record.get("end"),
        "enrollment_start": record.get("enrollment_start"), "enrollment_end": record.get("enrollment_end"),
        "invitation_only": bool(record.get("invitation_only")),
        "listed": (record.get("catalog_visibility") or "both") not in UNLISTED,
    }


def _renew_currencies() -> None:
    """What is cached of the whole catalog (its currencies) is asked again: now, and once the change commits."""
    from . import paid_courses

    paid_courses.renew_generation()
    transaction.on_commit(paid_courses.renew_generation)


# --- Kept in step ----------------------------------------------------------------------------------------------

def course_saved(record: dict) -> None:
    """The platform wrote a course: its row takes the course's data and its offer's (two or three queries)."""
    course_id = str(record["course_id"])
    columns = course_columns(record)
    offer = CourseOffer.objects.filter(course_key=columns["offer_key"]).first()
    CatalogCourse.objects.update_or_create(course_id=course_id, defaults={**columns, **offer_columns(offer)})
    _renew_currencies()


def course_deleted(course_key) -> None:
    """The platform removed a course: so does the catalog."""
    CatalogCourse.objects.filter(course_id=str(course_key)).delete()
    _renew_currencies()


def offer_saved(offer: CourseOffer) -> None:
    """An offer changed: every row it applies to (its course and the course's CCXs) takes it; one query."""
    CatalogCourse.objects.filter(offer_key=str(offer.course_key)).update(**offer_columns(offer))


def offer_deleted(offer: CourseOffer) -> None:
    """An offer was deleted: its courses are free in the catalog, as they are everywhere else."""
    CatalogCourse.objects.filter(offer_key=str(offer.course_key)).update(**offer_columns(None))


# --- Drift and rebuild -----------------------------------------------------------------------------------------

def _expected_rows(offer_model=CourseOffer):
    """What the table should hold, from the sources: ``{course_id: columns}``, in batches of courses."""
    offers = {str(offer.course_key): offer for offer in offer_model.objects.all().iterator(chunk_size=2000)}
    for record in platform.course_records():
        columns = course_columns(record)
        yield str(record["course_id"]), {**columns, **offer_columns(offers.get(columns["offer_key"]))}


_FIELDS = (*COURSE_COLUMNS, *OFFER_COLUMNS)


def _stored_rows(model=CatalogCourse) -> dict:
    return {row[0]: dict(zip(_FIELDS, row[1:], strict=True))
            for row in model.objects.values_list("course_id", *_FIELDS).iterator(chunk_size=2000)}


@dataclass
class Drift:
    """How the table differs from its sources: course ids missing, extra (no such course) and different."""

    missing: list = field(default_factory=list)
    extra: list = field(default_factory=list)
    different: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.different)

    def __bool__(self) -> bool:
        return bool(self.count)

    def summary(self, limit: int = 5) -> str:
        parts = []
        for name, ids in (("missing", self.missing), ("extra", self.extra), ("different", self.different)):
            if ids:
                shown = ", ".join(sorted(ids)[:limit]) + (", ..." if len(ids) > limit else "")
                parts.append(f"{len(ids)} {name} ({shown})")
        return "; ".join(parts) or "in step"


def drift() -> Drift:
    """Compare the table with the platform's courses and the offers (reads every row of the three)."""
    stored = _stored_rows()
    found = Drift()
    for course_id, columns in _expected_rows():
        row = stored.pop(course_id, None)
        if row is None:
            found.missing.append(course_id)
        elif row != columns:
            found.different.append(course_id)
    found.extra = list(stored)
    return found


@dataclass
class Rebuilt:
    created: int = 0
    updated: int = 0
    deleted: int = 0


def rebuild(model=CatalogCourse, offer_model=CourseOffer) -> Rebuilt:
    """
    Make the table what its sources say, in one transaction: missing rows added, different ones rewritten,
    rows of courses the platform no longer has deleted. Rows already right are not written. (``model`` and
    ``offer_model``: the historical models, when a migration calls it.)
    """
    done = Rebuilt()
    with transaction.atomic():
        stored = _stored_rows(model)
        create, update = [], []
        for course_id, columns in _expected_rows(offer_model):
            row = stored.pop(course_id, None)
            if row is None:
                create.append(model(course_id=course_id, **columns))
            elif row != columns:
                update.append(model(course_id=course_id, **columns))
        model.objects.bulk_create(create, batch_size=_BATCH)
        model.objects.bulk_update(update, _FIELDS, batch_size=_BATCH)
        extra = list(stored)
        for start in range(0, len(extra), _BATCH):
            model.objects.filter(course_id__in=extra[start:start + _BATCH]).delete()
        done.created, done.updated, done.deleted = len(create), len(update), len(extra)
        _renew_currencies()
    if create or update or extra:
        log.info("Catalog rebuilt: %s added, %s rewritten, %s removed", done.created, done.updated, done.deleted)
    return done
