"""The order state machine, in memory and in the database."""

import pytest
from django.db import IntegrityError, transaction

from riseup_stripe_plugin.models import ConcurrentTransition, Order
from riseup_stripe_plugin.states import FINAL_STATES, InvalidTransition, OrderState, check_transition

from . import factories

S = OrderState


@pytest.mark.parametrize("current,target", [
    (S.CREATED, S.PAID), (S.EXPIRED, S.PAID), (S.FAILED, S.FULFILLED), (S.CANCELLED, S.FULFILLED),
    (S.FULFILLED, S.PAID), (S.AWAITING_PAYMENT, S.FULFILLED), (S.AWAITING_PAYMENT, S.CANCELLED),
])
def test_nonsense_transitions_raise(current, target):
    with pytest.raises(InvalidTransition):
        check_transition(current, target)


def test_final_states_have_no_way_out():
    assert FINAL_STATES == {S.EXPIRED, S.FAILED, S.CANCELLED}


def _order(user, offer, **extra):
    return Order.objects.create(user=user, course_key=offer.course_key, offer=offer, amount=offer.price,
                                currency=offer.currency, stripe_price_id="price_x", **extra)


@pytest.mark.django_db
def test_happy_path_moves_slots():
    learner = factories.user()
    _, offer = factories.paid_course()
    order = _order(learner, offer)
    assert order.open_slot and order.access_slot is None
    order.transition(S.AWAITING_PAYMENT, checkout_session_id="cs_1")
    order.transition(S.PAID)
    assert order.open_slot is None and order.access_slot == f"{learner.pk}:{offer.course_key}"
    order.transition(S.FULFILLED)
    order.refresh_from_db()
    assert order.state == S.FULFILLED and order.fulfilled_at and order.paid_at
    with pytest.raises(InvalidTransition):
        order.transition(S.PAID)


@pytest.mark.django_db
def test_database_allows_one_open_order_per_learner_and_course():
    learner = factories.user()
    _, offer = factories.paid_course()
    _order(learner, offer)
    with pytest.raises(IntegrityError), transaction.atomic():
        _order(learner, offer)


@pytest.mark.django_db
def test_database_allows_one_live_purchase_per_learner_and_course():
    learner = factories.user()
    _, offer = factories.paid_course()
    first = _order(learner, offer)
    first.transition(S.AWAITING_PAYMENT, checkout_session_id="cs_a")
    first.transition(S.PAID)
    second = _order(learner, offer)
    second.transition(S.AWAITING_PAYMENT, checkout_session_id="cs_b")
    with pytest.raises(IntegrityError), transaction.atomic():
        second.transition(S.PAID)
    # Once the first purchase is cancelled, the course can be bought again.
    first.transition(S.CANCELLED)
    second.refresh_from_db()
    second.transition(S.PAID)
    assert second.state == S.PAID


@pytest.mark.django_db
def test_stale_copy_loses_the_race():
    learner = factories.user()
    _, offer = factories.paid_course()
    order = _order(learner, offer)
    order.transition(S.AWAITING_PAYMENT, checkout_session_id="cs_r")
    stale = Order.objects.get(pk=order.pk)
    order.transition(S.EXPIRED)
    with pytest.raises(ConcurrentTransition):
        stale.transition(S.PAID)
    assert Order.objects.get(pk=order.pk).state == S.EXPIRED
