"""
The gate's in-memory answers: kept while this process hears every change on Redis, dropped at each one.

Real Redis (database 12, this run's own channel and cache prefix) and, for the cases between processes,
a second real process (``tests.gate_peer``) running the gate on this test's database.
"""

import json
import os
import subprocess
import sys
import uuid
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from riseup_stripe_plugin import local_answers
from riseup_stripe_plugin.local_answers import LocalAnswers, answers
from riseup_stripe_plugin.models import Order
from riseup_stripe_plugin.states import OrderState

from . import factories
from .celery_worker import ROOT, die_with_parent
from .conftest import wait_for
from .gate_run import run_gate

pytestmark = pytest.mark.django_db

REDIS = os.environ.get("RISEUP_TEST_ANSWERS_REDIS", "redis://127.0.0.1:6379/12")


@pytest.fixture
def shared_redis(settings):
    """Django's cache on Redis, as on Tutor, and this test's own change channel; nothing kept before or after."""
    redis = pytest.importorskip("redis")
    prefix = f"riseup-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS,
                                   "KEY_PREFIX": prefix}}
    settings.RISEUP_STRIPE_BROADCAST_CHANNEL = prefix
    client = redis.Redis.from_url(REDIS)
    answers.close()
    yield SimpleNamespace(url=REDIS, prefix=prefix, client=client)
    answers.close()
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def clock(shared_redis, monkeypatch):
    """The answers' clock, which the test moves (``clock[0] += seconds``); Redis stays real."""
    now = [1000.0]
    monkeypatch.setattr(local_answers, "_clock", lambda: now[0])
    answers.close()
    return now


def _kill_subscription(client, pid: int) -> None:
    """Cut the change subscription of process ``pid`` at the server, as a network failure would."""
    name = f"{local_answers.SUBSCRIBER_NAME}-{pid}"
    ids = [entry["id"] for entry in client.client_list() if entry.get("name") == name]
    assert ids, f"no subscription named {name}"
    for client_id in ids:
        client.client_kill_filter(_id=client_id)


def _until_heard(before: int) -> None:
    """Until this process has read an announcement more than ``before``: once it has, so can any other."""
    wait_for(lambda: answers.changes_heard() > before, timeout=5, message="the announcement")


def _until_alive(store=answers):
    wait_for(lambda: store.token() is not None, timeout=5, message="the change subscription")
    return store.token()


def test_nothing_is_kept_without_a_redis_to_hear_changes():
    """The suite's own settings: a local-memory cache, no Redis; every question goes on to the database."""
    assert local_answers.broadcast_url() is None
    answers.close()
    assert answers.token() is None
    answers.keep("k", True, answers._changes, 60)  # even with the current count of changes
    assert answers.get("k") is None


def test_the_redis_of_the_default_cache_is_used_unless_set(settings):
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://@redis:6379/1"}}
    assert local_answers.broadcast_url() == "redis://@redis:6379/1"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://a:6379/1,redis://b:6379/1"}}
    assert local_answers.broadcast_url() == "redis://a:6379/1"
    settings.RISEUP_STRIPE_BROADCAST_REDIS_URL = ""
    assert local_answers.broadcast_url() is None
    settings.RISEUP_STRIPE_BROADCAST_REDIS_URL = "redis://elsewhere:6379/0"
    assert local_answers.broadcast_url() == "redis://elsewhere:6379/0"


def test_an_answer_is_kept_until_any_process_announces_a_change(shared_redis, django_capture_on_commit_callbacks):
    token = _until_alive()
    answers.keep("k", "yes", token, 60)
    assert answers.get("k") == "yes"
    other = LocalAnswers()  # its own subscription and connection, as another process has
    try:
        heard = answers.changes_heard()
        with django_capture_on_commit_callbacks(execute=True):
            other.changed()
        _until_heard(heard)
        assert answers.get("k") is None
    finally:
        other.close()


def test_an_answer_read_while_a_change_was_announced_is_not_kept(shared_redis, django_capture_on_commit_callbacks):
    token = _until_alive()
    other = LocalAnswers()
    try:
        heard = answers.changes_heard()
        with django_capture_on_commit_callbacks(execute=True):
            other.changed()  # announced between our read and our keeping what we read
        _until_heard(heard)
    finally:
        other.close()
    answers.keep("k", "stale", token, 60)
    assert answers.get("k") is None
    answers.keep("k", "fresh", answers.token(), 60)
    assert answers.get("k") == "fresh"


def test_this_process_drops_its_answers_at_its_own_change_at_once(shared_redis):
    answers.keep("k", True, _until_alive(), 60)
    answers.changed()  # before the commit, too: its own transaction may read again meanwhile
    assert answers.get("k") is None


