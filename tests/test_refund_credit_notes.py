"""
Every cancellation is a lawful credit note: a refund made in the Stripe Dashboard gets a credit note linked to it
(nothing refunded twice), and a credit note voided in Stripe leaves the invoice with what remains credited.
"""

import pytest

from riseup_stripe_plugin.configuration.installation import installation_id
from riseup_stripe_plugin.models import CreditNote, InvoiceStatus, StripeEvent
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .conftest import wait_for
from .purchases import charge_id, invoice_status, paid_purchase, processed

pytestmark = pytest.mark.django_db(transaction=True)


def note_creations(stripe):
    return [r for r in stripe.requests() if r["method"] == "POST" and r["path"] == "/v1/credit_notes"]


def test_a_full_dashboard_refund_gets_a_credit_note_linked_to_it_and_nothing_is_refunded_twice(
        client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)
    stripe.clear_requests()
    refund = stripe.client().v1.refunds.create(params={"payment_intent": order.payment_intent_id})
    wait_for(invoice_status(invoice, InvoiceStatus.CANCELLED), message="the invoice cancelled")
    note = wait_for(lambda: invoice.credit_notes.first(), message="the credit note recorded")
    assert note.amount == 4900 and note.source == CreditNote.Source.REFUND and note.refund_id == refund.id
    assert note.number and note.pdf_url

    (remote,) = stripe.client().v1.credit_notes.list(params={"invoice": invoice.stripe_invoice_id}).data
    assert remote.id == note.stripe_credit_note_id and remote.amount == 4900
    assert [(r["refund"], r["amount_refunded"]) for r in remote.refunds] == [(refund.id, 4900)]
    assert not remote.out_of_band_amount and remote.metadata["riseup_refund"] == refund.id
    (created,) = note_creations(stripe)
    assert created["idempotency_key"] == f"riseup-{installation_id()}-refund-note-{refund.id}-4900"
    # The money went back once: the only refund is the Dashboard's.
    assert [r.id for r in stripe.client().v1.refunds.list(params={"charge": charge_id(stripe, order)}).data] == [
        refund.id]
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED and not enrollment.is_enrolled(learner, course.id)

    # The plugin's own credit note comes back as credit_note.created; a redelivered refund event: no new note.
    wait_for(processed("credit_note.created", remote.id), message="credit_note.created")
    stripe.redeliver(StripeEvent.objects.get(type="charge.refunded").event_id)
    assert len(note_creations(stripe)) == 1 and CreditNote.objects.count() == 1


def test_each_partial_refund_gets_its_own_credit_note(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)
    first = stripe.client().v1.refunds.create(params={"payment_intent": order.payment_intent_id, "amount": 1000})
    wait_for(lambda: invoice.credit_notes.exists(), message="the first credit note")
    wait_for(invoice_status(invoice, InvoiceStatus.PARTIALLY_REFUNDED), message="partially refunded")
    assert invoice.amount_refunded == 1000 and enrollment.is_enrolled(learner, course.id)
    assert invoice.credit_notes.get().amount == 1000

    rest = stripe.client().v1.refunds.create(params={"payment_intent": order.payment_intent_id})
    wait_for(invoice_status(invoice, InvoiceStatus.CANCELLED), message="cancelled by the rest")
    wait_for(lambda: invoice.credit_notes.count() == 2, message="the second credit note")
    assert sorted((n.refund_id, n.amount) for n in invoice.credit_notes.all()) == sorted(
        [(first.id, 1000), (rest.id, 3900)])
    charge = stripe.client().v1.charges.retrieve(charge_id(stripe, order))
    assert charge.amount_refunded == 4900
    assert not enrollment.is_enrolled(learner, course.id)


def test_a_refund_already_covered_by_a_dashboard_credit_note_gets_no_second_one(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)
    stripe.clear_requests()
    remote = stripe.client().v1.credit_notes.create(params={
        "invoice": invoice.stripe_invoice_id, "amount": 1500, "refund_amount": 1500})
    wait_for(processed("credit_note.created", remote.id), message="credit_note.created")
    wait_for(lambda: StripeEvent.objects.filter(type="charge.refunded", processed=True).exists(),
             message="charge.refunded")
    assert len(note_creations(stripe)) == 1  # the Dashboard's own
    assert list(invoice.credit_notes.values_list("stripe_credit_note_id", flat=True)) == [remote.id]


def test_a_voided_credit_note_is_recorded_and_the_invoice_follows_what_remains(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)
    goodwill = stripe.client().v1.credit_notes.create(params={
        "invoice": invoice.stripe_invoice_id, "amount": 1500, "out_of_band_amount": 1500})
    wait_for(invoice_status(invoice, InvoiceStatus.PARTIALLY_REFUNDED), message="partially credited")

    stripe.client().v1.credit_notes.void_credit_note(goodwill.id)
    wait_for(processed("credit_note.voided", goodwill.id), message="credit_note.voided")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.amount_refunded == 0
    note = CreditNote.objects.get(stripe_credit_note_id=goodwill.id)
    assert note.voided_at is not None
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED and enrollment.is_enrolled(learner, course.id)
    # The voided credit note's amount can be credited again: the invoice is whole.
    again = stripe.client().v1.credit_notes.create(params={
        "invoice": invoice.stripe_invoice_id, "amount": 4900, "out_of_band_amount": 4900})
    wait_for(invoice_status(invoice, InvoiceStatus.CANCELLED), message="cancelled by the new credit note")
    assert invoice.credit_notes.filter(voided_at=None).get().stripe_credit_note_id == again.id


def test_a_void_leaving_a_refund_keeps_the_invoice_partially_refunded(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)
    refund = stripe.client().v1.refunds.create(params={"payment_intent": order.payment_intent_id, "amount": 700})
    note = wait_for(lambda: invoice.credit_notes.first(), message="the refund's credit note")
    goodwill = stripe.client().v1.credit_notes.create(params={
        "invoice": invoice.stripe_invoice_id, "amount": 800, "out_of_band_amount": 800})
    wait_for(processed("credit_note.created", goodwill.id), message="the goodwill note")
    stripe.client().v1.credit_notes.void_credit_note(goodwill.id)
    wait_for(processed("credit_note.voided", goodwill.id), message="credit_note.voided")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_REFUNDED and invoice.amount_refunded == 700
    assert note.refund_id == refund.id and invoice.credit_notes.filter(voided_at=None).count() == 1
