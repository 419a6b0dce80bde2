"""
The catalog a learner sees: the platform's catalog courses, their offers, the learner's scope, filters.

Open edX has no filter hook on its course search, so the plugin lists courses
itself, in SQL over the platform's course table (``edxapp_wrapper.catalog_table``):
filtering, sorting, counting and paging happen in the database, so a request's
work is bounded by its page, not by the catalog, in a fixed number of queries.

Prices are compared in each offer's own currency, in its minor units (the bounds
converted from major units with Decimals, never floats):
``max_price=50`` keeps courses up to 50.00 EUR and up to 50 JPY alike, unless a
currency is chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Concat, Lower, StrIndex, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import edxapp_wrapper as platform
from .. import money
from ..models import CourseOffer
from ..orders.eligibility import decide, held_states_for, payment_enabled
from ..states import ACCESS_STATES
from . import paid_courses
from .audience import learner_scope
from .offers import offers_for, purchase_url
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


@dataclass
class CatalogEntry:
    """One course as the requesting learner sees it in the catalog."""

    course: platform.CourseInfo
    offer: CourseOffer | None
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
# The platform's catalog courses are a table of the platform (CourseOverview); offers are the plugin's. There is
# no foreign key between them, so each course row looks its offer up by key in a correlated subquery (the offer's
# course key is unique, so that is an index lookup). A CCX (``ccx-v1:org+course+run+ccx@N``) looks up its master
# course's offer (``course-v1:org+course+run``): the same rule as ``offers.offer_course_key``, written in SQL.

_OFFER_KEY = "riseup_offer_key"
_CCX_PREFIX, _MASTER_PREFIX, _CCX_MARK = "ccx-v1:", "course-v1:", "+ccx@"


def _offer_key_expression(key_field: str):
    key = F(key_field)
    start = len(_CCX_PREFIX) + 1  # SQL strings count from 1
    master = Concat(Value(_MASTER_PREFIX), Substr(key, start, StrIndex(key, Value(_CCX_MARK)) - start),
                    output_field=CharField())
    return Case(When(**{f"{key_field}__startswith": _CCX_PREFIX}, then=master), default=key,
                output_field=CharField())


def _scope_q(scope: str | None) -> Q:
    """Paid offers offered to ``scope`` (None: anonymous, public only); the scope names share no substring."""
    visible = Q(scopes__contains=DEFAULT_SCOPE)
    if scope and scope != DEFAULT_SCOPE:
        visible |= Q(scopes__contains=scope)
    return visible


#: Currencies by the exponent of their minor units (every other currency counts hundredths).
_EXPONENT_GROUPS = ((0, sorted(money.ZERO_DECIMAL)), (3, sorted(money.THREE_DECIMAL)))


class _NormalizedPrice(Func):
    """
    An offer's price in thousandths of its major unit, an integer, so prices in any currency compare:
    4900 EUR → 49000, 5000 JPY → 5000000, 12340 KWD → 12340.

    The currency lists are the plugin's own constants, written into the SQL as literals (no user input).
    """

    output_field = BigIntegerField()

    def __init__(self):
        super().__init__(F("currency"), F("price"))

    def as_sql(self, compiler, connection, **extra_context):
        (currency, currency_params), (price, price_params) = (compiler.compile(e) for e in self.source_expressions)
        whens = []
        params = []
        for exp, codes in _EXPONENT_GROUPS:
            listed = ", ".join(f"'{code}'" for code in codes)
            whens.append(f"WHEN {currency} IN ({listed}) THEN {price} * {10 ** (3 - exp)}")
            params += [*currency_params, *price_params]
        return f"(CASE {' '.join(whens)} ELSE {price} * 10 END)", [*params, *price_params]


def _price_q(filters: CatalogFilters) -> Q:
    """Paid offers matching the currency and the price range, compared in each currency's own minor units."""
    condition = Q()
    if filters.currency:
        condition &= Q(currency=filters.currency)
    if filters.min_price is not None:  # price_major >= min  ⇔  thousandths >= ceil(min × 1000)
        condition &= Q(riseup_price_n__gte=math.ceil(filters.min_price.scaleb(3)))
    if filters.max_price is not None:  # price_major <= max  ⇔  thousandths <= floor(max × 1000)
        condition &= Q(riseup_price_n__lte=math.floor(filters.max_price.scaleb(3)))
    return condition


def _offers():
    """The offer of the outer course row (its master's, for a CCX), its price comparable across currencies."""
    return CourseOffer.objects.filter(course_key=OuterRef(_OFFER_KEY)).annotate(riseup_price_n=_NormalizedPrice())


def _offer_keys(condition: Q):
    """The course keys of the paid offers meeting ``condition``: a subquery, computed once per query."""
    return (CourseOffer.objects.annotate(riseup_price_n=_NormalizedPrice())
            .filter(Q(is_paid=True) & condition).values("course_key"))


def _matching_courses(table, scope, filters: CatalogFilters):
    """
    The catalog courses offered to ``scope`` that the filters keep, as a queryset (nothing read yet).

    Paid courses only (a price, a currency): the matching offers are one ``IN`` subquery, which the
    database computes once (MariaDB materializes it) and probes for each row's offer key. The whole
    catalog: a correlated ``NOT EXISTS`` on the offer's unique key, which both databases answer from
    the index faster than a ``NOT IN``.
    """
    courses = table.queryset.annotate(**{_OFFER_KEY: _offer_key_expression(table.key)})
    for term in filters.q.split():
        courses = courses.filter(**{f"{table.title}__icontains": term})
    wanted = _scope_q(scope) & _price_q(filters)
    paid_only = filters.price == "paid" or bool(filters.currency) or bool(filters.min_price)
    if paid_only:  # a free course has no currency and costs 0
        return courses.filter(**{f"{_OFFER_KEY}__in": _offer_keys(wanted)})
    if filters.price == "free":
        return courses.filter(~Exists(_offers().filter(is_paid=True)))
    # Free, or paid, offered to the learner and in the range: no paid offer that is not wanted.
    return courses.filter(~Exists(_offers().filter(Q(is_paid=True) & ~wanted)))


