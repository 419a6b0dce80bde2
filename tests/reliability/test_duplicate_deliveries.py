"""The same ``checkout.session.completed`` delivered 50 times at once, from several processes."""

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from riseup_stripe_plugin.models import Invoice, Order, StripeEvent
from riseup_stripe_plugin.states import OrderState
from sandbox.platform.models import CourseEnrollment

from .. import factories
from ..conftest import sign_payload, wait_for
from ..test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)

DELIVERIES = 50
PROCESSES = 5
REPO_ROOT = Path(__file__).resolve().parents[2]


def test_fifty_concurrent_deliveries_from_five_processes_enroll_once(client, lms, stripe, tmp_path, figure,
                                                                     no_new_processes):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order = buy(client, learner, course)
    with stripe.webhooks_paused():  # Stripe could not deliver it: only our 50 copies will
        stripe.pay(order.checkout_session_id)
        event = next(e for e in stripe.events(type="checkout.session.completed")
                     if e["data"]["object"]["id"] == order.checkout_session_id)
    body = json.dumps(event).encode()
    body_file = tmp_path / "event.json"
    body_file.write_bytes(body)
    signature = sign_payload(body, django_settings.RISEUP_STRIPE_WEBHOOK_SECRET)
    url = f"{lms.url}/riseup-stripe/webhook/"
    start_at = time.time() + 2.0  # time for every process to start and wait
    per_process = DELIVERIES // PROCESSES
    processes = [
        subprocess.Popen([sys.executable, "-m", "tests.reliability.deliver", url, str(body_file), signature,
                          str(per_process), str(start_at)], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    statuses, retries = Counter(), 0
    for process in processes:
        out, _ = process.communicate(timeout=180)
        for line in out.splitlines():
            status, tries = line.split()
            statuses[int(status)] += 1
            retries += int(tries)
    elapsed = time.time() - start_at

    assert sum(statuses.values()) == DELIVERIES
    # Each copy is either processed, answered as a duplicate, or refused for a retry (5xx): never an error
    # that loses it. At least one processed it.
    assert set(statuses) <= {200, 500, 503} and statuses[200] >= 1
    wait_for(lambda: StripeEvent.objects.filter(event_id=event["id"], processed=True).exists(),
             message="the event processed")
    order.refresh_from_db()
    enrollments = CourseEnrollment.objects.filter(user=learner, course_id=course.id).count()
    invoices = Invoice.objects.filter(order=order).count()
    fulfilled = Order.objects.filter(user=learner, state=OrderState.FULFILLED).count()
    stored = StripeEvent.objects.filter(event_id=event["id"]).count()
    assert (enrollments, invoices, fulfilled, stored) == (1, 1, 1, 1)
    figure("duplicate-deliveries",
           f"{DELIVERIES} copies from {PROCESSES} processes answered within {elapsed:.1f}s: HTTP {dict(statuses)} "
           f"({retries} connection retries); "
           f"{enrollments} enrollment, {invoices} invoice, {fulfilled} fulfilled order, {stored} stored event")
