"""
The catalog a learner sees: the platform's catalog courses, their offers, the learner's scope, filters.

Open edX has no filter hook on its course search, so the plugin lists courses
itself, in SQL over its own read model of the catalog (``CatalogCourse``, kept in
step with the platform's courses and the offers by ``catalog.index``): filtering,
sorting, counting and paging happen in the database, in one indexed table, so a
request's work is bounded by its page, not by the catalog, in a fixed number of
queries; the page's rows are read as plain values, never as model objects.

Prices are compared in each offer's own currency, in its minor units (the bounds
converted from major units with Decimals, never floats):
``max_price=50`` keeps courses up to 50.00 EUR and up to 50 JPY alike, unless a
currency is chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import edxapp_wrapper as platform
from .. import money
from ..models import CatalogCourse
from ..orders.eligibility import decide, held_states_for, payment_enabled
from ..states import ACCESS_STATES
from . import paid_courses
from .audience import learner_scope
from .offers import purchase_url
from .scopes import DEFAULT_SCOPE

PRICE_KINDS = ("", "free", "paid")
SORTS = {
    "title": gettext_lazy("Title (A to Z)"),
    "-title": gettext_lazy("Title (Z to A)"),
    "price": gettext_lazy("Price (lowest first)"),
    "-price": gettext_lazy("Price (highest first)"),
    "start": gettext_lazy("Start date (earliest first)"),
    "-start": gettext_lazy("Start date (latest first)"),
}
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_QUERY_LENGTH = 200


class CatalogFilterError(ValueError):
    """Bad filter values; ``errors`` maps each parameter to a message a person can read."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))

    @property
    def message(self) -> str:
        return " ".join(str(message) for message in self.errors.values())


@dataclass(frozen=True)
class CatalogFilters:
    """Validated filter values; amounts are Decimals in major units."""

    q: str = ""
    price: str = ""  # "", "free" or "paid"
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    currency: str = ""
    sort: str = "title"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def has_range(self) -> bool:
        return self.min_price is not None or self.max_price is not None


