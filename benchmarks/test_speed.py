"""
Speed targets, measured with pytest-benchmark (``make benchmark``).

* The enrollment gate runs inside every enrollment of the platform: it must
  stay a single indexed query (under 5 ms, ORM included, on SQLite).
* A webhook must be answered well within Stripe's timeout: processing a
  ``checkout.session.completed`` (verify, store, re-read the session, enroll,
  record) stays under 100 ms against the local emulator.
"""

import json
import time

import pytest
from openedx_filters.learning.filters import CourseEnrollmentStarted

from riseup_stripe_plugin.enrollment.gate import PaidCourseEnrollmentGate
from riseup_stripe_plugin.models import StripeEvent
from riseup_stripe_plugin.orders.purchase import start_purchase
from riseup_stripe_plugin.stripe_gateway import StripeGateway
from riseup_stripe_plugin.webhooks import process_event, store_event
from tests import factories

GATE_BUDGET_SECONDS = 0.005
WEBHOOK_BUDGET_SECONDS = 0.100


@pytest.mark.django_db
def test_enrollment_gate_speed(benchmark):
    learner = factories.user()
    course, _ = factories.paid_course()
    for _ in range(200):  # a catalogue of offers around it
        factories.paid_course()
    step = PaidCourseEnrollmentGate(CourseEnrollmentStarted.filter_type, [])
    benchmark(step.run_filter, user=learner, course_key=course.id, mode="audit")
    # A learner who has not paid is refused; measure the allowed path (free course) too.
    free = factories.course()
    benchmark.extra_info["free_course_result"] = step.run_filter(user=learner, course_key=free.id, mode="audit")
    assert benchmark.stats.stats.median < GATE_BUDGET_SECONDS


@pytest.mark.django_db(transaction=True)
def test_webhook_processing_speed(benchmark, stripe):
    gateway = StripeGateway()
    events = []
    for _ in range(5):
        learner = factories.user()
        course, _ = factories.paid_course()
        order = start_purchase(learner, course.id, success_url="http://t/?s={CHECKOUT_SESSION_ID}",
                               cancel_url="http://t/c")
        stripe.pay(order.checkout_session_id)
        events.append(next(e for e in stripe.events(type="checkout.session.completed")
                           if e["data"]["object"]["id"] == order.checkout_session_id))
    queue = list(events)

    def process_one():
        event = queue.pop()
        record = store_event(event, json.dumps(event).encode())
        return process_event(record, gateway)

    started = time.perf_counter()
    benchmark.pedantic(process_one, rounds=len(events), iterations=1)
    assert StripeEvent.objects.filter(processed=True).count() == len(events)
    assert benchmark.stats.stats.median < WEBHOOK_BUDGET_SECONDS, time.perf_counter() - started
