"""Paid means paid: the CourseEnrollmentStarted step, through the stand-in platform's real filter call."""

import logging
import pathlib

import pytest
from crum import CurrentRequestUserMiddleware  # noqa: F401  (the sandbox runs it, as the platform does)
from django.test import override_settings
from django.urls import reverse
from openedx_filters.learning.filters import CourseEnrollmentStarted

from riseup_stripe_plugin.enrollment.gate import FILTERS_LOGGER, PaidCourseEnrollmentGate, fulfilling
from riseup_stripe_plugin.models import Order
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment
from sandbox.platform.models import CourseEnrollment

from . import factories
from .gate_run import run_gate

pytestmark = pytest.mark.django_db

GATE = "riseup_stripe_plugin.filters.PaidCourseEnrollmentGate"


def _enroll_via_page(client, learner, course):
    client.force_login(learner)
    return client.post(reverse("sandbox:enroll", args=[str(course.id)]))


def test_plugin_step_is_registered_in_the_filter_pipeline(settings):
    config = settings.OPEN_EDX_FILTERS_CONFIG[CourseEnrollmentStarted.filter_type]
    assert GATE in config["pipeline"]
    assert config["fail_silently"] is False


def test_self_enrollment_into_paid_course_is_refused(client):
    learner = factories.user()
    course, _ = factories.paid_course()
    response = _enroll_via_page(client, learner, course)
    assert response.status_code == 302
    assert not CourseEnrollment.objects.filter(user=learner, course_id=course.id).exists()
    page = client.get(response["Location"])
    purchase_url = reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})
    assert purchase_url in page.content.decode()


def test_self_enrollment_into_free_course_is_untouched(client):
    learner = factories.user()
    course = factories.course()
    _enroll_via_page(client, learner, course)
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id, is_active=True).exists()


def test_inactive_paid_offer_still_refuses_self_enrollment(client):
    learner = factories.user()
    course, offer = factories.paid_course()
    offer.active = False
    offer.save()
    _enroll_via_page(client, learner, course)
    assert not CourseEnrollment.objects.filter(user=learner, course_id=course.id).exists()


def test_learner_with_fulfilled_order_may_enroll(client):
    learner = factories.user()
    course, offer = factories.paid_course()
    order = Order.objects.create(user=learner, course_key=course.id, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_1")
    order.transition(OrderState.AWAITING_PAYMENT, checkout_session_id="cs_gate")
    order.transition(OrderState.PAID)
    order.transition(OrderState.FULFILLED)
    _enroll_via_page(client, learner, course)
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id, is_active=True).exists()


def test_course_instructor_enrolling_a_learner_is_allowed(client):
    learner = factories.user()
    instructor = factories.user("instructor1", is_staff=False)
    course, _ = factories.paid_course()
    factories.role(instructor, course, "instructor")
    client.force_login(instructor)
    client.post(reverse("sandbox:staff_enroll", args=[str(course.id)]), {"identifier": learner.email})
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id, is_active=True).exists()
    assert not Order.objects.filter(user=learner).exists()


def test_global_staff_enrolling_a_learner_is_allowed(client):
    learner = factories.user()
    staff = factories.user("staff1", is_staff=True)
    course, _ = factories.paid_course()
    client.force_login(staff)
    client.post(reverse("sandbox:staff_enroll", args=[str(course.id)]), {"identifier": learner.username})
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id, is_active=True).exists()


def test_staff_of_another_course_cannot_enroll_into_a_paid_course():
    learner = factories.user()
    other_instructor = factories.user()
    course, _ = factories.paid_course()
    other = factories.course()
    factories.role(other_instructor, other, "instructor")
    from crum import impersonate, set_current_request
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = other_instructor
    set_current_request(request)
    try:
        with impersonate(other_instructor), pytest.raises(enrollment.EnrollmentNotAllowed):
            enrollment.enroll(learner, course.id)
    finally:
        set_current_request(None)


def test_enrollment_with_no_request_follows_the_setting():
    learner = factories.user()
    course, _ = factories.paid_course()
    enrollment.enroll(learner, course.id)  # a management command or a task: allowed by default
    assert enrollment.is_enrolled(learner, course.id)
    other = factories.user()
    with override_settings(RISEUP_STRIPE_ALLOW_REQUESTLESS_ENROLLMENT=False):
        with pytest.raises(enrollment.EnrollmentNotAllowed):
            enrollment.enroll(other, course.id)


