"""
Every order of the events of one purchase, of one cancellation and of one dispute: the same final state.

Stripe delivers late, twice and out of order. Webhooks are held at the emulator while the scenario
happens, then delivered in each possible order to a fresh copy of the scenario.
"""

from itertools import permutations

import pytest

from riseup_stripe_plugin.billing.cancellation import cancel_invoice
from riseup_stripe_plugin.models import CreditNote, Invoice, StripeEvent
from riseup_stripe_plugin.states import OrderState
from riseup_stripe_plugin.stripe_gateway import WEBHOOK_EVENTS
from sandbox.platform import enrollment

from .. import factories
from ..conftest import wait_for
from ..purchases import charge_id, paid_purchase
from ..test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)


def held_of_interest(stripe):
    """The held events the plugin subscribes to, by id, with their types."""
    types = {event["id"]: event["type"] for event in stripe.events(limit=100)}
    return [(event_id, types[event_id]) for event_id in stripe.held_events() if types.get(event_id) in WEBHOOK_EVENTS]


def deliver_in(stripe, ordering):
    stripe.deliver_held(*[event_id for event_id, _ in ordering])
    for event_id, _ in ordering:
        wait_for(lambda event_id=event_id: StripeEvent.objects.filter(event_id=event_id, processed=True).exists(),
                 message=f"event {event_id} processed")
    leftover = stripe.held_events()
    if leftover:  # events not subscribed to: let them go, they change nothing
        stripe.deliver_held(*leftover)


def final_state(order, learner, course):
    order.refresh_from_db()
    invoice = Invoice.objects.filter(order=order).first()
    return (
        str(order.state.value if hasattr(order.state, 'value') else order.state), order.dispute_status,
        (invoice.status, invoice.stripe_status, invoice.amount_refunded) if invoice else None,
        CreditNote.objects.filter(invoice__order=order, voided_at=None).count(),
        enrollment.is_enrolled(learner, course.id),
    )


def scenario_purchase(client, stripe):
    learner, (course, _) = factories.user(), factories.paid_course(price=4900)
    order = buy(client, learner, course)
    stripe.pause_webhooks()
    stripe.pay(order.checkout_session_id)
    return order, learner, course


def scenario_cancellation(client, stripe):
    learner, (course, _) = factories.user(), factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)
    stripe.pause_webhooks()
    cancel_invoice(invoice, actor=None, reason="asked by email")
    return order, learner, course


def scenario_dispute(client, stripe):
    learner, (course, _) = factories.user(), factories.paid_course(price=4900)
    order, _ = paid_purchase(client, stripe, learner, course)
    stripe.pause_webhooks()
    dispute = stripe.dispute(charge_id(stripe, order))
    stripe.close_dispute(dispute["id"], "lost")
    return order, learner, course


EXPECTED = {
    "purchase": (OrderState.FULFILLED.value, "", ("paid", "paid", 0), 0, True),
    "cancellation": (OrderState.CANCELLED.value, "", ("cancelled", "paid", 4900), 1, False),
    "dispute": (OrderState.CANCELLED.value, "lost", ("paid", "paid", 0), 0, False),
}
SCENARIOS = {"purchase": scenario_purchase, "cancellation": scenario_cancellation, "dispute": scenario_dispute}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_order_of_the_events_gives_the_same_final_state(name, client, lms, stripe, figure):
    # Learn the scenario's events once, then replay the scenario for each of their orders.
    order, learner, course = SCENARIOS[name](client, stripe)
    events = held_of_interest(stripe)
    types = [event_type for _, event_type in events]
    assert len(events) >= 2, types
    orderings = list(permutations(range(len(events))))
    finals = {}
    for index, ordering in enumerate(orderings):
        if index:
            stripe.resume_webhooks()
            order, learner, course = SCENARIOS[name](client, stripe)
            events = held_of_interest(stripe)
            assert [event_type for _, event_type in events] == types
        chosen = [events[i] for i in ordering]
        deliver_in(stripe, chosen)
        finals[tuple(event_type for _, event_type in chosen)] = final_state(order, learner, course)
        stripe.resume_webhooks()
    assert set(finals.values()) == {EXPECTED[name]}, finals
    figure(f"event-orders-{name}", f"{len(orderings)} orders of {len(types)} events ({', '.join(sorted(types))}): "
           f"1 final state {EXPECTED[name]}")
