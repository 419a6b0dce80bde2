"""
Can this person buy this course now, and if not, why: one decision for every page and API.

The purchase page, the Buy POST, the purchases API, the catalog API's ``purchasable``, the
storefront API the MFE widgets read, the course about page and the enrollment gate's refusal all
ask :func:`decide`, so they never disagree: a course is "buyable" in one place exactly when a
purchase would start. The decision is a code (a stable word for programs), a translated sentence
and, where there is somewhere to go, a link.

The checks run from the cheapest to the dearest and stop at the first answer; the facts that cost a
query (the learner's orders, enrollment, scope, the course's enrollment dates) are callables, read
only when the decision reaches them. :func:`eligibility` decides for one course, :func:`eligibilities`
for a page of courses in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.db import connections, router
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import conf, money
from .. import edxapp_wrapper as platform
from ..catalog.audience import learner_scope, visible_in_scope
from ..catalog.offers import get_offer, offers_for, purchase_url
from ..catalog.scopes import DEFAULT_SCOPE
from ..exceptions import PurchaseRefused
from ..models import Order
from ..states import ACCESS_STATES, OrderState

AVAILABLE = "available"
FREE = "free"
SIGNED_OUT = "signed_out"
PAYMENT_OFF = "payment_off"
NOT_ON_SALE = "not_on_sale"
OUT_OF_SCOPE = "out_of_scope"
BOUGHT = "bought"
PENDING = "pending"
FLAGGED = "flagged"
ALREADY_ENROLLED = "already_enrolled"
INVITATION_ONLY = "invitation_only"
NOT_OPEN_YET = "not_open_yet"
ENROLLMENT_CLOSED = "enrollment_closed"
#: Every code that says why a paid course cannot be bought now (the APIs' ``reason``).
REASONS = (BOUGHT, ALREADY_ENROLLED, PENDING, FLAGGED, PAYMENT_OFF, NOT_ON_SALE, OUT_OF_SCOPE, INVITATION_ONLY,
           NOT_OPEN_YET, ENROLLMENT_CLOSED, SIGNED_OUT)

#: The order states the decision looks at: bought, a delayed payment on its way, a payment under review.
HELD_STATES = (*ACCESS_STATES, OrderState.PAYMENT_PENDING, OrderState.FLAGGED)

#: HTTP status of a refused purchase, per code (409 when not listed: the request is fine, the moment is not).
HTTP_STATUS = {SIGNED_OUT: 401, OUT_OF_SCOPE: 403, INVITATION_ONLY: 403, FREE: 409}

#: What the storefront API calls the learner's situation, per code (``unavailable`` when not listed).
STOREFRONT_STATUS = {AVAILABLE: "available", FREE: "free", BOUGHT: "bought", PENDING: "pending",
                     SIGNED_OUT: "sign_in_required"}


@dataclass(frozen=True)
class Link:
    """Somewhere to go from a decision: the address and what the link says."""

    url: str
    label: str


@dataclass(frozen=True)
class Eligibility:
    """The answer: ``code`` (``available`` or why not), a sentence for people, an optional link."""

    code: str
    message: str = ""
    link: Link | None = None

    @property
    def can_buy(self) -> bool:
        return self.code == AVAILABLE

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 409)

    @property
    def storefront_status(self) -> str:
        return STOREFRONT_STATUS.get(self.code, "unavailable")

    def refusal(self) -> PurchaseRefused:
        """The error a purchase that cannot start raises (the purchases API answers its code and message)."""
        return PurchaseRefused(self.code, self.message, status=self.http_status)

    def as_text(self, absolute: Callable[[str], str] | None = None) -> str:
        """One sentence for places that show plain text only: the message, then the link's address."""
        if self.link is None:
            return self.message
        url = absolute(self.link.url) if absolute else self.link.url
        return f"{self.message} {url}".strip()


def _lazy(value):
    return value if callable(value) else (lambda: value)


