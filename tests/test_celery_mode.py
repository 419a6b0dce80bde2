"""
Celery mode: the webhook stores and queues, a real Celery worker on a real Redis broker processes.

The worker is a separate process (``celery -A sandbox.celery worker``, solo pool)
consuming the queues Tutor's ``lms-worker`` consumes, on this test's database
and emulator; it dies with the test process (``PR_SET_PDEATHSIG``) and is
stopped at teardown. Redis database 11 is this suite's own, and each run's keys carry its
own prefix (runs on one machine share the database and Tutor's queue names).
"""

import os
import signal
import subprocess
import sys

import pytest
from django.core import checks
from django.db import connection

from riseup_stripe_plugin.models import Invoice, StripeEvent
from riseup_stripe_plugin.webhooks import dispatch

from . import factories
from .celery_worker import BROKER, KEY_PREFIX, ROOT, start_worker, stop
from .conftest import wait_for
from .test_purchase_journey import buy, fulfilled

pytestmark = pytest.mark.django_db(transaction=True)

class Broker:
    """The test process's side of Celery: the sandbox app pointed at a broker, restored afterwards."""

    def __init__(self, url):
        self.app = dispatch.celery_app()
        self.url = url

    def __enter__(self):
        self.saved = self.app.conf.broker_url, self.app.conf.broker_transport_options
        self._forget_connections()
        self.app.conf.broker_url = self.url
        self.app.conf.broker_transport_options = {"global_keyprefix": KEY_PREFIX}
        return self

    def __exit__(self, *exc_info):
        self._forget_connections()
        self.app.conf.broker_url, self.app.conf.broker_transport_options = self.saved

    def _forget_connections(self):
        # The app keeps a connection pool and a producer pool made for the broker of their time
        # (what Celery itself resets after a fork).
        self.app._pool = None
        self.app.amqp._producer_pool = None


@pytest.fixture
def redis_broker():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(BROKER)

    def forget():  # this run's keys only: another run may be using the database
        for key in client.scan_iter(match=f"{KEY_PREFIX}*"):
            client.delete(key)

    forget()
    with Broker(BROKER) as broker:
        yield broker
    forget()
    client.close()


class Worker:
    def __init__(self, process, log):
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def worker(stripe, redis_broker, tmp_path):
    """A real Celery worker process on this test's database and emulator."""
    from riseup_stripe_plugin.configuration import installation

    installation.forget()  # an id remembered from an earlier test's (emptied) database would not be the worker's
    installation.installation_id()  # stored now, so both processes read the same
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sandbox.settings.test", "SANDBOX_CELERY_BROKER_URL": BROKER,
           "SANDBOX_CELERY_KEY_PREFIX": KEY_PREFIX, "RISEUP_TEST_STRIPE_API_BASE": stripe.base_url,
           "SANDBOX_LOG_LEVEL": "INFO"}
    name = connection.settings_dict["NAME"]
    env["RISEUP_TEST_SQLITE_PATH" if connection.vendor == "sqlite" else "RISEUP_MYSQL_NAME"] = str(name)
    log = tmp_path / "worker.log"
    process = start_worker(env, log)
    worker = Worker(process, log)
    try:
        wait_for(lambda: "ready." in worker.output() or process.poll() is not None, timeout=60,
                 message="the Celery worker to start")
        assert process.poll() is None, worker.output()[-3000:]
        yield worker
    finally:
        stop(process)