def _ordered(courses, table, sort: str):
    """Sorted as asked, then by title and key; courses without the value sorted on go last."""
    name, descending = sort.lstrip("-"), sort.startswith("-")
    title = [Lower(table.title).asc(), F(table.key).asc()]
    if name == "title":
        return courses.order_by(*([Lower(table.title).desc(), F(table.key).desc()] if descending else title))
    if name == "start":
        start = F(table.start).desc(nulls_last=True) if descending else F(table.start).asc(nulls_last=True)
        return courses.order_by(start, *title)
    paid = _offers().filter(is_paid=True)
    courses = courses.annotate(
        riseup_paid=Exists(paid),
        riseup_price=Subquery(paid.values("riseup_price_n")[:1]),
        riseup_currency=Subquery(paid.values("currency")[:1]),
    )
    keys = ("riseup_paid", "riseup_price", "riseup_currency")
    return courses.order_by(*[F(k).desc() if descending else F(k).asc() for k in keys], *title)


#: How long the currencies of the catalog are kept (a course hidden or shown on the platform is seen after this;
#: an offer change at once).
CURRENCIES_TIMEOUT_SECONDS = 60


def _currencies(table, scope) -> list[str]:
    """
    The currencies of the paid catalog courses offered to ``scope`` (the price filter's choices).

    One query over the whole catalog, so its answer is kept in the cache under the offers' generation
    (which every offer change renews) for at most a minute; without a cache it is asked every time.
    """
    generation = paid_courses.offers_generation()
    key = f"riseup_stripe:catalog_currencies:v1:{generation}:{scope or ''}"
    if generation:
        try:
            cached = cache.get(key)
        except Exception:  # noqa: BLE001  (no cache: ask the database)
            cached = None
        if cached is not None:
            return list(cached)
    found = _currencies_in_database(table, scope)
    if generation:
        try:
            cache.set(key, found, CURRENCIES_TIMEOUT_SECONDS)
        except Exception:  # noqa: BLE001
            pass
    return found


def _currencies_in_database(table, scope) -> list[str]:
    courses = table.queryset.annotate(**{_OFFER_KEY: _offer_key_expression(table.key)})
    currency = Subquery(_offers().filter(Q(is_paid=True) & _scope_q(scope)).values("currency")[:1])
    found = (courses.annotate(riseup_currency=currency).filter(riseup_currency__isnull=False)
             .order_by().values_list("riseup_currency", flat=True).distinct())
    return sorted(found)


def _scope_for(user) -> str | None:
    return learner_scope(user) if getattr(user, "is_authenticated", False) else None


def visible_currencies(user) -> list[str]:
    """The currencies of the paid courses this learner can see (the price filter's choices)."""
    return _currencies(platform.catalog_table(), _scope_for(user))


def search(user, filters: CatalogFilters) -> CatalogPage:
    """
    The page of the catalog the filters ask for, as this learner sees it.

    Filtering, sorting, counting and paging happen in the database: the work in Python (offers, URLs,
    the learner's enrollments and purchases) is for the page's rows only. A fixed number of queries:
    the page with the count, offers of the page, currencies (cached); signed in, the learner's scope
    and their enrollments (purchases are read with the page). Past the last page, the count alone.
    """
    table = platform.catalog_table()
    signed_in = bool(user is not None and getattr(user, "is_authenticated", False))
    scope = _scope_for(user)
    courses = _matching_courses(table, scope, filters)
    start = (filters.page - 1) * filters.page_size
    # The page and the number of matching courses in one pass (a window over the filtered rows).
    page = _ordered(courses, table, filters.sort).annotate(riseup_total=Window(Count("*")))
    rows = list(page[start:start + filters.page_size])
    if rows:
        count = rows[0].riseup_total
    else:  # past the last page (or nothing matches): the count alone
        count = courses.count() if start else 0
    num_pages = max(1, math.ceil(count / filters.page_size))
    infos = [table.to_info(row) for row in rows]
    offers = offers_for([info.course_key for info in infos]) if infos else {}
    enrolled = platform.enrolled_course_keys(user) if signed_in and infos else set()
    paid_keys = [key for key, offer in offers.items() if offer.is_paid]
    # What the learner holds of the page's paid courses: one query.
    held = held_states_for(user, paid_keys) if signed_in and paid_keys else {}
    enabled = payment_enabled()
    entries = []
    for info in infos:
        key = info.course_key
        entry = CatalogEntry(course=info, offer=offers.get(key), enrolled=key in enrolled,
                             bought=bool(held.get(key, set()) & ACCESS_STATES))
        if entry.is_paid:  # the one purchase decision, as the purchase page and the storefront API take it (no link:
            # the page shows the code and the message, and its own purchase address)
            entry.decision = decide(signed_in=signed_in, course_key=key, offer=entry.offer, payment_enabled=enabled,
                                    held=held.get(key, ()), enrolled=entry.enrolled, scope=scope or DEFAULT_SCOPE,
                                    course=info, links=False)
        entries.append(entry)
    currencies = _currencies(table, scope)
    return CatalogPage(filters=filters, entries=entries, count=count, num_pages=num_pages,
                       currencies=currencies, has_paid=bool(currencies))
