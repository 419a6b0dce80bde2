"""
The administrator's "cancel" icon, end to end over HTTP: admin page → Stripe credit note and refund →
invoice cancelled → learner unenrolled → the learner may buy again.
"""

import pytest
from django.urls import reverse

from riseup_stripe_plugin.billing import cancellation
from riseup_stripe_plugin.billing.cancellation import cancel_invoice
from riseup_stripe_plugin.configuration.installation import installation_id
from riseup_stripe_plugin.models import BackOfficeEnrollment, CreditNote, Invoice, InvoiceStatus
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .conftest import wait_for
from .purchases import cancel_url, paid_purchase, processed
from .test_purchase_journey import buy, fulfilled

pytestmark = pytest.mark.django_db(transaction=True)

REASON = {"reason": "Bought by mistake, asked by email", "stripe_reason": "order_change"}


def stripe_notes(stripe, invoice):
    return stripe.client().v1.credit_notes.list(params={"invoice": invoice.stripe_invoice_id}).data


def test_cancel_issues_a_credit_note_refunds_unenrolls_and_the_learner_may_buy_again(
        client, admin_client, admin_user, lms, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900, name="Cancelled Course")
    order, invoice = paid_purchase(client, stripe, learner, course)
    assert enrollment.is_enrolled(learner, course.id)

    page = admin_client.get(cancel_url(invoice))
    assert page.status_code == 200
    html = page.content.decode()
    assert invoice.number in html and "€49.00" in html and 'id="confirm-cancel"' in html
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID  # the confirmation page changes nothing

    response = admin_client.post(cancel_url(invoice), REASON, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "cancelled: credit note" in text

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert invoice.cancelled_by == admin_user and invoice.cancelled_at
    assert invoice.cancellation_reason == REASON["reason"]
    assert invoice.amount_refunded == 4900
    note = invoice.credit_notes.get()
    assert note.number and note.amount == 4900 and note.currency == "eur"
    assert note.pdf_url.startswith(stripe.base_url) and note.refund_id.startswith("re_")
    assert note.source == CreditNote.Source.ADMIN and note.created_by == admin_user
    assert note.memo == REASON["reason"] and note.reason == "order_change" and note.issued_at

    # At Stripe: one credit note on the invoice, for the whole amount, refunded; the charge is refunded.
    (remote,) = stripe_notes(stripe, invoice)
    assert remote.id == note.stripe_credit_note_id and remote.amount == 4900
    assert remote.refunds[0]["amount_refunded"] == 4900
    intent = stripe.client().v1.payment_intents.retrieve(order.payment_intent_id)
    charge = stripe.client().v1.charges.retrieve(intent.latest_charge)
    assert charge.refunded is True and charge.amount_refunded == 4900
    creates = [r for r in stripe.requests() if r["method"] == "POST" and r["path"] == "/v1/credit_notes"]
    assert len(creates) == 1 and creates[0]["idempotency_key"].startswith(
        f"riseup-{installation_id()}-cancel-{invoice.stripe_invoice_id}")

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED and order.access_slot is None
    assert not enrollment.is_enrolled(learner, course.id)

    # Stripe's own webhooks about it (refund, credit note) converge on the same state.
    wait_for(processed("charge.refunded", intent.latest_charge), message="charge.refunded")
    wait_for(processed("credit_note.created", note.stripe_credit_note_id), message="credit_note.created")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.credit_notes.count() == 1
    assert CreditNote.objects.get().created_by == admin_user

    # The learner sees it.
    client.force_login(learner)
    html = client.get(reverse("riseup_stripe:my_invoices")).content.decode()
    assert 'data-status="cancelled"' in html and note.number in html and note.pdf_url in html
    api = client.get(reverse("riseup_stripe:api_invoice", args=[invoice.stripe_invoice_id])).json()
    assert api["status"] == "cancelled" and api["amount_refunded"] == 4900
    assert api["credit_notes"] == [{
        "id": note.stripe_credit_note_id, "number": note.number, "amount": 4900, "currency": "eur",
        "amount_display": "€49.00", "date": api["credit_notes"][0]["date"], "pdf_url": note.pdf_url,
    }]

    # And may buy the course again.
    again = buy(client, learner, course)
    assert again.pk != order.pk
    stripe.pay(again.checkout_session_id)
    wait_for(fulfilled(again), message="the second purchase")
    assert enrollment.is_enrolled(learner, course.id)
    second = wait_for(lambda: Invoice.objects.filter(order=again, stripe_status="paid").first(), message="invoice")
    assert second.status == InvoiceStatus.PAID and second.pk != invoice.pk


def test_cancel_with_stripe_down_changes_nothing_and_a_retry_works(client, admin_client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    stripe.add_fault("/v1/credit_notes", status=503, method="POST")

    response = admin_client.post(cancel_url(invoice), REASON, follow=True)
    text = response.content.decode()
    assert "was not cancelled" in text and "Stripe cannot be reached" in text
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and not invoice.cancelled_at and invoice.amount_refunded == 0
    assert order.state == OrderState.FULFILLED and enrollment.is_enrolled(learner, course.id)
    assert not CreditNote.objects.exists()
    assert stripe_notes(stripe, invoice) == []

    stripe.clear_faults()
    response = admin_client.post(cancel_url(invoice), REASON, follow=True)
    assert "cancelled: credit note" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert len(stripe_notes(stripe, invoice)) == 1 and CreditNote.objects.count() == 1
    assert not enrollment.is_enrolled(learner, course.id)


def test_stripe_refusal_is_shown_with_its_reason(client, admin_client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    stripe.add_fault("/v1/credit_notes", status=400, method="POST")
    response = admin_client.post(cancel_url(invoice), REASON, follow=True)
    assert "was not cancelled" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and enrollment.is_enrolled(learner, course.id)


def test_double_cancel_makes_one_credit_note(client, admin_client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    _, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    admin_client.post(cancel_url(invoice), REASON)
    response = admin_client.post(cancel_url(invoice), REASON, follow=True)
    assert "nothing to do" in response.content.decode()
    assert len(stripe_notes(stripe, invoice)) == 1 and CreditNote.objects.count() == 1
    stripe.clear_requests()
    # Calling the function again calls nobody and answers the same credit note.
    invoice.refresh_from_db()
    note = cancel_invoice(invoice, actor=None, reason="again")
    assert note == CreditNote.objects.get() and stripe.requests() == []


def test_a_retry_after_stripe_agreed_but_our_database_did_not_reuses_the_credit_note(
        client, admin_user, stripe, monkeypatch):
    learner = factories.user()
    course, _ = factories.paid_course()
    _, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    real = cancellation.apply_cancellation

    def crash(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(cancellation, "apply_cancellation", crash)
    with pytest.raises(RuntimeError):
        cancel_invoice(invoice, actor=admin_user, reason="first try")
    assert len(stripe_notes(stripe, invoice)) == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID

    monkeypatch.setattr(cancellation, "apply_cancellation", real)
    note = cancel_invoice(invoice, actor=admin_user, reason="second try")
    assert len(stripe_notes(stripe, invoice)) == 1
    assert note.stripe_credit_note_id == stripe_notes(stripe, invoice)[0].id and note.created_by == admin_user
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and not enrollment.is_enrolled(learner, course.id)


def test_a_learner_with_a_back_office_enrollment_keeps_the_course(client, admin_client, admin_user, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    BackOfficeEnrollment.objects.create(learner=learner, actor=admin_user, course_key=course.id,
                                        path=BackOfficeEnrollment.Path.ADMIN_ACTION)
    admin_client.post(cancel_url(invoice), REASON)
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and order.state == OrderState.CANCELLED
    assert enrollment.is_enrolled(learner, course.id)


def test_cancelling_one_course_leaves_the_other_purchases_alone(client, admin_client, stripe):
    learner = factories.user()
    first, _ = factories.paid_course()
    second, _ = factories.paid_course()
    _, invoice = paid_purchase(client, stripe, learner, first, webhooks=False)
    other_order, other_invoice = paid_purchase(client, stripe, learner, second, webhooks=False)
    admin_client.post(cancel_url(invoice), REASON)
    assert not enrollment.is_enrolled(learner, first.id)
    assert enrollment.is_enrolled(learner, second.id)
    other_order.refresh_from_db()
    other_invoice.refresh_from_db()
    assert other_order.state == OrderState.FULFILLED and other_invoice.status == InvoiceStatus.PAID


def test_cancel_needs_the_permission(client, stripe):
    from django.contrib.auth.models import Permission

    learner = factories.user()
    course, _ = factories.paid_course()
    _, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    staff = factories.user(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client.force_login(staff)
    assert client.get(cancel_url(invoice)).status_code == 403
    assert client.post(cancel_url(invoice), REASON).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID

    staff.user_permissions.add(Permission.objects.get(codename="cancel_invoice"))
    staff = type(staff).objects.get(pk=staff.pk)  # permissions are cached on the instance
    client.force_login(staff)
    assert client.get(cancel_url(invoice)).status_code == 200
    client.post(cancel_url(invoice), REASON)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.cancelled_by == staff