def test_webhooks_are_processed_by_a_celery_worker(client, lms, stripe, worker, stripe_calls):
    assert dispatch.webhook_mode() == "celery"  # "auto": a broker, and tasks not eager
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)

    try:
        wait_for(fulfilled(order), timeout=30, message="the worker to fulfil the order")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\ndeliveries: {stripe.deliveries()}\nevents: "
                             f"{list(StripeEvent.objects.values('type', 'queued_at', 'processed', 'error'))}\n"
                             f"worker:\n{worker.output()[-4000:]}") from None
    invoice = wait_for(lambda: Invoice.objects.filter(order=order, stripe_status="paid").first(), timeout=30,
                       message="the worker to record the invoice")
    # The invoice is committed with the fulfilment; the event is marked processed right after.
    completed = wait_for(lambda: StripeEvent.objects.filter(type="checkout.session.completed", processed=True).first(),
                         timeout=30, message="the worker to mark the event processed")
    assert completed.queued_at is not None and completed.attempts == 1
    wait_for(lambda: f"processed by a worker: order {order.uuid}: fulfilled" in worker.output(),
             message="the worker's log line")
    assert f"{completed.event_id}" in worker.output()
    # The one Stripe call this process made was the purchase's: the webhooks' work was all the worker's.
    assert stripe_calls.names() == ["checkout session creation"]
    assert invoice.total == 4900
    # Each event answered 2xx at once: the emulator has nothing left to retry.
    assert all(200 <= d["status"] < 300 for d in stripe.deliveries()), stripe.deliveries()


def test_a_broker_that_cannot_take_the_task_leaves_the_event_to_the_request(client, stripe, signed_post):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    completed = next(iter(stripe.events(type="checkout.session.completed")))
    with Broker("redis://127.0.0.1:1/11"):  # nothing listens on port 1
        assert dispatch.webhook_mode() == "celery"
        response = signed_post(completed)
    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": f"order {order.uuid}"}  # processed here, not queued
    record = StripeEvent.objects.get(event_id=completed["id"])
    assert record.processed and record.queued_at is None
    order.refresh_from_db()
    assert order.state == "fulfilled"


def test_the_mode_setting(settings):
    app = dispatch.celery_app()
    assert dispatch.webhook_mode() == "request"  # auto, and the sandbox has no broker by default
    with Broker(BROKER):
        assert dispatch.webhook_mode() == "celery"
        app.conf.task_always_eager = True
        try:
            assert dispatch.webhook_mode() == "request"  # eager (development): nothing to gain
            settings.RISEUP_STRIPE_WEBHOOK_MODE = "celery"
            assert [e.id for e in checks.run_checks() if e.id.startswith("riseup_stripe")] == ["riseup_stripe.W003"]
        finally:
            app.conf.task_always_eager = False
        settings.RISEUP_STRIPE_WEBHOOK_MODE = "request"
        assert dispatch.webhook_mode() == "request"
    settings.RISEUP_STRIPE_WEBHOOK_MODE = "celery"
    assert dispatch.webhook_mode() == "celery"  # asked for: queued, and processed here if the broker refuses
    assert "riseup_stripe.W003" in [e.id for e in checks.run_checks()]
    settings.RISEUP_STRIPE_WEBHOOK_MODE = "sometimes"
    errors = [e for e in checks.run_checks() if e.id == "riseup_stripe.E015"]
    assert len(errors) == 1 and "auto, celery, request" in errors[0].msg


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_worker_dies_with_the_process_that_started_it(redis_broker, tmp_path):
    """A parent killed outright (SIGKILL, no teardown) leaves no worker behind."""
    log = tmp_path / "worker.log"
    script = (f"import sys, time; sys.path.insert(0, {str(ROOT)!r})\n"
              "from tests.celery_worker import start_worker\n"
              f"print(start_worker(dict(__import__('os').environ), {str(log)!r}).pid, flush=True)\n"
              "time.sleep(120)\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sandbox.settings.test", "SANDBOX_CELERY_BROKER_URL": BROKER,
           "SANDBOX_CELERY_KEY_PREFIX": KEY_PREFIX}
    parent = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, cwd=ROOT)
    try:
        worker_pid = int(parent.stdout.readline())
        wait_for(lambda: "ready." in log.read_text(errors="replace"), timeout=60, message="the worker to start")
        assert _alive(worker_pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        wait_for(lambda: not _alive(worker_pid), timeout=10, message="the orphaned worker to die")
    finally:
        stop(parent)
        parent.stdout.close()