def _amount(value: str, name: str, errors: dict) -> Decimal | None:
    text = (value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        errors[name] = _("“{value}” is not a number.").format(value=value)
        return None
    if not amount.is_finite():
        errors[name] = _("“{value}” is not a number.").format(value=value)
        return None
    if amount < 0:
        errors[name] = _("A price cannot be negative.")
        return None
    if amount > money.MAX_MAJOR_AMOUNT:
        errors[name] = _("A price above {max} is not accepted.").format(max=money.MAX_MAJOR_AMOUNT)
        return None
    return amount


def _positive_int(value: str, name: str, default: int, errors: dict, maximum: int | None = None) -> int:
    text = (value or "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        errors[name] = _("“{value}” is not a whole number above zero.").format(value=value)
        return default
    number = int(text)
    if maximum is not None and number > maximum:
        errors[name] = _("At most {max} courses per page.").format(max=maximum)
        return default
    return number


def parse_filters(params) -> CatalogFilters:
    """Validate query parameters (a QueryDict or a dict); raise :class:`CatalogFilterError` on bad values."""
    errors = {}
    q = " ".join((params.get("q") or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = _("The search text is too long (at most {count} characters).").format(count=MAX_QUERY_LENGTH)
    price = (params.get("price") or "").strip().lower()
    if price in ("all", "any"):
        price = ""
    if price not in PRICE_KINDS:
        errors["price"] = _("Choose free, paid, or nothing for every course.")
        price = ""
    min_price = _amount(params.get("min_price"), "min_price", errors)
    max_price = _amount(params.get("max_price"), "max_price", errors)
    if min_price is not None and max_price is not None and min_price > max_price:
        errors["max_price"] = _("The highest price must not be below the lowest price.")
    currency = (params.get("currency") or "").strip()
    if currency:
        try:
            currency = money.normalize_currency(currency)
        except money.MoneyError:
            errors["currency"] = _("Unknown currency: {currency}.").format(currency=currency[:10])
            currency = ""
    sort = (params.get("sort") or "title").strip()
    if sort not in SORTS:
        errors["sort"] = _("Sort by title, price or start (a leading “-” reverses the order).")
        sort = "title"
    page = _positive_int(params.get("page"), "page", 1, errors)
    page_size = _positive_int(params.get("page_size"), "page_size", DEFAULT_PAGE_SIZE, errors, MAX_PAGE_SIZE)
    if errors:
        raise CatalogFilterError(errors)
    return CatalogFilters(q=q, price=price, min_price=min_price, max_price=max_price, currency=currency,
                          sort=sort, page=page, page_size=page_size)


@dataclass(frozen=True)
class CatalogOffer:
    """What a catalog row says of its offer: what the purchase decision and the page read (no model instance)."""

    is_paid: bool
    purchasable: bool
    price: int
    currency: str
    scopes: str


@dataclass
class CatalogEntry:
    """One course as the requesting learner sees it in the catalog."""

    course: platform.CourseInfo
    offer: CatalogOffer | None
    enrolled: bool = False
    bought: bool = False
    #: Whether this learner can buy it now, and why not (``orders.eligibility``); set by the caller.
    decision: object = None

    @property
    def is_paid(self) -> bool:
        return bool(self.offer is not None and self.offer.is_paid)

    @property
    def price(self) -> int:
        return int(self.offer.price) if self.is_paid else 0

    @property
    def currency(self) -> str:
        return self.offer.currency if self.is_paid else ""

    @property
    def price_major(self) -> Decimal:
        return money.to_major(self.price, self.currency) if self.is_paid else Decimal(0)

    @property
    def purchasable(self) -> bool:
        """True only when this person can buy it now (the purchase decision), not merely "on sale"."""
        return bool(self.is_paid and self.decision is not None and self.decision.can_buy)

    @property
    def reason(self) -> str | None:
        """Why a paid course cannot be bought now (a decision code), or None."""
        if not self.is_paid or self.decision is None or self.decision.can_buy:
            return None
        return self.decision.code

    @property
    def reason_message(self) -> str:
        return self.decision.message if self.reason else ""

    @property
    def price_display(self) -> str:
        return money.format_price_ttc(self.price, self.currency) if self.is_paid else _("Free")

    @property
    def purchase_url(self) -> str:
        if not self.is_paid:
            return ""
        return purchase_url(self.course.course_key)


@dataclass
class CatalogPage:
    filters: CatalogFilters
    entries: list
    count: int
    num_pages: int
    currencies: list = field(default_factory=list)  # currencies of the paid courses the learner can see
    has_paid: bool = False  # whether any course the learner can see is paid (the price filter "appears")


# --- The query -------------------------------------------------------------------------------------------------
#
# One table, ``CatalogCourse``: a row per platform course carrying the offer that applies to it (a CCX: its
# master's, ``index.offer_key``) and its price in thousandths of the major unit (``price_thousandths``), so the
# filters are plain column comparisons and the sorts follow its indexes (``listed, title_lower, course_id``;
# ``listed, is_paid, price_thousandths, currency, ...``).

#: The columns a page reads, in this order (``_entry`` unpacks them).
_COLUMNS = ("course_id", "title", "org", "image_url", "start", "end", "enrollment_start", "enrollment_end",
            "invitation_only", "is_paid", "on_sale", "price", "currency", "scopes")


def _scope_q(scope: str | None) -> Q:
    """Paid courses offered to ``scope`` (None: anonymous, public only); the scope names share no substring."""
    visible = Q(scopes__contains=DEFAULT_SCOPE)
    if scope and scope != DEFAULT_SCOPE:
        visible |= Q(scopes__contains=scope)
    return visible


class _PageQuery:
    """
    The count and the page of the listed courses offered to ``scope`` that the filters keep, as SQL.

    Every catalog request runs these two statements. Written here rather than built by the ORM: one table,
    plain column comparisons, each value a parameter, and building and compiling the same querysets on
    every request cost more than the two statements themselves. The same conditions and order as
    ``title_lower__contains``, ``is_paid``, ``scopes__contains``, ``price_thousandths__gte/__lte``,
    ``currency`` and ``order_by(...)`` would give, with the database's own ``contains`` operator
    (``LIKE ... ESCAPE`` on SQLite, ``LIKE BINARY`` on MySQL).
    """

    def __init__(self, connection, scope, filters: CatalogFilters):
        quote = connection.ops.quote_name
        self.connection = connection
        self.table = quote(CatalogCourse._meta.db_table)
        self.column = lambda name: f"{self.table}.{quote(CatalogCourse._meta.get_field(name).column)}"
        self.where, self.params = self._conditions(scope, filters, self.column("price_thousandths"))
        self.page_where = self.where
        if connection.vendor == "sqlite" and filters.has_range and not filters.sort.endswith("price"):
            # SQLite, which keeps no statistics here, would range-scan the price index and sort every match;
            # the page in title or start order is cheaper read in that order, stopping once full. A unary
            # "+" is SQLite's way of keeping a term off an index (MariaDB's statistics choose by themselves).
            self.page_where, _ = self._conditions(scope, filters, "+" + self.column("price_thousandths"))
        self.order = self._order(filters.sort)

    def _conditions(self, scope, filters: CatalogFilters, price: str) -> tuple[str, list]:
        column, connection = self.column, self.connection
        contains = connection.operators["contains"]
        where, params = [f"{column('listed')} = %s"], [True]

        def like(value: str) -> str:
            return f"%{connection.ops.prep_for_like_query(value)}%"

        for term in filters.q.split():  # both sides lower-cased: the same match on every database
            where.append(f"{column('title_lower')} {contains}")
            params.append(like(term.lower()))
        # Paid, offered to the scope (a public course to everyone), in the currency and the price range.
        scopes = [DEFAULT_SCOPE] + ([scope] if scope and scope != DEFAULT_SCOPE else [])
        wanted = [f"{column('is_paid')} = %s",
                  "(" + " OR ".join([f"{column('scopes')} {contains}"] * len(scopes)) + ")"]
        wanted_params = [True, *(like(name) for name in scopes)]
        if filters.currency:
            wanted.append(f"{column('currency')} = %s")
            wanted_params.append(filters.currency)
        if filters.min_price is not None:  # price_major >= min  ⇔  thousandths >= ceil(min × 1000)
            wanted.append(f"{price} >= %s")
            wanted_params.append(math.ceil(filters.min_price.scaleb(3)))
        if filters.max_price is not None:  # price_major <= max  ⇔  thousandths <= floor(max × 1000)
            wanted.append(f"{price} <= %s")
            wanted_params.append(math.floor(filters.max_price.scaleb(3)))
        paid_only = filters.price == "paid" or bool(filters.currency) or bool(filters.min_price)
        if paid_only:  # a free course has no currency and costs 0
            where.extend(wanted)
            params.extend(wanted_params)
        elif filters.price == "free":
            where.append(f"{column('is_paid')} = %s")
            params.append(False)
        else:  # free, or paid, offered to the learner and in the range
            where.append(f"({column('is_paid')} = %s OR ({' AND '.join(wanted)}))")
            params.extend([False, *wanted_params])
        return " AND ".join(where), params

    def _order(self, sort: str) -> str:
        """Sorted as asked, then by title and key; courses without the value sorted on go last."""
        column = self.column
        name, descending = sort.lstrip("-"), sort.startswith("-")
        way = "DESC" if descending else "ASC"
        title = f"{column('title_lower')} ASC, {column('course_id')} ASC"
        if name == "title":
            return f"{column('title_lower')} {way}, {column('course_id')} {way}"
        if name == "start":  # NULLS LAST, as both databases read it
            return f"{column('start')} IS NULL, {column('start')} {way}, {title}"
        keys = ", ".join(f"{column(key)} {way}" for key in ("is_paid", "price_thousandths", "currency"))
        return f"{keys}, {title}"

    def count(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.table} WHERE {self.where}", self.params)
            return cursor.fetchone()[0]

    def rows(self, offset: int, limit: int) -> list:
        columns = ", ".join(self.column(name) for name in _COLUMNS)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {self.table} WHERE {self.page_where} ORDER BY {self.order} "
                           f"LIMIT {int(limit)} OFFSET {int(offset)}", self.params)
            return [_converted(row) for row in cursor.fetchall()]


#: Where the page's columns need the ORM's conversion: booleans (0 and 1 on MySQL) and dates (naive in UTC).
_BOOLEANS = tuple(i for i, name in enumerate(_COLUMNS) if name in ("invitation_only", "is_paid", "on_sale"))
_DATES = tuple(i for i, name in enumerate(_COLUMNS) if name in ("start", "end", "enrollment_start", "enrollment_end"))


def _converted(row) -> tuple:
    row = list(row)
    for i in _BOOLEANS:
        row[i] = bool(row[i])
    for i in _DATES:
        value = row[i]
        if isinstance(value, str):  # a database that answers text
            value = parse_datetime(value)
        if value is not None and settings.USE_TZ and timezone.is_naive(value):
            value = value.replace(tzinfo=UTC)
        row[i] = value
    return tuple(row)


#: How long the currencies of the catalog are kept (a course shown, hidden or changed renews them at once, as
#: an offer change does; this bounds a change the read model missed).
CURRENCIES_TIMEOUT_SECONDS = 60


def _currencies(scope) -> list[str]:
    """
    The currencies of the paid listed courses offered to ``scope`` (the price filter's choices).

    One query over the whole catalog, so its answer is kept in the cache under the catalog's generation
    (which every offer or course change renews) for at most a minute; without a cache it is asked every time.
    """
    generation = paid_courses.offers_generation()
    key = f"riseup_stripe:catalog_currencies:v2:{generation}:{scope or ''}"
    if generation:
        try:
            cached = cache.get(key)
        except Exception:  # noqa: BLE001  (no cache: ask the database)
            cached = None
        if cached is not None:
            return list(cached)
    found = _currencies_in_database(scope)
    if generation:
        try:
            cache.set(key, found, CURRENCIES_TIMEOUT_SECONDS)
        except Exception:  # noqa: BLE001
            pass
    return found


def _currencies_in_database(scope) -> list[str]:
    found = (CatalogCourse.objects.filter(Q(listed=True, is_paid=True) & _scope_q(scope)).order_by()
             .values_list("currency", flat=True).distinct())
    return sorted(found)


def _scope_for(user) -> str | None:
    return learner_scope(user) if getattr(user, "is_authenticated", False) else None


def visible_currencies(user) -> list[str]:
    """The currencies of the paid courses this learner can see (the price filter's choices)."""
    return _currencies(_scope_for(user))


def _entry(row, about_url, course_url) -> CatalogEntry:
    (course_id, title, org, image_url, start, end, enrollment_start, enrollment_end, invitation_only,
     is_paid, on_sale, price, currency, scopes) = row
    course = platform.CourseInfo(
        course_key=course_id, display_name=title, org=org, about_url=about_url(course_id),
        course_url=course_url(course_id), image_url=image_url, start=start, end=end,
        enrollment_start=enrollment_start, enrollment_end=enrollment_end, invitation_only=invitation_only)
    offer = CatalogOffer(is_paid=True, purchasable=on_sale, price=price, currency=currency, scopes=scopes) \
        if is_paid else None
    return CatalogEntry(course=course, offer=offer)


def read_courses(course_ids) -> dict:
    """
    ``{course_id: CatalogEntry}`` of the given courses (strings), listed or not, from the read model in one
    query (the storefront API's courses, on every widget's page: its SQL is written once per number of
    courses); a course the table does not have is left out.
    """
    ids = list(dict.fromkeys(str(key) for key in course_ids))
    if not ids:
        return {}
    about_url, course_url = platform.course_link_builders()
    alias = router.db_for_read(CatalogCourse)
    with connections[alias].cursor() as cursor:
        cursor.execute(_read_courses_sql(alias, len(ids)), ids)
        rows = [_converted(row) for row in cursor.fetchall()]
    return {row[0]: _entry(row, about_url, course_url) for row in rows}


@lru_cache(maxsize=128)
def _read_courses_sql(alias: str, count: int) -> str:
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(CatalogCourse._meta.get_field(name).column) for name in _COLUMNS)
    key = quote(CatalogCourse._meta.get_field("course_id").column)
    return (f"SELECT {columns} FROM {quote(CatalogCourse._meta.db_table)} "
            f"WHERE {key} IN ({', '.join(['%s'] * count)})")


def search(user, filters: CatalogFilters) -> CatalogPage:
    """
    The page of the catalog the filters ask for, as this learner sees it.

    Filtering, sorting, counting and paging happen in the database, in the catalog's read model: the work
    in Python (URLs, the learner's enrollments and purchases, the decision) is for the page's rows only.
    A fixed number of queries: the count and the page (one indexed read of one table each), currencies
    (cached); signed in, the learner's scope, their enrollments and their orders among the page's
    courses. Past the last page, the count alone.
    """
    signed_in = bool(user is not None and getattr(user, "is_authenticated", False))
    scope = _scope_for(user)
    query = _PageQuery(connections[router.db_for_read(CatalogCourse)], scope, filters)
    count = query.count()
    start = (filters.page - 1) * filters.page_size
    rows = query.rows(start, filters.page_size) if start < count else []
    num_pages = max(1, math.ceil(count / filters.page_size))
    about_url, course_url = platform.course_link_builders()  # reversed once for the page
    entries = [_entry(row, about_url, course_url) for row in rows]
    keys = [entry.course.course_key for entry in entries]
    enrolled = platform.enrolled_course_keys(user, keys) if signed_in and keys else set()
    paid_keys = [entry.course.course_key for entry in entries if entry.is_paid]
    # What the learner holds of the page's paid courses: one query.
    held = held_states_for(user, paid_keys) if signed_in and paid_keys else {}
    enabled = payment_enabled()
    for entry in entries:
        key = entry.course.course_key
        entry.enrolled = key in enrolled
        states = held.get(key, ())
        entry.bought = bool(set(states) & ACCESS_STATES)
        if entry.is_paid:  # the one purchase decision, as the purchase page and the storefront API take it (no link:
            # the page shows the code and the message, and its own purchase address)
            entry.decision = decide(signed_in=signed_in, course_key=key, offer=entry.offer, payment_enabled=enabled,
                                    held=states, enrolled=entry.enrolled, scope=scope or DEFAULT_SCOPE,
                                    course=entry.course, links=False)
    currencies = _currencies(scope)
    return CatalogPage(filters=filters, entries=entries, count=count, num_pages=num_pages,
                       currencies=currencies, has_paid=bool(currencies))