@pytest.mark.parametrize("paid", [False, True])
def test_gate_costs_one_query(django_assert_num_queries, paid):
    learner = factories.user()
    if paid:
        course, offer = factories.paid_course()
        order = Order.objects.create(user=learner, course_key=course.id, offer=offer, amount=offer.price,
                                     currency=offer.currency, stripe_price_id="price_q")
        order.transition(OrderState.AWAITING_PAYMENT, checkout_session_id="cs_q")
        order.transition(OrderState.PAID)
    else:
        course = factories.course()
    step = PaidCourseEnrollmentGate(CourseEnrollmentStarted.filter_type, [GATE])
    with django_assert_num_queries(1):
        assert step.run_filter(user=learner, course_key=course.id, mode="audit") == {}


def test_studio_refusal_links_to_the_lms_purchase_page(client, settings):
    """Studio has no purchase route: the refusal's link is built from the LMS's root URL, not reversed."""
    settings.ROOT_URLCONF = "sandbox.urls_cms"
    settings.LMS_ROOT_URL = "https://lms.example.com/"
    learner = factories.user()
    course, _ = factories.paid_course()
    client.force_login(learner)
    response = client.post(f"/studio/courses/{course.id}/enroll-me/")
    assert response.status_code == 403
    assert f"https://lms.example.com/riseup-stripe/courses/{course.id}/" in response.content.decode()
    assert not CourseEnrollment.objects.filter(user=learner).exists()
    # The pricing API is there, the learner pages are not.
    assert client.get(f"/riseup-stripe/courses/{course.id}/").status_code == 404


# --- What the gate costs: the paid-course cache -------------------------------------------------------------------

def _gate_queries(learner, course_key):
    """Run the gate step alone, as the learner's own request; (queries, refused?)."""
    return run_gate(learner, course_key)


def test_gate_costs_no_query_on_a_free_course_once_known_and_one_on_a_paid_one():
    learner = factories.user()
    free = factories.course()
    assert _gate_queries(learner, free.id) == (1, False)  # first time: the database says free
    assert _gate_queries(learner, free.id) == (0, False)
    assert _gate_queries(learner, free.id) == (0, False)
    paid, offer = factories.paid_course()
    Order.objects.create(user=learner, course_key=paid.id, offer=offer, amount=offer.price,
                         currency=offer.currency, stripe_price_id="price_q", state=OrderState.FULFILLED)
    assert _gate_queries(learner, paid.id) == (1, False)
    assert _gate_queries(learner, paid.id) == (1, False)  # paid: whether this learner bought it is one query


class _CountingCache:
    """The real cache, counting its reads."""

    def __init__(self, cache):
        self.cache, self.reads = cache, 0

    def get(self, *args, **kwargs):
        self.reads += 1
        return self.cache.get(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.cache, name)


def test_the_gate_reads_the_cache_once_per_enrollment(monkeypatch):
    from riseup_stripe_plugin.catalog import paid_courses

    counting = _CountingCache(paid_courses.cache)
    monkeypatch.setattr(paid_courses, "cache", counting)
    learner = factories.user()
    course, _ = factories.paid_course()
    for expected in ((1, True), (1, True)):  # a miss (then the offer read), then known paid (probe, offer)
        counting.reads = 0
        assert _gate_queries(learner, course.id)[1] is expected[1]
        assert counting.reads == expected[0]


def test_a_known_paid_course_asks_only_the_order_table_for_a_buyer():
    """Once the course is known paid, a buyer's enrollment is one probe of the order's access slot."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from riseup_stripe_plugin.catalog import paid_courses

    buyer, learner = factories.user(), factories.user()
    course, offer = factories.paid_course()
    order = Order.objects.create(user=buyer, course_key=course.id, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_s")
    order.transition(OrderState.AWAITING_PAYMENT, checkout_session_id="cs_s")
    assert _gate_queries(buyer, course.id)[1] is True  # the order is not paid yet: refused, course now known paid
    order.transition(OrderState.PAID)
    with CaptureQueriesContext(connection) as queries:
        assert _gate_queries(buyer, course.id) == (1, False)
    assert "access_slot" in queries.captured_queries[0]["sql"]
    assert "courseoffer" not in queries.captured_queries[0]["sql"].lower()
    assert _gate_queries(learner, course.id)[1] is True  # no order: still refused
    order.transition(OrderState.CANCELLED)
    assert _gate_queries(buyer, course.id)[1] is True  # the slot is freed with the access
    # A course made free while the cache still says paid (the commit's invalidation not run yet): the
    # probe misses, the offer itself is read, and the learner is let in.
    CourseOffer = type(offer)
    CourseOffer.objects.filter(pk=offer.pk).update(is_paid=False)  # no signal: the cache keeps "paid"
    assert paid_courses.cached_is_paid(course.id) is True
    assert _gate_queries(learner, course.id) == (1 + 1, False)


def test_a_course_becoming_paid_is_refused_at_once(settings):
    learner = factories.user()
    course = factories.course()
    assert _gate_queries(learner, course.id) == (1, False)
    assert _gate_queries(learner, course.id) == (0, False)  # known free
    offer = factories.offer(course)
    assert _gate_queries(learner, course.id)[1] is True
    offer.is_paid = False
    offer.save()
    assert _gate_queries(learner, course.id) == (1, False)
    offer.is_paid = True
    offer.save()
    assert _gate_queries(learner, course.id)[1] is True
    offer.delete()
    assert _gate_queries(learner, course.id) == (1, False)


def test_a_ccx_is_refused_once_its_master_becomes_paid():
    from opaque_keys.edx.keys import CourseKey

    learner = factories.user()
    master = factories.course()
    key = CourseKey.from_string(f"ccx-v1:{master.id.org}+{master.id.course}+{master.id.run}+ccx@3")
    ccx = factories.course(course_id=str(key), name="Coached")
    assert _gate_queries(learner, ccx.id) == (1, False)
    assert _gate_queries(learner, ccx.id) == (0, False)
    factories.offer(master)
    assert _gate_queries(learner, ccx.id)[1] is True


def test_a_rerun_that_inherits_an_offer_is_refused_at_once():
    from opaque_keys.edx.keys import CourseKey

    from sandbox.platform.reruns import rerun_course

    learner = factories.user()
    source, _ = factories.paid_course()
    rerun_key = CourseKey.from_string(f"course-v1:{source.id.org}+{source.id.course}+Rerun")
    assert _gate_queries(learner, rerun_key) == (1, False)  # asked before the re-run exists: free
    assert _gate_queries(learner, rerun_key) == (0, False)
    rerun_course(source.id, rerun_key, factories.user("rerun-author"))
    assert _gate_queries(learner, rerun_key)[1] is True


class _BrokenCache:
    """A cache that cannot be reached (Redis down): every call raises."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")
        return fail


