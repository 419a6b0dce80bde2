"""
A process killed (SIGKILL) between payment and enrollment: nothing half-written, reconciliation completes
the purchase.

Fulfilment records the payment, the enrollment and the invoice in one transaction under the order's
lock, so a process dying inside the enrollment leaves the order as Stripe's payment found it (its
session paid at Stripe, the truth every path re-reads), never paid here without its learner or
enrolled without its payment; the lock dies with the connection.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from riseup_stripe_plugin.models import Invoice, Order
from riseup_stripe_plugin.orders.reconciliation import reconcile
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment
from sandbox.platform.models import CourseEnrollment

from .. import factories
from ..conftest import wait_for
from ..test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)

REPO_ROOT = Path(__file__).resolve().parents[2]

#: The worker: fulfils the session as the webhook would, but the platform's enrollment never returns
#: (it says so, then hangs), so that the test kills it right there.
WORKER = """
import os, sys, time
import django
from django.conf import settings
settings.DATABASES["default"]["NAME"] = os.environ["RISEUP_WORKER_DB"]  # the test run's database
settings.RISEUP_STRIPE_API_BASE = os.environ["RISEUP_STRIPE_API_BASE"]  # the emulator
settings.RISEUP_STRIPE_INSTALLATION_ID = os.environ["RISEUP_WORKER_INSTALLATION"]  # the test's own
django.setup()
from sandbox.platform import backend
def enroll(user, course_key, mode=None):
    open(sys.argv[2], "w").write("enrolling")
    time.sleep(600)
backend.enroll = enroll
from riseup_stripe_plugin.orders.fulfilment import apply_session
from riseup_stripe_plugin.stripe_gateway import StripeGateway
gateway = StripeGateway()
apply_session(gateway.retrieve_checkout_session(sys.argv[1]), gateway=gateway)
"""


def test_a_worker_killed_between_payment_and_enrollment(client, stripe, settings, tmp_path, figure,
                                                         no_new_processes):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    marker = tmp_path / "enrolling"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sandbox.settings.test",
           "RISEUP_STRIPE_API_BASE": settings.RISEUP_STRIPE_API_BASE}
    from django.db import connection

    from riseup_stripe_plugin.configuration.installation import installation_id

    env["RISEUP_WORKER_DB"] = connection.settings_dict["NAME"]
    env["RISEUP_WORKER_INSTALLATION"] = installation_id()
    worker = subprocess.Popen([sys.executable, "-c", WORKER, order.checkout_session_id, str(marker)],
                              cwd=REPO_ROOT, env=env)
    try:
        wait_for(marker.exists, timeout=60, message="the worker to reach the enrollment")
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    time.sleep(0.2)
    order.refresh_from_db()
    # The payment and the enrollment died together with the worker's transaction: nothing half-written.
    assert order.state == OrderState.AWAITING_PAYMENT
    assert not enrollment.is_enrolled(learner, course.id)
    assert not Invoice.objects.filter(order=order).exists()
    # The session is paid at Stripe; the order is under way here: the next reconciliation reads it.
    assert stripe.client().v1.checkout.sessions.retrieve(order.checkout_session_id).payment_status == "paid"
    report = reconcile(commit=True)
    assert [(change.kind, change.error) for change in report.changes] == [("fulfil", "")]
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id).count() == 1
    assert Order.objects.filter(user=learner).count() == 1
    assert Invoice.objects.filter(order=order).count() == 1
    figure("killed-worker", "worker SIGKILLed inside the enrollment: nothing half-written (order still "
           "awaiting payment, not enrolled, no invoice); one reconciliation: fulfilled, 1 enrollment, 1 invoice")