def _window(course) -> Eligibility | None:
    """Whether the course takes enrollments now: invitation-only, not open yet, closed or ended."""
    if course is None:
        return None
    now = timezone.now()
    # A CourseInfo from the boundary, or the platform page's own course object: same attribute names.
    start, end = getattr(course, "enrollment_start", None), getattr(course, "enrollment_end", None)
    if getattr(course, "invitation_only", False):
        return Eligibility(INVITATION_ONLY, _("This course is by invitation only."))
    if start and now < start:
        return Eligibility(NOT_OPEN_YET, _("Enrollment in this course opens on {date}.").format(
            date=date_format(timezone.localtime(start), "DATE_FORMAT")))
    if end and now > end:
        return Eligibility(ENROLLMENT_CLOSED, _("Enrollment in this course is closed."))
    if getattr(course, "end", None) and now > course.end:
        return Eligibility(ENROLLMENT_CLOSED, _("This course has ended."))
    return None


def _course_link(course) -> Link | None:
    url = getattr(course, "course_url", "") if course is not None else ""
    return Link(url, _("View course")) if url else None


def decide(*, signed_in: bool, course_key, offer, payment_enabled: bool, held=(), enrolled=False, scope=None,
           course=None, next_url: str | None = None, links: bool = True) -> Eligibility:
    """
    The decision itself, from facts; no query of its own.

    ``held`` (the learner's order states for the course, among :data:`HELD_STATES`), ``enrolled``,
    ``scope`` (the learner's audience scope) and ``course`` (the course's information, for its
    enrollment dates and course link) may be values or callables read only when needed.
    ``next_url`` is where sign-in comes back to (the purchase page when not given). ``links=False``:
    the same code and message without the link (a catalog page shows neither the sign-in address nor
    the Buy label, and building them for every row cost more than the decision).
    """
    if offer is None or not offer.is_paid:
        return Eligibility(FREE, _("This course is free: enroll from the course page."))
    held, enrolled, scope, course = _lazy(held), _lazy(enrolled), _lazy(scope), _lazy(course)
    if signed_in:
        states = set(held())
        if states & ACCESS_STATES:
            return Eligibility(BOUGHT, _("You have already bought this course."),
                               _course_link(course()) if links else None)
        if enrolled():
            return Eligibility(ALREADY_ENROLLED, _("You are already enrolled in this course."),
                               _course_link(course()) if links else None)
        if OrderState.PAYMENT_PENDING in states:
            return Eligibility(PENDING, _("Your payment for this course is being processed. You will be enrolled "
                                          "as soon as it clears."))
        if OrderState.FLAGGED in states:
            return Eligibility(FLAGGED, _("Your payment for this course is being reviewed. An administrator will "
                                          "contact you."))
    if not payment_enabled:
        return Eligibility(PAYMENT_OFF, _("This course is not available for purchase right now."))
    if not offer.purchasable:
        return Eligibility(NOT_ON_SALE, _("This course is not available for purchase."))
    if signed_in and not visible_in_scope(offer, scope() or DEFAULT_SCOPE):
        return Eligibility(OUT_OF_SCOPE, _("This course is not offered to you."))
    closed = _window(course())
    if closed is not None:
        return closed
    if not signed_in:
        sign_in = Link(platform.login_url(next_url or purchase_url(course_key)), _("Sign in to buy")) if links else None
        if not visible_in_scope(offer, DEFAULT_SCOPE):
            return Eligibility(SIGNED_OUT, _("This course is not offered to the public. Sign in to see if it is "
                                             "offered to you."), sign_in)
        return Eligibility(SIGNED_OUT, _("Sign in to buy this course."), sign_in)
    if not links:
        return Eligibility(AVAILABLE, "")
    return Eligibility(AVAILABLE, "", Link(purchase_url(course_key), _("Buy – {price}").format(
        price=money.format_price_ttc(offer.price, offer.currency))))


def payment_enabled() -> bool:
    """Whether payment is on; reads only that setting (no secret is decrypted to answer it)."""
    return bool(conf.get("RISEUP_STRIPE_ENABLED"))


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


_UNSET = object()


