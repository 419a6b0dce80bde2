"""
The enrollment gate: nobody enters a paid course without paying, except through the back office.

``PaidCourseEnrollmentGate`` runs as part of ``CourseEnrollment.enroll`` on every
enrollment path of the platform (self-enrollment, enrollment API, instructor
dashboard, bulk enroll, invitations): paid means paid.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from django.db import connections, router
from django.db.models import Exists
from django.utils.translation import gettext as _
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted

from .. import edxapp_wrapper as platform
from ..catalog import paid_courses
from ..catalog.offers import offer_course_key
from ..local_answers import MAX_AGE, answers
from ..models import CourseOffer, Order
from ..orders.eligibility import eligibility
from ..states import ACCESS_STATES, OrderState
from .backoffice import back_office_enrollment, record_back_office_enrollment

log = logging.getLogger(__name__)

#: The logger of openedx-filters' pipeline runner, which logs every refusal with its traceback.
FILTERS_LOGGER = "openedx_filters.tooling"

#: The enrollment fulfilment is making in this context, as (user id, course key): its order is paid.
_fulfilling: ContextVar[tuple | None] = ContextVar("riseup_stripe_fulfilling", default=None)


@contextmanager
def fulfilling(order):
    """
    Fulfilment enrolls the learner of ``order``, which it holds under its row lock and Stripe says is paid.

    The order becomes FULFILLED in the UPDATE that follows the enrollment (one write instead of two), so
    the gate cannot see it as granting access yet: inside this block, and for this learner and course
    only, the gate lets the enrollment through without asking the database. Any other enrollment, here
    or anywhere else, is checked as always.
    """
    token = _fulfilling.set((order.user_id, str(order.course_key)))
    try:
        yield
    finally:
        _fulfilling.reset(token)


def is_being_fulfilled(user, course_key) -> bool:
    """Whether this context's fulfilment is enrolling this learner in this course (see :func:`fulfilling`)."""
    current = _fulfilling.get()
    return current is not None and current == (getattr(user, "pk", None), str(course_key))


_ASK_CACHE = object()


def paid_course_offer(user, course_key, known_paid=_ASK_CACHE):
    """
    None for a free course (or no offer), else the offer, annotated with what the learner holds.

    No query when the cache knows the course is free; one query otherwise (the offer and the learner's
    orders together). ``paid`` says whether the learner paid (a PAID order counts: that is the
    fulfilment making the enrollment); ``pending`` and ``flagged`` whether a delayed payment or a
    payment under review is on its way, so that a refusal says so without another query.
    ``known_paid`` is what the caller already read from the cache (not read again).
    """
    offer_key = offer_course_key(course_key)
    if known_paid is _ASK_CACHE:
        known_paid = paid_courses.cached_is_paid(offer_key)
    if known_paid is False:
        return None
    # The order is for the course enrolled into; the offer may be its master's (a CCX).
    orders = Order.objects.filter(user_id=getattr(user, "pk", None), course_key=course_key)
    offer = (
        CourseOffer.objects.filter(course_key=offer_key, is_paid=True)
        .annotate(paid=Exists(orders.filter(state__in=ACCESS_STATES)),
                  pending=Exists(orders.filter(state=OrderState.PAYMENT_PENDING)),
                  flagged=Exists(orders.filter(state=OrderState.FLAGGED)))
        .first()
    )
    paid_courses.remember_is_paid(offer_key, offer is not None)
    return offer


def holds_access(user, course_key) -> bool:
    """
    Whether the learner holds a PAID or FULFILLED order of the course: one probe of a unique index.

    ``access_slot`` is "user:course" exactly while an order grants access (:meth:`Order.slots_for`),
    so this reads one index entry of one table, where :func:`paid_course_offer` joins the offer to
    three subqueries. It is asked only when the cache says the course is paid.

    A "yes" the database gave is kept by this process (:mod:`..local_answers`) until any process announces
    that an order lost its access; a "no" is never kept (a payment made elsewhere must let the learner in).
    """
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return False
    slot = f"{user_id}:{course_key}"
    local_key = ("access", slot)
    known, token = answers.lookup(local_key)
    if known:
        return True
    alias = router.db_for_read(Order)
    if not _probe(alias, slot):
        return False
    answers.remember(local_key, True, token, read=lambda: _probe(alias, slot) or None, max_age=MAX_AGE,
                     using=alias)
    return True


def _probe(alias: str, slot: str) -> bool:
    # Every enroll() of the platform into a paid course may run this: the SQL is written once, not compiled
    # by the ORM each time (the same SELECT the ORM's exists() sends, a parameter for the slot).
    with connections[alias].cursor() as cursor:
        cursor.execute(_access_probe_sql(alias), [slot])
        return cursor.fetchone() is not None


@lru_cache(maxsize=4)
def _access_probe_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    return (f"SELECT 1 FROM {quote(Order._meta.db_table)} "
            f"WHERE {quote(Order._meta.get_field('access_slot').column)} = %s LIMIT 1")


def _absolute(url: str) -> str:
    """An address a person can use where only text is shown: the request's host, else the LMS's root."""
    if url.startswith(("http://", "https://")):
        return url
    request = platform.get_current_request()
    if request is not None and hasattr(request, "build_absolute_uri"):
        return request.build_absolute_uri(url)
    return f"{platform.lms_root_url()}{url}"


def enrollment_refusal_message(user, course_key, offer=None) -> str:
    """
    Why a learner may not enroll themselves in a paid course, as one sentence (the platform shows it as
    plain text): the purchase decision's reason, or, when they could buy it, the purchase page's address.
    """
    offer = offer if offer is not None else paid_course_offer(user, course_key)
    held = {state for state, flag in ((OrderState.PAYMENT_PENDING, getattr(offer, "pending", False)),
                                      (OrderState.FLAGGED, getattr(offer, "flagged", False))) if flag}
    # The learner is enrolling: not enrolled yet, holds no paid order (or the gate would have let them in).
    decision = eligibility(user, course_key, offer=offer, enrolled=False, held=held)
    if decision.can_buy:
        return _("This course is paid. Buy it to enroll: {url}").format(url=_absolute(decision.link.url))
    return decision.as_text(_absolute)


class PaidCourseEnrollmentGate(PipelineStep):
    """Refuse self-enrollment into a paid course without a purchase."""

    def run_filter(self, user, course_key, mode):  # pylint: disable=arguments-differ
        if is_being_fulfilled(user, course_key):
            return {}  # the paid order itself, under its lock: nothing to ask
        known_paid = paid_courses.cached_is_paid(offer_course_key(course_key))
        if known_paid is False:
            return {}
        if known_paid and holds_access(user, course_key):
            # The common paid case (a buyer's enrollment, fulfilment itself): one indexed probe. A
            # refusal, or a cache that does not know, reads the offer with what the learner holds.
            return {}
        offer = paid_course_offer(user, course_key, known_paid)
        if offer is None or offer.paid:
            return {}
        back_office = back_office_enrollment(user, course_key)
        if back_office is not None:
            path, actor = back_office
            record_back_office_enrollment(user, course_key, mode, path, actor)
            return {}
        message = enrollment_refusal_message(user, course_key, offer)
        # A refusal is the gate working, not an error: one line, no traceback.
        log.info("Enrollment of user %s in %s refused (paid course, not bought): %s",
                 getattr(user, "pk", None), course_key, message)
        raise CourseEnrollmentStarted.PreventEnrollment(message)
