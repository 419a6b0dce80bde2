"""
Refunds, credit notes and disputes made outside the plugin (the Stripe Dashboard, the bank) reach it by
webhook and bring the local state in line.
"""

import pytest
from django.urls import reverse

from riseup_stripe_plugin.models import CreditNote, InvoiceStatus, Order, StripeEvent
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .conftest import wait_for
from .purchases import cancel_url, charge_id, invoice_status, paid_purchase, processed

pytestmark = pytest.mark.django_db(transaction=True)


def test_full_refund_in_the_dashboard_cancels_and_revokes(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)
    stripe.client().v1.refunds.create(params={"payment_intent": order.payment_intent_id})
    wait_for(invoice_status(invoice, InvoiceStatus.CANCELLED), message="the invoice cancelled")
    assert invoice.amount_refunded == 4900 and invoice.cancelled_by is None and invoice.cancellation_reason
    # A bare refund: the plugin issued the credit note the books need (see test_refund_credit_notes).
    assert wait_for(lambda: invoice.credit_notes.count() == 1, message="the credit note")
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert not enrollment.is_enrolled(learner, course.id)
    # The learner may buy again.
    client.force_login(learner)
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)}))
    assert page.status_code == 200


def test_partial_refund_is_recorded_and_keeps_access_then_the_rest_cancels(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)
    stripe.client().v1.refunds.create(params={"payment_intent": order.payment_intent_id, "amount": 1000})
    wait_for(invoice_status(invoice, InvoiceStatus.PARTIALLY_REFUNDED), message="partially refunded")
    assert invoice.amount_refunded == 1000
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED and enrollment.is_enrolled(learner, course.id)

    client.force_login(learner)
    html = client.get(reverse("riseup_stripe:my_invoices")).content.decode()
    assert 'data-status="partially_refunded"' in html and "€10.00 refunded" in html

    # A late redelivery of the first event changes nothing; the rest refunded cancels.
    first = StripeEvent.objects.get(type="charge.refunded")
    stripe.client().v1.refunds.create(params={"payment_intent": order.payment_intent_id})
    wait_for(invoice_status(invoice, InvoiceStatus.CANCELLED), message="cancelled by the second refund")
    stripe.redeliver(first.event_id)
    assert invoice.amount_refunded == 4900
    assert not enrollment.is_enrolled(learner, course.id)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED


def test_cancel_after_a_partial_dashboard_refund_credits_the_whole_invoice_and_refunds_the_rest(
        client, admin_client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)
    stripe.client().v1.refunds.create(params={"payment_intent": order.payment_intent_id, "amount": 900})
    wait_for(invoice_status(invoice, InvoiceStatus.PARTIALLY_REFUNDED), message="partially refunded")
    admin_client.post(cancel_url(invoice), {"reason": "Course withdrawn", "stripe_reason": "order_change"})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.amount_refunded == 4900
    # The Dashboard refund has its own credit note; the cancellation credits and refunds the rest.
    refund_note = invoice.credit_notes.get(source=CreditNote.Source.REFUND)
    note = invoice.credit_notes.get(source=CreditNote.Source.ADMIN)
    assert refund_note.amount == 900 and note.amount == 4000
    remote = stripe.client().v1.credit_notes.retrieve(note.stripe_credit_note_id)
    assert not remote.out_of_band_amount and remote.refunds[0]["amount_refunded"] == 4000
    assert not enrollment.is_enrolled(learner, course.id)


def test_a_credit_note_made_in_the_dashboard_is_recorded(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)
    remote = stripe.client().v1.credit_notes.create(params={
        "invoice": invoice.stripe_invoice_id, "amount": 1500, "refund_amount": 1500, "reason": "order_change",
    })
    wait_for(processed("credit_note.created", remote.id), message="credit_note.created")
    wait_for(invoice_status(invoice, InvoiceStatus.PARTIALLY_REFUNDED), message="partially refunded")
    note = CreditNote.objects.get()
    assert note.stripe_credit_note_id == remote.id and note.amount == 1500 and note.number == remote.number
    assert note.source == CreditNote.Source.STRIPE and note.created_by is None
    assert invoice.amount_refunded == 1500 and enrollment.is_enrolled(learner, course.id)

    # A second one for the rest cancels the invoice and revokes the access.
    rest = stripe.client().v1.credit_notes.create(params={"invoice": invoice.stripe_invoice_id, "amount": 3400,
                                                          "refund_amount": 3400})
    wait_for(invoice_status(invoice, InvoiceStatus.CANCELLED), message="cancelled")
    wait_for(processed("credit_note.created", rest.id), message="the last credit_note.created")
    assert invoice.credit_notes.count() == 2
    assert not enrollment.is_enrolled(learner, course.id)


