"""
Personal data: raw webhook bodies are emptied after the retention period (command riseup_stripe_purge_events), and
the platform's user retirement removes the learner's personal data from the plugin while invoices keep what the
law requires.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from riseup_stripe_plugin.models import BackOfficeEnrollment, Invoice, LearnerScope, StripeCustomer, StripeEvent
from sandbox.platform.retirement import retire_user

from . import factories
from .purchases import paid_purchase

pytestmark = pytest.mark.django_db(transaction=True)


def event(name, *, days_ago, processed=True, error=""):
    row = StripeEvent.objects.create(event_id=f"evt_{name}", type="invoice.paid", raw_body='{"email": "a@b.c"}',
                                     verified=True, processed=processed, error=error)
    StripeEvent.objects.filter(pk=row.pk).update(received_at=timezone.now() - timedelta(days=days_ago))
    return row


def bodies():
    return {e.event_id: bool(e.raw_body) for e in StripeEvent.objects.all()}


def purge(*args):
    out = StringIO()
    call_command("riseup_stripe_purge_events", *args, stdout=out)
    return out.getvalue()


def test_processed_events_past_retention_lose_their_body_those_needing_attention_keep_it(settings):
    event("old", days_ago=91)
    event("recent", days_ago=10)
    event("old_unprocessed", days_ago=200, processed=False)
    event("old_failed", days_ago=200, error="PaymentProviderUnavailable: down")

    assert "1 event(s) would lose" in purge("--dry-run")
    assert all(bodies().values())

    assert "1 event(s) lost" in purge()
    assert bodies() == {"evt_old": False, "evt_recent": True, "evt_old_unprocessed": True, "evt_old_failed": True}
    purged = StripeEvent.objects.get(event_id="evt_old")
    assert purged.body_erased_at and purged.type == "invoice.paid" and purged.processed  # the audit row stays

    assert "1 event(s) lost" in purge("--days", "5")
    assert bodies()["evt_recent"] is False
    settings.RISEUP_STRIPE_EVENT_RETENTION_DAYS = 365
    event("older", days_ago=300)
    assert "0 event(s) lost" in purge()


def buy_with_personal_data(client, stripe, learner):
    course, _ = factories.paid_course(price=4900)
    # The name typed on Stripe's payment page (the card holder's) is the buyer's on the invoice.
    order, invoice = paid_purchase(client, stripe, learner, course, payer_name=learner.get_full_name() or None)
    return order, invoice


def test_retirement_removes_the_learners_data_and_keeps_the_invoice(client, lms, stripe, admin_user):
    learner = factories.user(first_name="Ada", last_name="Lovelace")
    other = factories.user()
    order, invoice = buy_with_personal_data(client, stripe, learner)
    _, other_invoice = buy_with_personal_data(client, stripe, other)
    customer_id = StripeCustomer.objects.get(user=learner).customer_id
    LearnerScope.objects.create(user=learner, scope="internal", set_by=admin_user)
    LearnerScope.objects.create(user=other, scope="internal", set_by=learner)
    course, _ = factories.paid_course()
    BackOfficeEnrollment.objects.create(learner=learner, actor=admin_user, course_key=course.id,
                                        path=BackOfficeEnrollment.Path.STAFF,
                                        request_path=f"/courses/{course.id}/instructor?email={learner.email}")
    theirs = StripeEvent.objects.filter(raw_body__contains=customer_id)
    assert theirs.count() >= 3
    their_ids = list(theirs.values_list("pk", flat=True))
    others = {e.pk: e.raw_body for e in StripeEvent.objects.exclude(pk__in=their_ids)
              if StripeCustomer.objects.get(user=other).customer_id in e.raw_body}
    assert others
    stripe.clear_requests()

    retire_user(learner)

    assert not StripeCustomer.objects.filter(user=learner).exists()
    assert not LearnerScope.objects.filter(user=learner).exists()
    assert LearnerScope.objects.get(user=other).set_by is None
    backoffice = BackOfficeEnrollment.objects.get(learner=learner)
    assert backoffice.request_path == "" and backoffice.course_key == course.id  # the audit row stays
    erased = StripeEvent.objects.filter(pk__in=their_ids)
    assert all(e.raw_body == "" and e.body_erased_at for e in erased)
    assert not StripeEvent.objects.filter(raw_body__contains=customer_id).exists()
    assert not StripeEvent.objects.filter(raw_body__contains="Lovelace").exists()
    # Other learners' data is untouched.
    assert {pk: StripeEvent.objects.get(pk=pk).raw_body for pk in others} == others
    assert StripeCustomer.objects.filter(user=other).exists()

    # The invoice keeps what the law requires: number, date, the buyer as invoiced, amounts, tax.
    kept = Invoice.objects.get(pk=invoice.pk)
    assert (kept.number, kept.issued_at, kept.customer_email, kept.customer_name, kept.total, kept.tax) == (
        invoice.number, invoice.issued_at, invoice.customer_email, invoice.customer_name, invoice.total,
        invoice.tax)
    assert kept.customer_name == "Ada Lovelace" and Invoice.objects.get(pk=other_invoice.pk).customer_email

    # By default the Stripe Customer stays in Stripe (the merchant's payment record); only its link went.
    assert not [r for r in stripe.requests() if r["method"] == "DELETE"]
    assert not getattr(stripe.client().v1.customers.retrieve(customer_id), "deleted", False)

    retire_user(learner)  # the platform may send the signals again: nothing breaks
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_retirement_deletes_the_stripe_customer_when_configured(client, stripe, settings):
    settings.RISEUP_STRIPE_DELETE_CUSTOMER_ON_RETIREMENT = True
    learner = factories.user()
    course, _ = factories.paid_course()
    paid_purchase(client, stripe, learner, course, webhooks=False)
    customer_id = StripeCustomer.objects.get(user=learner).customer_id
    stripe.clear_requests()
    retire_user(learner)
    deletes = [r for r in stripe.requests() if r["method"] == "DELETE"]
    assert [r["path"] for r in deletes] == [f"/v1/customers/{customer_id}"]
    assert customer_id not in [c.id for c in stripe.client().v1.customers.list(params={"limit": 100}).data]
    assert not StripeCustomer.objects.filter(user=learner).exists()
