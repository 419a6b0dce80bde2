"""
The catalog a learner sees: the platform's catalog courses, their offers, the learner's scope, filters.

Open edX has no filter hook on its course search, so the plugin lists courses
itself. One listing costs a fixed number of queries, whatever the size of the
catalog or of the page: the platform's catalog courses (one query), every offer
(one), the learner's scope (up to two), their enrollments and purchases (one
each). Filtering, sorting and paging then happen in memory.

Prices are compared in each offer's own currency, in major units, as Decimals:
``max_price=50`` keeps courses up to 50.00 EUR and up to 50 JPY alike, unless a
currency is chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import edxapp_wrapper as platform
from .. import money
from ..models import CourseOffer, Order
from ..orders.eligibility import HELD_STATES, decide, payment_enabled
from ..states import ACCESS_STATES
from .audience import learner_scope, visible_in_scope
from .offers import offers_for, purchase_url

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


def _matches(entry: CatalogEntry, filters: CatalogFilters, terms: list[str]) -> bool:
    if terms:
        title = entry.course.display_name.casefold()
        if not all(term in title for term in terms):
            return False
    if filters.price == "free" and entry.is_paid:
        return False
    if filters.price == "paid" and not entry.is_paid:
        return False
    if filters.currency and entry.currency != filters.currency:
        return False  # a free course has no currency
    if filters.has_range:
        if not entry.is_paid and filters.min_price:
            return False  # a free course costs 0
        amount = entry.price_major
        if filters.min_price is not None and amount < filters.min_price:
            return False
        if filters.max_price is not None and amount > filters.max_price:
            return False
    return True


def _sort_value(entry: CatalogEntry, name: str):
    """The value sorted on, or None when the course has none (those go last, whatever the direction)."""
    if name == "price":
        return (entry.is_paid, entry.price_major, entry.currency)
    if name == "start":
        return entry.course.start
    return entry.course.display_name.casefold()


def sort_entries(entries: list, sort: str) -> list:
    name, descending = sort.lstrip("-"), sort.startswith("-")
    def by_title(entry):
        return (entry.course.display_name.casefold(), str(entry.course.course_key))
    with_value = sorted((e for e in entries if _sort_value(e, name) is not None), key=by_title)
    without = sorted((e for e in entries if _sort_value(e, name) is None), key=by_title)
    # Stable sorts: equal values keep the title order.
    with_value.sort(key=lambda e: _sort_value(e, name), reverse=descending)
    return with_value + without


def visible_entries(user) -> list[CatalogEntry]:
    """Every catalog course offered to this learner, with what they already have; a fixed number of queries."""
    courses = platform.list_courses()
    offers = offers_for([course.course_key for course in courses])
    needs_scope = any(offer.is_paid for offer in offers.values())
    scope = learner_scope(user) if needs_scope else None
    entries = []
    for course in courses:
        offer = offers.get(course.course_key)  # a CCX carries its master's offer
        if offer is not None and offer.is_paid and not visible_in_scope(offer, scope):
            continue
        entries.append(CatalogEntry(course=course, offer=offer))
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    enrolled, held = set(), {}
    if signed_in and entries:
        enrolled = platform.enrolled_course_keys(user)
        for course_key, state in (Order.objects.filter(user_id=user.pk, state__in=HELD_STATES)
                                  .values_list("course_key", "state")):
            held.setdefault(course_key, set()).add(state)
    enabled = payment_enabled()
    for entry in entries:
        key = entry.course.course_key
        entry.enrolled = key in enrolled
        entry.bought = bool(held.get(key, set()) & ACCESS_STATES)
        if entry.is_paid:
            entry.decision = decide(signed_in=signed_in, course_key=key, offer=entry.offer, payment_enabled=enabled,
                                    held=held.get(key, ()), enrolled=entry.enrolled, scope=scope,
                                    course=entry.course)
    return entries


def search(user, filters: CatalogFilters) -> CatalogPage:
    """The page of the catalog the filters ask for, as this learner sees it."""
    entries = visible_entries(user)
    currencies = sorted({entry.currency for entry in entries if entry.is_paid})
    has_paid = bool(currencies)
    terms = [term.casefold() for term in filters.q.split()]
    matching = [entry for entry in entries if _matches(entry, filters, terms)]
    matching = sort_entries(matching, filters.sort)
    count = len(matching)
    num_pages = max(1, math.ceil(count / filters.page_size))
    start = (filters.page - 1) * filters.page_size
    return CatalogPage(filters=filters, entries=matching[start:start + filters.page_size], count=count,
                       num_pages=num_pages, currencies=currencies, has_paid=has_paid)
