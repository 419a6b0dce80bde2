"""The lock fulfilment takes on every paid webhook, compiled once: the same order as the ORM's queryset."""

import uuid

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from riseup_stripe_plugin.models import Invoice, InvoiceStatus, Order
from riseup_stripe_plugin.states import OrderState

from . import factories

pytestmark = pytest.mark.django_db


def _order(learner, offer, course_key, **extra):
    return Order.objects.create(user=learner, course_key=course_key, offer=offer, amount=offer.price,
                                currency=offer.currency, stripe_price_id="price_c", **extra)


def _orm(order):
    return Order._locking(with_cancelled_invoice=True, with_invoice=True).filter(uuid=order.uuid).first()


@pytest.mark.parametrize("invoice_status", [None, InvoiceStatus.PAID, InvoiceStatus.CANCELLED])
def test_locked_by_reference_reads_what_the_orm_queryset_reads(invoice_status):
    learner = factories.user()
    course, offer = factories.paid_course()
    order = _order(learner, offer, course.id, state=OrderState.AWAITING_PAYMENT, checkout_session_id="cs_c",
                   course_name="Café ☕ course")
    if invoice_status:
        Invoice.objects.create(order=order, user=learner, course_key=course.id, stripe_invoice_id="in_c",
                               number="RS-1", currency="eur", total=4900, status=invoice_status)
    with transaction.atomic():
        expected = _orm(order)
        with CaptureQueriesContext(connection) as queries:
            got = Order.locked_by_reference(str(order.uuid))
            assert got.user.username == learner.username  # its learner came with it
    assert len(queries) == 1
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in queries.captured_queries[0]["sql"]
    fields = [field.attname for field in Order._meta.concrete_fields]
    assert [getattr(got, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert (got.has_cancelled_invoice, got.invoice_stripe_id) == (expected.has_cancelled_invoice,
                                                                  expected.invoice_stripe_id)
    assert got.has_cancelled_invoice is (invoice_status == InvoiceStatus.CANCELLED)
    assert got.invoice_stripe_id == ("in_c" if invoice_status else None)
    assert isinstance(got.uuid, uuid.UUID) and got.created == expected.created
    assert got._state.adding is False and got._state.db == "default"
    # It saves like any order read by the ORM.
    with transaction.atomic():
        got.transition(OrderState.EXPIRED)
    assert Order.objects.get(pk=order.pk).state == OrderState.EXPIRED


def test_an_unknown_or_malformed_reference_is_none():
    with transaction.atomic():
        assert Order.locked_by_reference(str(uuid.uuid4())) is None
        assert Order.locked_by_reference("not-a-uuid") is None
        assert Order.locked_by_reference("") is None


@pytest.mark.django_db(transaction=True)
def test_the_lock_needs_a_transaction_as_the_orms_does():
    learner = factories.user()
    course, offer = factories.paid_course()
    order = _order(learner, offer, course.id)
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no row locks (it locks the whole database)")
    with pytest.raises(TransactionManagementError):
        _orm(order)
    with pytest.raises(TransactionManagementError):
        Order.locked_by_reference(str(order.uuid))
