"""
What operators see: one ``key=value`` log line per order transition, and monitoring custom attributes.

The attributes go through the real ``edx_django_utils.monitoring.set_custom_attribute``
to the sandbox's recording backend (``OPENEDX_TELEMETRY``), as they would reach New Relic
or Datadog on the platform.
"""

import logging
import shlex

import pytest
from django.urls import reverse

from riseup_stripe_plugin.states import OrderState
from sandbox.platform.telemetry import RecordingBackend

from . import factories
from .test_events_needing_attention import enrollment_closed  # noqa: F401 - a fixture
from .test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)

SECRET_KEY = "sk_test_emulator_0000000000000000"


@pytest.fixture
def attributes():
    RecordingBackend.clear()
    yield RecordingBackend
    RecordingBackend.clear()


@pytest.fixture
def transitions(caplog):
    caplog.set_level(logging.INFO, logger="riseup_stripe_plugin.states")

    def lines():
        found = []
        for record in caplog.records:
            if record.name == "riseup_stripe_plugin.states" and record.getMessage().startswith("order_transition "):
                text = record.getMessage()
                fields = dict(pair.split("=", 1) for pair in shlex.split(text.removeprefix("order_transition ")))
                found.append((text, fields))
        return found
    return lines


def _completed(stripe):
    return next(iter(stripe.events(type="checkout.session.completed")))


def test_each_transition_logs_one_line_naming_order_event_and_states(client, stripe, signed_post, transitions):
    learner = factories.user(email="ada.private@example.org", first_name="Ada", last_name="Lovelace")
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    event = _completed(stripe)
    assert signed_post(event).status_code == 200
    assert signed_post(event).status_code == 200  # a second delivery: no transition, no line

    logged = [fields for _, fields in transitions()]
    assert [(f["from"], f["to"]) for f in logged] == [("created", "awaiting_payment"), ("awaiting_payment", "paid"),
                                                      ("paid", "fulfilled")]
    assert {f["order"] for f in logged} == {str(order.uuid)}
    assert [f["event"] for f in logged] == ["-", event["id"], event["id"]]  # the purchase is no event's doing
    assert all(f["course"] == str(course.id) and f["user"] == str(learner.pk) for f in logged)
    text = " ".join(line for line, _ in transitions())
    for private in (learner.email, "Lovelace", SECRET_KEY, "whsec_", "card", "4242"):
        assert private not in text


def test_a_transition_a_rollback_undoes_is_not_logged(client, stripe, signed_post, transitions, enrollment_closed):  # noqa: F811
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    assert signed_post(_completed(stripe)).json()["outcome"] == "needs attention"
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    # FULFILLED was written, then rolled back with the refused enrollment: no line says it happened.
    assert [f["to"] for _, f in transitions()] == ["awaiting_payment", "paid"]


def test_the_webhook_sets_monitoring_attributes(client, stripe, signed_post, attributes):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    event = _completed(stripe)
    attributes.clear()
    signed_post(event)
    assert attributes.values("riseup_stripe.event_id") == [event["id"], event["id"]]  # endpoint, then processing
    assert attributes.values("riseup_stripe.event_type")[-1] == "checkout.session.completed"
    assert attributes.values("riseup_stripe.webhook_mode") == ["request"]
    assert attributes.values("riseup_stripe.event_result") == ["processed"]

    attributes.clear()
    signed_post(event)
    assert attributes.values("riseup_stripe.event_result") == ["duplicate"]

    attributes.clear()
    assert signed_post(event, secret="whsec_not_the_right_one_0000").status_code == 400
    # Only the outcome of our own attributes (the platform's middlewares set theirs, e.g. has_jwt_cookie).
    assert [a for a in attributes.attributes if a[0].startswith("riseup_stripe.")] == [
        ("riseup_stripe.event_result", "invalid_signature")]

    attributes.clear()
    stripe.unreachable()
    other = dict(event, id="evt_monitoring_retry")
    other["data"] = {"object": {"id": "cs_test_x", "object": "checkout.session",
                                "metadata": {"riseup_order": str(order.uuid)}}}
    assert signed_post(other).status_code == 500
    assert attributes.values("riseup_stripe.event_result") == ["retry"]
    assert attributes.values("riseup_stripe.event_error") == ["PaymentProviderUnavailable"]
    values = " ".join(str(value) for _, value in attributes.attributes)
    assert SECRET_KEY not in values and learner.email not in values


def test_the_purchase_sets_monitoring_attributes(client, stripe, attributes):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    assert attributes.values("riseup_stripe.purchase_result") == ["checkout"]
    assert attributes.values("riseup_stripe.order") == [str(order.uuid)]
    assert attributes.values("riseup_stripe.course_id") == [str(course.id)]

    attributes.clear()
    free = factories.course()
    response = client.post(reverse("riseup_stripe:api_purchase"), {"course_id": str(free.id)},
                           content_type="application/json")
    assert response.status_code == 409
    assert attributes.values("riseup_stripe.purchase_result") == ["refused:free"]

    attributes.clear()
    other, _ = factories.paid_course()
    stripe.unreachable()
    response = client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(other.id)}))
    assert response.status_code == 503
    assert attributes.values("riseup_stripe.purchase_result") == ["stripe_error:PaymentProviderUnavailable"]
    stripe.clear_faults()

    attributes.clear()
    stripe.pay(order.checkout_session_id)
    page = client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}")
    assert page.status_code == 200
    assert attributes.values("riseup_stripe.return_order_state") == [OrderState.FULFILLED]
    assert attributes.values("riseup_stripe.order") == [str(order.uuid)]