def test_events_about_objects_that_are_not_ours_are_ignored(signed_post, stripe):
    for number, (event_type, obj) in enumerate([
        ("charge.refunded", {"id": "ch_elsewhere", "object": "charge", "payment_intent": "pi_elsewhere",
                             "metadata": {"shop_order": "A-17"}}),
        ("credit_note.created", {"id": "cn_elsewhere", "object": "credit_note", "invoice": "in_elsewhere"}),
        ("charge.dispute.created", {"id": "du_elsewhere", "object": "dispute", "payment_intent": "pi_elsewhere",
                                    "metadata": {"shop_order": "A-17"}}),
    ]):
        response = signed_post({"id": f"evt_elsewhere_{number}", "type": event_type, "data": {"object": obj}})
        assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert StripeEvent.objects.filter(event_id__startswith="evt_elsewhere_", ignored=True, processed=True).count() == 3
    assert stripe.requests() == []  # not even a look-up


def test_refund_of_an_unknown_payment_without_metadata_is_checked_once_and_ignored(signed_post, stripe):
    obj = {"id": "ch_unknown", "object": "charge", "payment_intent": "pi_unknown", "metadata": {}}
    response = signed_post({"id": "evt_unknown_charge", "type": "charge.refunded", "data": {"object": obj}})
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert [r["path"] for r in stripe.requests()] == ["/v1/payment_intents/pi_unknown"]


def dispute_status(order, status):
    def check():
        order.refresh_from_db()
        return order.dispute_status == status
    return check


def test_dispute_flags_the_order_and_keeps_access_by_default(client, admin_client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order, invoice = paid_purchase(client, stripe, learner, course)
    dispute = stripe.dispute(charge_id(stripe, order))
    wait_for(dispute_status(order, "needs_response"), message="the dispute recorded")
    assert order.dispute_id == dispute["id"] and order.state == OrderState.FULFILLED
    assert enrollment.is_enrolled(learner, course.id)

    # The administrator sees it, on the orders and on the invoices.
    html = admin_client.get(reverse("admin:riseup_stripe_plugin_order_changelist") + "?dispute_status=needs_response")
    assert str(order.uuid) in html.content.decode()
    html = admin_client.get(reverse("admin:riseup_stripe_plugin_invoice_changelist")).content.decode()
    assert "disputed: needs_response" in html

    stripe.close_dispute(dispute["id"], "won")
    wait_for(dispute_status(order, "won"), message="the dispute won")
    assert order.state == OrderState.FULFILLED and enrollment.is_enrolled(learner, course.id)


def test_dispute_suspends_access_when_configured_and_a_win_gives_it_back(client, lms, stripe, settings):
    settings.RISEUP_STRIPE_REVOKE_ACCESS_ON_DISPUTE = True
    learner = factories.user()
    course, _ = factories.paid_course()
    order, _ = paid_purchase(client, stripe, learner, course)
    dispute = stripe.dispute(charge_id(stripe, order), reason="product_not_received")
    wait_for(dispute_status(order, "needs_response"), message="the dispute recorded")
    assert order.state == OrderState.FLAGGED and "product_not_received" in order.flag_reason
    assert not enrollment.is_enrolled(learner, course.id)

    stripe.close_dispute(dispute["id"], "won")
    wait_for(dispute_status(order, "won"), message="the dispute won")
    assert order.state == OrderState.FULFILLED and enrollment.is_enrolled(learner, course.id)


def test_a_lost_dispute_ends_the_order_and_its_access(client, admin_client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order, invoice = paid_purchase(client, stripe, learner, course)
    dispute = stripe.dispute(charge_id(stripe, order))
    wait_for(dispute_status(order, "needs_response"), message="the dispute recorded")
    stripe.close_dispute(dispute["id"], "lost")
    wait_for(dispute_status(order, "lost"), message="the dispute lost")
    assert order.state == OrderState.CANCELLED and not enrollment.is_enrolled(learner, course.id)

    # The invoice can still be corrected by a credit note: nothing is refunded twice.
    admin_client.post(cancel_url(invoice), {"reason": "Chargeback lost", "stripe_reason": "fraudulent"})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    remote = stripe.client().v1.credit_notes.retrieve(invoice.credit_notes.get().stripe_credit_note_id)
    assert remote.out_of_band_amount == invoice.total and remote.refunds == []


def test_dispute_events_out_of_order_converge(client, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order, _ = paid_purchase(client, stripe, learner, course)
    stripe.pause_webhooks()
    dispute = stripe.dispute(charge_id(stripe, order))
    stripe.close_dispute(dispute["id"], "won")
    events = {e["type"]: e["id"] for e in stripe.events() if e["type"].startswith("charge.dispute")}
    stripe.redeliver(events["charge.dispute.closed"], events["charge.dispute.created"])
    wait_for(lambda: StripeEvent.objects.filter(type__startswith="charge.dispute", processed=True).count() == 2,
             message="both dispute events")
    order = Order.objects.get(pk=order.pk)
    assert order.dispute_status == "won" and order.state == OrderState.FULFILLED
    assert enrollment.is_enrolled(learner, course.id)