def test_no_answer_outlives_its_age(clock):
    now = clock
    token = _until_alive()
    answers.keep("k", True, token, 60)
    now[0] += 30
    wait_for(lambda: answers.get("k") is True, timeout=5, message="the PONG of the last ping")
    now[0] += 31
    wait_for(lambda: answers.token() is not None, timeout=5, message="the PONG of the last ping")
    assert answers.get("k") is None


def test_without_a_recent_pong_nothing_is_answered(clock):
    """A subscription silent for longer than ALIVE_SECONDS may have missed a change: ask, ping, wait for the PONG."""
    now = clock
    answers.keep("k", True, _until_alive(), 600)
    now[0] += local_answers.ALIVE_SECONDS + 1
    assert answers.get("k") is None  # the ping just sent; its PONG not read yet
    wait_for(lambda: answers.get("k") is True, timeout=5, message="the PONG")  # everything before it was heard


def test_a_pong_read_late_proves_only_what_was_true_when_its_ping_left(clock):
    """An idle process reading an old PONG (its connection may have died since) does not answer from memory."""
    import time

    now = clock
    answers.keep("k", True, _until_alive(), 600)
    now[0] += local_answers.PING_SECONDS + 0.5
    assert answers.get("k") is True  # a PING leaves now
    time.sleep(0.2)  # its PONG arrives, unread: the process is idle
    now[0] += 10
    assert answers.get("k") is None  # the PONG read now vouches for 10 s ago only
    wait_for(lambda: answers.get("k") is True, timeout=5, message="the PONG of a fresh PING")


def test_a_cut_subscription_drops_every_answer(shared_redis, monkeypatch):
    monkeypatch.setattr(local_answers, "RETRY_SECONDS", 0.0)  # subscribe again at the next question
    answers.keep("k", True, _until_alive(), 60)
    _kill_subscription(shared_redis.client, os.getpid())
    assert answers.get("k") is None  # the cut is read before the answer
    _until_alive()  # subscribed again, starting from nothing
    assert answers.get("k") is None


def test_an_unreachable_redis_keeps_nothing(settings):
    settings.RISEUP_STRIPE_BROADCAST_REDIS_URL = "redis://127.0.0.1:1/0"
    store = LocalAnswers()
    assert store.token() is None
    store.keep("k", True, store._changes, 60)
    assert store.get("k") is None


def test_a_change_redis_refuses_is_an_error_in_the_log_not_a_failed_commit(
        settings, caplog, django_capture_on_commit_callbacks):
    settings.RISEUP_STRIPE_BROADCAST_REDIS_URL = "redis://:hunter2@127.0.0.1:1/0"
    store = LocalAnswers()
    with django_capture_on_commit_callbacks(execute=True):
        store.changed()
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert len(errors) == 1 and "not announced" in errors[0].getMessage()
    assert "hunter2" not in caplog.text  # the URL's password is never logged


