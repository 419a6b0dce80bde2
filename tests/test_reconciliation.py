"""
Reconciliation over HTTP against the emulator, with no webhook reaching the LMS: Stripe's truth is read
back and the local books follow; a dry run changes nothing, a second run finds nothing.
"""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from riseup_stripe_plugin.management.commands.riseup_stripe_reconcile import parse_since
from riseup_stripe_plugin.models import CreditNote, Invoice, InvoiceStatus, Order
from riseup_stripe_plugin.orders.reconciliation import DEFAULT_SINCE, ReconciliationAborted, reconcile
from riseup_stripe_plugin.states import OrderState
from riseup_stripe_plugin.stripe_gateway import StripeGateway, timestamp
from sandbox.platform import enrollment
from sandbox.platform.models import CourseEnrollment

from . import factories
from .purchases import charge_id, paid_purchase
from .test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args):
    """The command's output (stdout) and its progress (stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("riseup_stripe_reconcile", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot():
    """Everything reconciliation may change, to compare before and after."""
    return (
        sorted(Order.objects.values_list("uuid", "state", "dispute_status", "last_error")),
        sorted(Invoice.objects.values_list("stripe_invoice_id", "status", "stripe_status", "amount_refunded")),
        sorted(CreditNote.objects.values_list("stripe_credit_note_id", "voided_at")),
        sorted(CourseEnrollment.objects.values_list("user_id", "course_id", "is_active")),
    )


def paid_without_webhook(client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    return learner, course, order


def test_dry_run_lists_a_lost_payment_commit_fulfils_it_and_a_second_run_finds_nothing(client, stripe):
    learner, course, order = paid_without_webhook(client, stripe)
    before = snapshot()

    out, _ = run("--no-progress")
    assert f"would fulfil: order {order.uuid}: paid at Stripe" in out
    assert "1 change(s) would be made (fulfil 1). Run again with --commit" in out
    assert snapshot() == before  # a dry run changes nothing

    out, _ = run("--commit", "--no-progress")
    assert f"applied fulfil: order {order.uuid}" in out and "-> order" in out
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED and enrollment.is_enrolled(learner, course.id)
    assert Invoice.objects.filter(order=order, stripe_status="paid").count() == 1

    after = snapshot()
    stripe.clear_requests()
    out, _ = run("--commit", "--no-progress")
    assert "Nothing to change" in out
    assert snapshot() == after
    assert not [r for r in stripe.requests() if r["method"] == "POST"]  # not one write at Stripe either


def test_a_paid_order_whose_enrollment_was_refused_is_fulfilled_once_the_platform_accepts(client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order = buy(client, learner, course)
    stripe.pay(order.checkout_session_id)
    course_id = course.id
    course.delete()  # the platform refuses to enroll in a course it no longer knows
    report = reconcile(commit=True)
    assert [change.kind for change in report.changes] == ["fulfil"]
    assert report.failed and "course" in report.failed[0].error.lower()
    order.refresh_from_db()
    assert order.state == OrderState.PAID and order.last_error.startswith("enrollment refused")

    course.id = course_id
    course.save(force_insert=True)  # the course is back
    report = reconcile(commit=True)
    assert [(change.kind, change.error) for change in report.changes] == [("retry", "")]
    assert "last error: enrollment refused" in report.changes[0].description
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED and order.last_error == ""
    assert CourseEnrollment.objects.filter(user=learner, course_id=course.id).count() == 1
    assert reconcile(commit=True).changes == []


def test_an_abandoned_checkout_is_expired_at_stripe_first(client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course()
    order = buy(client, learner, course)
    assert reconcile(commit=True).changes == []  # still within its time
    stripe.clear_requests()
    report = reconcile(commit=True, now=timezone.now() + timedelta(days=1))
    assert [change.kind for change in report.changes] == ["expire"]
    posts = [r["path"] for r in stripe.requests() if r["method"] == "POST"]
    assert posts == [f"/v1/checkout/sessions/{order.checkout_session_id}/expire"]
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED
    session = stripe.client().v1.checkout.sessions.retrieve(order.checkout_session_id)
    assert session.status == "expired"  # it can no longer be paid there
    with pytest.raises(Exception):  # noqa: B017 - the emulator refuses to pay an expired session
        stripe.pay(order.checkout_session_id)


def test_an_expiry_racing_a_payment_lets_the_payment_win(client, stripe):
    learner, course, order = paid_without_webhook(client, stripe)
    # The order looks abandoned here, but it was paid meanwhile: Stripe refuses to expire it.
    report = reconcile(commit=True, now=timezone.now() + timedelta(days=1))
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED and [c.kind for c in report.changes] == ["fulfil"]


def test_refund_dispute_invoice_and_credit_note_made_in_stripe_are_recorded(client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    other_learner = factories.user()
    other_course, _ = factories.paid_course(price=3000)
    other, other_invoice = paid_purchase(client, stripe, other_learner, other_course, webhooks=False)
    # Lost: the second purchase's invoice copy; made in Stripe: a refund, a dispute, a credit note.
    other_invoice.delete()
    stripe.refund_in_dashboard(charge_id(stripe, order), amount=1000)
    dispute = stripe.dispute(charge_id(stripe, other))
    note = stripe.client().v1.credit_notes.create(params={
        "invoice": invoice.stripe_invoice_id, "amount": 500, "out_of_band_amount": 500})

    dry = reconcile()
    assert sorted(change.kind for change in dry.changes) == ["credit note", "dispute", "invoice", "refund"]
    report = reconcile(commit=True)
    # The credit note's change settles the refund on the same invoice too (one reconcile_invoice).
    assert report.failed == [] and len(report.applied) >= 3

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_REFUNDED and invoice.amount_refunded == 1000
    assert CreditNote.objects.filter(stripe_credit_note_id=note.id, invoice=invoice).exists()
    # The refund got its credit note too (every refund has one).
    assert invoice.credit_notes.filter(refund_id__contains="re_").exists()
    other.refresh_from_db()
    assert (other.dispute_id, other.dispute_status) == (dispute["id"], dispute["status"])
    assert Invoice.objects.filter(order=other, stripe_status="paid").count() == 1
    assert reconcile(commit=True).changes == []

    # The bank decides later: the open dispute is re-read even when it is older than --since.
    stripe.close_dispute(dispute["id"], "lost")
    # Read by id (open here) and listed again (recent at Stripe): one change all the same.
    assert [change.kind for change in reconcile().changes] == ["dispute"]
    report = reconcile(commit=True, since=timezone.now() + timedelta(seconds=5))
    other.refresh_from_db()
    assert other.state == OrderState.CANCELLED and other.dispute_status == "lost"
    assert not enrollment.is_enrolled(other_learner, other_course.id)


def test_a_full_refund_in_stripe_cancels_the_order(client, stripe):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    stripe.refund_in_dashboard(charge_id(stripe, order))
    reconcile(commit=True)
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and order.state == OrderState.CANCELLED
    assert not enrollment.is_enrolled(learner, course.id)
    assert reconcile(commit=True).changes == []


def test_objects_of_another_installation_are_skipped(client, stripe, settings):
    settings.RISEUP_STRIPE_INSTALLATION_ID = "prod"
    learner, course, order = paid_without_webhook(client, stripe)
    before = snapshot()
    settings.RISEUP_STRIPE_INSTALLATION_ID = "staging"  # the same account, another installation
    stripe.client().v1.checkout.sessions.create(params={
        "mode": "payment", "success_url": "https://x/", "line_items": [{"quantity": 1, "price_data": {
            "currency": order.currency, "unit_amount": order.amount, "product_data": {"name": "Staging copy"}}}],
        "metadata": {"riseup_order": str(uuid.uuid4()), "riseup_installation": "prod"}})
    report = reconcile(commit=True)
    assert report.changes == [] and report.foreign >= 2  # prod's order's session, and the new one
    assert snapshot() == before


def test_stripe_unreachable_is_a_clear_error_and_changes_nothing_then_it_works(client, stripe):
    learner, course, order = paid_without_webhook(client, stripe)
    before = snapshot()
    stripe.unreachable()
    with pytest.raises(CommandError, match="Stripe could not be asked .*run the command again"):
        run("--commit", "--no-progress")
    with pytest.raises(ReconciliationAborted):
        reconcile(commit=True)
    assert snapshot() == before
    stripe.clear_faults()
    out, _ = run("--commit", "--no-progress")
    assert "1 change(s) applied, 0 failed" in out
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED


def test_no_stripe_call_happens_inside_a_transaction(client, stripe, monkeypatch):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    stripe.refund_in_dashboard(charge_id(stripe, order), amount=700)
    _, _, lost = paid_without_webhook(client, stripe)
    seen = []
    original = StripeGateway._call

    def spy(self, what, fn, *args, **kwargs):
        seen.append((what, connection.in_atomic_block))
        return original(self, what, fn, *args, **kwargs)

    monkeypatch.setattr(StripeGateway, "_call", spy)
    report = reconcile(commit=True)
    assert report.failed == [] and len(report.applied) >= 2
    assert seen and [what for what, atomic in seen if atomic] == []
    with pytest.raises(RuntimeError, match="outside any transaction"):
        from django.db import transaction

        with transaction.atomic():
            reconcile(commit=True)


def test_the_lists_are_paged_and_bounded_by_since(client, stripe):
    for _ in range(3):
        paid_without_webhook(client, stripe)
    stripe.advance_clock(300)  # five minutes later at Stripe
    later = [paid_without_webhook(client, stripe)[2] for _ in range(2)]
    stripe.clear_requests()
    gateway = StripeGateway()
    gateway.list_page_size = 2
    report = reconcile(since=timezone.now() - timedelta(hours=1), gateway=gateway)
    assert report.checked["sessions"] == 5 and len(report.changes) == 5
    calls = [r["params"] for r in stripe.requests() if r["path"] == "/v1/checkout/sessions" and r["method"] == "GET"]
    assert len(calls) == 3 and all(call["limit"] == "2" and call["created"]["gte"] for call in calls)
    assert [bool(call.get("starting_after")) for call in calls] == [False, True, True]
    # Only the two made after the clock moved are as new as the first of them.
    first = stripe.client().v1.checkout.sessions.retrieve(later[0].checkout_session_id).created
    assert reconcile(since=timestamp(first)).checked["sessions"] == 2


def test_since_is_parsed_and_bad_values_are_refused(stripe):
    now = timezone.now()
    assert parse_since("4d", now) == now - timedelta(days=4)
    assert parse_since("36h", now) == now - timedelta(hours=36)
    assert parse_since("2026-01-02", now).isoformat() == "2026-01-02T00:00:00+00:00"
    for bad in ("yesterday", "4w", "2999-01-01"):
        with pytest.raises(ValueError):
            parse_since(bad, now)
        with pytest.raises(CommandError, match="--since"):
            run("--since", bad)
    assert DEFAULT_SINCE >= timedelta(days=3)  # Stripe retries a webhook for three days


def test_progress_and_summary_on_a_longer_run(client, stripe):
    for _ in range(3):
        paid_without_webhook(client, stripe)
    out, err = run()
    assert "orders: [" in err and "3/3" in err
    assert "Checked 3 orders" in out and "3 change(s) would be made (fulfil 3)" in out


def test_the_celery_task_runs_a_committing_reconciliation(client, stripe):
    from riseup_stripe_plugin.tasks import reconcile as task

    _, _, order = paid_without_webhook(client, stripe)
    result = task.apply(kwargs={"since_days": 1}).get()
    assert result["commit"] is True and result["changes"] == {"fulfil": 1} and result["applied"] == 1
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED
    assert task.apply().get()["changes"] == {}


def test_the_list_params_sent_are_known_to_stripe_python(client, stripe, monkeypatch):
    from stripe.params import CreditNoteListParams, DisputeListParams, InvoiceListParams, RefundListParams
    from stripe.params.checkout import SessionListParams

    from .emulator.stripe_params import assert_params_known

    sent = {}
    original = StripeGateway._call

    def recording(self, what, fn, *args, **kwargs):
        sent.setdefault(what, kwargs.get("params"))
        return original(self, what, fn, *args, **kwargs)

    paid_without_webhook(client, stripe)
    monkeypatch.setattr(StripeGateway, "_call", recording)
    reconcile()
    types = {"checkout session listing": SessionListParams, "invoice listing": InvoiceListParams,
             "credit note listing": CreditNoteListParams, "refund listing": RefundListParams,
             "dispute listing": DisputeListParams}
    assert set(types) <= set(sent)
    for what, params_type in types.items():
        assert_params_known(sent[what], params_type)