def held_states(user, course_key) -> set:
    """The learner's order states for one course that the decision looks at; one query."""
    return set(Order.objects.filter(user_id=user.pk, course_key=course_key, state__in=HELD_STATES)
               .values_list("state", flat=True))


def eligibility(user, course_key, *, offer=_UNSET, course=_UNSET, enrolled=_UNSET, held=_UNSET,
                scope=_UNSET, next_url: str | None = None) -> Eligibility:
    """Can ``user`` buy ``course_key`` now? One course; what the caller already has is not read again."""
    offer = get_offer(course_key) if offer is _UNSET else offer
    signed_in = _signed_in(user)
    return decide(
        signed_in=signed_in, course_key=course_key, offer=offer,
        payment_enabled=payment_enabled(),
        held=() if not signed_in else (lambda: held_states(user, course_key)) if held is _UNSET else held,
        enrolled=(lambda: platform.is_enrolled(user, course_key)) if enrolled is _UNSET else enrolled,
        scope=(lambda: learner_scope(user)) if scope is _UNSET else scope,
        course=(lambda: platform.get_course(course_key)) if course is _UNSET else course,
        next_url=next_url,
    )


def held_states_for(user, course_keys) -> dict:
    """
    ``{course id: {states}}`` of the learner's orders for many courses, keyed by the course id as a string;
    one query (none when anonymous).

    A page of the catalog or of the storefront asks this on every request: its SQL is written once per
    number of courses rather than compiled by the ORM each time, and the course ids go to the database as
    the strings they are stored as (no course key parsed to be printed again).
    """
    held = {}
    if not _signed_in(user):
        return held
    ids = list(dict.fromkeys(str(key) for key in course_keys))
    if not ids:
        return held
    alias = router.db_for_read(Order)
    with connections[alias].cursor() as cursor:
        cursor.execute(_held_states_sql(alias, len(ids)), [user.pk, *(str(state) for state in HELD_STATES), *ids])
        for course_id, state in cursor.fetchall():
            held.setdefault(course_id, set()).add(state)
    return held


@lru_cache(maxsize=256)
def _held_states_sql(alias: str, count: int) -> str:
    """The same SELECT the ORM sends for ``Order.objects.filter(user_id=, state__in=, course_key__in=)``."""
    quote = connections[alias].ops.quote_name
    column = Order._meta.get_field
    marks = ", ".join(["%s"] * count)
    states = ", ".join(["%s"] * len(HELD_STATES))
    return (f"SELECT {quote(column('course_key').column)}, {quote(column('state').column)} "
            f"FROM {quote(Order._meta.db_table)} WHERE {quote(column('user').column)} = %s "
            f"AND {quote(column('state').column)} IN ({states}) AND {quote(column('course_key').column)} IN ({marks})")


def eligibilities(user, course_keys, *, offers=None, courses=None, next_url: str | None = None,
                  links: bool = True) -> dict:
    """
    ``{course_key: Eligibility}`` for a page of courses, in a fixed number of queries whatever their number.

    The offers (one query), the courses (one), and for a signed-in learner their orders (one), their
    enrollments (one) and their scope (one), when the page has a paid course. ``links=False``: the
    decisions without their links (see :func:`decide`).
    """
    course_keys = list(course_keys)
    offers = offers_for(course_keys) if offers is None else offers
    courses = platform.get_courses(course_keys) if courses is None else courses
    signed_in = _signed_in(user)
    paid = [key for key in course_keys if offers.get(key) is not None and offers[key].is_paid]
    held = held_states_for(user, paid) if signed_in and paid else {}
    enrolled = platform.enrolled_course_keys(user, paid) if signed_in and paid else set()
    # Read up front rather than lazily, so that a page costs the same whatever its courses' states.
    scope = learner_scope(user) if signed_in and paid else DEFAULT_SCOPE
    enabled = payment_enabled()
    return {
        key: decide(signed_in=signed_in, course_key=key, offer=offers.get(key), payment_enabled=enabled,
                    held=held.get(str(key), ()), enrolled=str(key) in enrolled, scope=scope, course=courses.get(key),
                    next_url=next_url, links=links)
        for key in course_keys
    }
