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
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db.models import F, Q
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


def _price_q(filters: CatalogFilters) -> Q:
    """Paid courses matching the currency and the price range, compared in each currency's own minor units."""
    condition = Q()
    if filters.currency:
        condition &= Q(currency=filters.currency)
    if filters.min_price is not None:  # price_major >= min  ⇔  thousandths >= ceil(min × 1000)
        condition &= Q(price_thousandths__gte=math.ceil(filters.min_price.scaleb(3)))
    if filters.max_price is not None:  # price_major <= max  ⇔  thousandths <= floor(max × 1000)
        condition &= Q(price_thousandths__lte=math.floor(filters.max_price.scaleb(3)))
    return condition


def _matching_courses(scope, filters: CatalogFilters):
    """The listed courses offered to ``scope`` that the filters keep, as a queryset (nothing read yet)."""
    courses = CatalogCourse.objects.filter(listed=True)
    for term in filters.q.split():  # both sides lower-cased: the same match on every database
        courses = courses.filter(title_lower__contains=term.lower())
    wanted = Q(is_paid=True) & _scope_q(scope) & _price_q(filters)
    paid_only = filters.price == "paid" or bool(filters.currency) or bool(filters.min_price)
    if paid_only:  # a free course has no currency and costs 0
        return courses.filter(wanted)
    if filters.price == "free":
        return courses.filter(is_paid=False)
    # Free, or paid, offered to the learner and in the range.
    return courses.filter(Q(is_paid=False) | wanted)


def _ordered(courses, sort: str):
    """Sorted as asked, then by title and key; courses without the value sorted on go last."""
    name, descending = sort.lstrip("-"), sort.startswith("-")
    if name == "title":
        return courses.order_by(*(("-title_lower", "-course_id") if descending else ("title_lower", "course_id")))
    title = ("title_lower", "course_id")
    if name == "start":
        start = F("start").desc(nulls_last=True) if descending else F("start").asc(nulls_last=True)
        return courses.order_by(start, *title)
    keys = ("is_paid", "price_thousandths", "currency")
    return courses.order_by(*[f"-{k}" if descending else k for k in keys], *title)


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
    query (the storefront API's courses); a course the table does not have is left out.
    """
    about_url, course_url = platform.course_link_builders()
    rows = CatalogCourse.objects.filter(course_id__in=[str(key) for key in course_ids]).values_list(*_COLUMNS)
    return {row[0]: _entry(row, about_url, course_url) for row in rows}


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
    courses = _matching_courses(scope, filters)
    count = courses.count()
    start = (filters.page - 1) * filters.page_size
    rows = list(_ordered(courses, filters.sort).values_list(*_COLUMNS)[start:start + filters.page_size]) \
        if start < count else []
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