def test_gate_fails_closed_when_the_cache_is_unreachable(monkeypatch):
    from riseup_stripe_plugin.catalog import paid_courses

    learner = factories.user()
    course = factories.course()
    assert _gate_queries(learner, course.id) == (1, False)  # cached as free
    monkeypatch.setattr(paid_courses, "cache", _BrokenCache())
    factories.offer(course)  # the cache cannot even be told
    assert _gate_queries(learner, course.id)[1] is True  # the database is asked, the course refused
    free = factories.course()
    assert _gate_queries(learner, free.id) == (1, False)


def test_a_refusal_is_one_info_line_and_the_readme_names_the_filters_logger(client, caplog):
    learner = factories.user()
    course, _ = factories.paid_course()
    with caplog.at_level(logging.DEBUG):
        _enroll_via_page(client, learner, course)
    assert not CourseEnrollment.objects.filter(user=learner, course_id=course.id).exists()
    ours = [record for record in caplog.records if record.name.startswith("riseup_stripe_plugin")]
    assert [(record.levelno, record.exc_info) for record in ours] == [(logging.INFO, None)]
    assert str(course.id) in ours[0].getMessage() and f"user {learner.pk}" in ours[0].getMessage()
    # The traceback comes from openedx-filters' own runner, under the logger the README tells operators to quiet.
    traced = {record.name for record in caplog.records if record.exc_info}
    assert traced == {FILTERS_LOGGER}
    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.rst").read_text()
    assert f'LOGGING["loggers"]["{FILTERS_LOGGER}"] = {{"level": "CRITICAL"}}' in readme


def test_the_order_being_fulfilled_enrolls_without_a_query_and_nobody_else_does(django_assert_num_queries):
    """
    Fulfilment enrolls before its UPDATE marks the order FULFILLED; the gate is told which learner and course
    (and only those) are being fulfilled. Another learner, or another course, in the same block is refused.
    """
    buyer, other = factories.user(), factories.user()
    course, offer = factories.paid_course()
    second, _ = factories.paid_course()
    order = Order.objects.create(user=buyer, course_key=course.id, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_f")
    order.transition(OrderState.AWAITING_PAYMENT, checkout_session_id="cs_f")
    step = PaidCourseEnrollmentGate(CourseEnrollmentStarted.filter_type, [GATE])
    with override_settings(RISEUP_STRIPE_ALLOW_REQUESTLESS_ENROLLMENT=False), fulfilling(order):
        with django_assert_num_queries(0):
            assert step.run_filter(user=buyer, course_key=course.id, mode="audit") == {}
        for user, key in ((other, course.id), (buyer, second.id)):
            with pytest.raises(CourseEnrollmentStarted.PreventEnrollment):
                step.run_filter(user=user, course_key=key, mode="audit")
    # Outside the block, the order (still awaiting payment) grants nothing.
    with override_settings(RISEUP_STRIPE_ALLOW_REQUESTLESS_ENROLLMENT=False), \
            pytest.raises(CourseEnrollmentStarted.PreventEnrollment):
        step.run_filter(user=buyer, course_key=course.id, mode="audit")
