"""
Two callers at once: the webhook and the return page, or two clicks. Real threads, real connections.

On MariaDB this exercises row locks and unique indexes as production's MySQL
would; on SQLite the same tests run with its database-level write lock.
"""

import threading

import pytest
from django.db import close_old_connections, connection

from riseup_stripe_plugin.models import Invoice, Order
from riseup_stripe_plugin.orders.fulfilment import apply_session
from riseup_stripe_plugin.orders.purchase import start_purchase
from riseup_stripe_plugin.states import OrderState
from riseup_stripe_plugin.stripe_gateway import StripeGateway
from sandbox.platform.models import CourseEnrollment

from . import factories

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(target, count):
    """Start ``count`` threads on ``target`` behind a barrier; return their results or exceptions."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(index):
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    close_old_connections()
    return results


def test_webhook_and_return_page_at_once_enroll_once(stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = start_purchase(learner, course.id, success_url="http://t/?s={CHECKOUT_SESSION_ID}",
                           cancel_url="http://t/c")
    stripe.pay(order.checkout_session_id)
    session = StripeGateway().retrieve_checkout_session(order.checkout_session_id)

    results = run_together(lambda i: apply_session(session, gateway=StripeGateway()), 4)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id).count() == 1
    assert Invoice.objects.filter(order=order).count() == 1


def test_simultaneous_clicks_make_one_order_and_one_session(stripe):
    learner = factories.user()
    course, _ = factories.paid_course()

    def click(_):
        return start_purchase(learner, course.id, success_url="http://t/?s={CHECKOUT_SESSION_ID}",
                              cancel_url="http://t/c")

    results = run_together(click, 3)
    orders = [r for r in results if isinstance(r, Order)]
    assert len(orders) == 3, results  # every click lands on the checkout, none gets an error
    assert len({o.checkout_session_id for o in orders}) == 1
    assert Order.objects.filter(user=learner).count() == 1
    sessions = [r for r in stripe.requests() if r["method"] == "POST" and r["path"] == "/v1/checkout/sessions"]
    # Concurrent creates carry the same idempotency key: Stripe makes one session.
    assert len({r["idempotency_key"] for r in sessions}) == 1
    listed = stripe.client().v1.checkout.sessions.list(params={"limit": 10}).data
    assert len(listed) == 1