def test_a_forked_process_keeps_nothing_of_its_parent(shared_redis):
    answers.keep("k", True, _until_alive(), 60)
    pid = os.fork()
    if pid == 0:  # the child: its own subscription, nothing inherited
        os._exit(0 if answers.get("k") is None else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert answers.get("k") is True


def test_inside_a_transaction_only_what_the_database_says_after_the_commit_is_kept(
        shared_redis, django_capture_on_commit_callbacks):
    token = _until_alive()
    reads = []

    def read():
        reads.append(1)
        return True

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                answers.remember("rolled back", True, token, read, 60)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        answers.remember("committed", True, token, read, 60)
        assert answers.get("committed") is None  # not before the commit
    assert reads == [1]  # read again once, after the commit; never for the rolled-back one
    assert answers.get("committed") is True
    assert answers.get("rolled back") is None


def test_the_gate_asks_nothing_once_it_knows_and_asks_again_after_a_refund(
        shared_redis, django_capture_on_commit_callbacks):
    _until_alive()
    learner = factories.user()
    free = factories.course()
    course, offer = factories.paid_course()
    order = Order.objects.create(user=learner, course_key=course.id, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_la", state=OrderState.FULFILLED)
    assert run_gate(learner, free.id) == (1, False)  # the database says free; Redis keeps it
    assert run_gate(learner, free.id) == (0, False)  # Redis said it; this process keeps it
    assert run_gate(learner, free.id) == (0, False)
    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction: read again "after commit"
        assert run_gate(learner, course.id) == (1, False)  # the offer with what the learner holds
        assert run_gate(learner, course.id) == (1, False)  # the access probe
    assert run_gate(learner, course.id) == (0, False)  # both known here
    with django_capture_on_commit_callbacks(execute=True):
        order.transition(OrderState.CANCELLED)  # dropped here at once, without waiting for Redis
    queries, refused = run_gate(learner, course.id)
    assert refused and queries >= 1


# -- two processes --------------------------------------------------------------------------------------------

class Peer:
    """Another process running the gate on this test's database, cache and change channel."""

    def __init__(self, process):
        self.process = process

    def ask(self, line: str) -> dict:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, f"the peer process ended: {self.process.stderr.read()[-3000:]}"
        return json.loads(answer)

    def gate(self, learner, course_key) -> tuple[int, bool]:
        answer = self.ask(f"{learner.pk} {course_key}")
        self.in_memory = answer["in_memory"]
        return answer["queries"], answer["refused"]

    def setting(self, name) -> tuple:
        answer = self.ask(f"setting {name}")
        return answer["value"], answer["queries"], answer["in_memory"]

    def until(self, learner, course_key, expected, tries=10):
        """Ask until the answer is ``expected`` (the first asks fill the caches): the answers seen."""
        seen = []
        for _ in range(tries):
            seen.append(self.gate(learner, course_key))
            if seen[-1] == expected:
                return seen
        raise AssertionError(f"never {expected}: {seen}")


@pytest.fixture
def peer(shared_redis):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sandbox.settings.test", "SANDBOX_CACHE_REDIS_URL": REDIS,
           "SANDBOX_CACHE_KEY_PREFIX": shared_redis.prefix, "SANDBOX_BROADCAST_CHANNEL": shared_redis.prefix,
           "SANDBOX_LOG_LEVEL": "ERROR"}
    env["RISEUP_TEST_SQLITE_PATH" if connection.vendor == "sqlite" else "RISEUP_MYSQL_NAME"] = str(
        connection.settings_dict["NAME"])
    process = subprocess.Popen([sys.executable, "-m", "tests.gate_peer"], cwd=ROOT, env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=die_with_parent)
    try:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()[-3000:]
        _until_alive()  # this process hears the channel too (the tests wait on it)
        yield Peer(process)
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_another_process_sees_each_change_at_once(peer):
    learner = factories.user()
    free = factories.course()
    course, offer = factories.paid_course()
    order = Order.objects.create(user=learner, course_key=course.id, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_p1", state=OrderState.FULFILLED)
    peer.until(learner, free.id, (0, False))
    peer.until(learner, free.id, (0, False))
    assert peer.in_memory  # "free", held in the other process's memory (no cache read either)
    peer.until(learner, course.id, (0, False))  # the other process knows the course paid and the learner in
    # A refund here: once announced, the other process refuses at its next enrollment.
    heard = answers.changes_heard()
    order.transition(OrderState.CANCELLED)
    _until_heard(heard)
    queries, refused = peer.gate(learner, course.id)
    assert refused and queries >= 1
    # A free course made paid here: refused there too.
    heard = answers.changes_heard()
    factories.offer(free)
    _until_heard(heard)
    assert peer.gate(learner, free.id)[1] is True
    # Bought again here (a purchase announces nothing): the other process never kept the "no", so it asks.
    Order.objects.create(user=learner, course_key=course.id, offer=offer, amount=offer.price, currency=offer.currency,
                         stripe_price_id="price_p2", state=OrderState.FULFILLED)
    assert peer.gate(learner, course.id)[1] is False


@pytest.mark.django_db(transaction=True)
def test_another_process_whose_subscription_is_cut_asks_the_database(peer, shared_redis):
    learner = factories.user()
    course, offer = factories.paid_course()
    order = Order.objects.create(user=learner, course_key=course.id, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_p3", state=OrderState.FULFILLED)
    peer.until(learner, course.id, (0, False))
    _kill_subscription(shared_redis.client, peer.process.pid)
    # Cancelled while the other process cannot hear it, and with no announcement at all:
    Order.objects.filter(pk=order.pk).update(state=OrderState.CANCELLED, access_slot=None)
    queries, refused = peer.gate(learner, course.id)
    assert refused and queries >= 1


@pytest.mark.django_db(transaction=True)
def test_payment_settings_saved_here_are_read_there_at_once(peer):
    """The settings page's values are kept in each process's memory too, dropped when a save is announced."""
    from riseup_stripe_plugin.models import PaymentConfiguration

    row = PaymentConfiguration.objects.create(invoice_footer="Before")
    for _ in range(3):
        answer = peer.setting("RISEUP_STRIPE_INVOICE_FOOTER")
    assert answer == ("Before", 0, True)  # held in the other process's memory
    heard = answers.changes_heard()
    row.invoice_footer = "After"
    row.save()  # committed here (the receiver announces it after the commit)
    _until_heard(heard)
    assert peer.setting("RISEUP_STRIPE_INVOICE_FOOTER")[0] == "After"
