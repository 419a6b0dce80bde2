"""
One Stripe account, several installations (production and staging, a database reset): every idempotency key and
every object the plugin creates names its installation, and each installation ignores the other's events.
"""

import pytest

from riseup_stripe_plugin import checks
from riseup_stripe_plugin.catalog.offers import sync_offer
from riseup_stripe_plugin.configuration import installation
from riseup_stripe_plugin.models import CourseOffer, CreditNote, Installation, InvoiceStatus, StripeEvent
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .conftest import wait_for
from .purchases import paid_purchase
from .test_purchase_journey import buy

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_installation_id_is_generated_once_stored_and_a_setting_forces_it(settings):
    installation.forget()
    Installation.objects.all().delete()
    first = installation.installation_id()
    assert installation.ID_RE.match(first) and Installation.objects.get().installation_id == first
    installation.forget()  # another process reads the stored one
    assert installation.installation_id() == first and Installation.objects.count() == 1
    settings.RISEUP_STRIPE_INSTALLATION_ID = "staging"
    assert installation.installation_id() == "staging" and checks.check_installation_id() == []
    settings.RISEUP_STRIPE_INSTALLATION_ID = "staging site"
    assert [e.id for e in checks.check_installation_id()] == ["riseup_stripe.E013"]


def test_every_key_and_every_object_created_names_the_installation(client, stripe, settings):
    settings.RISEUP_STRIPE_INSTALLATION_ID = "prod"
    learner = factories.user()
    course, _ = factories.sold_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)
    writes = [r for r in stripe.requests() if r["method"] == "POST" and not r["path"].startswith("/_test")]
    assert {r["path"] for r in writes} >= {"/v1/products", "/v1/prices", f"/v1/customers/{order.stripe_customer_id}",
                                           "/v1/checkout/sessions"}
    assert all(r["idempotency_key"].startswith("riseup-prod-") for r in writes), [r["idempotency_key"]
                                                                                   for r in writes]
    api = stripe.client().v1
    offer = CourseOffer.objects.get(course_key=course.id)
    session = api.checkout.sessions.retrieve(order.checkout_session_id)
    for obj in (api.products.retrieve(offer.stripe_product_id), api.prices.retrieve(offer.stripe_price_id),
                api.customers.retrieve(order.stripe_customer_id), session,
                api.payment_intents.retrieve(order.payment_intent_id),
                api.invoices.retrieve(invoice.stripe_invoice_id)):
        assert obj.metadata["riseup_installation"] == "prod", obj.id

    # The cancellation's credit note names it too.
    from riseup_stripe_plugin.billing.cancellation import cancel_invoice

    note = cancel_invoice(invoice, actor=None, reason="test")
    assert api.credit_notes.retrieve(note.stripe_credit_note_id).metadata["riseup_installation"] == "prod"


def test_a_reset_database_reusing_local_ids_does_not_meet_the_other_installations_keys(stripe, settings):
    settings.RISEUP_STRIPE_INSTALLATION_ID = "prod"
    course, offer = factories.paid_course(price=4900)
    prod = sync_offer(offer)
    # Staging, restored from production's database, syncs the very same offer (same local id) again.
    CourseOffer.objects.filter(pk=offer.pk).update(stripe_product_id="", stripe_price_id="", price_version=0)
    settings.RISEUP_STRIPE_INSTALLATION_ID = "staging"
    staging = sync_offer(CourseOffer.objects.get(pk=offer.pk))
    assert staging.stripe_product_id != prod.stripe_product_id
    assert staging.stripe_price_id != prod.stripe_price_id
    keys = [r["idempotency_key"] for r in stripe.requests() if r["path"] == "/v1/products"]
    assert keys == [f"riseup-prod-product-{offer.pk}", f"riseup-staging-product-{offer.pk}"]


def test_each_installation_ignores_the_others_events(client, lms, stripe, settings):
    settings.RISEUP_STRIPE_INSTALLATION_ID = "prod"
    learner = factories.user()
    course, _ = factories.paid_course(price=4900)
    order, invoice = paid_purchase(client, stripe, learner, course)

    # The same database now runs as staging (restored from production): production's refund is not its business.
    settings.RISEUP_STRIPE_INSTALLATION_ID = "staging"
    stripe.clear_requests()
    stripe.client().v1.refunds.create(params={"payment_intent": order.payment_intent_id})
    event = wait_for(lambda: StripeEvent.objects.filter(type="charge.refunded", processed=True).first(),
                     message="the refund event")
    assert event.ignored and event.outcome == "ignored: another installation"
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and order.state == OrderState.FULFILLED
    assert not CreditNote.objects.exists()
    assert not [r for r in stripe.requests() if r["method"] == "POST" and r["path"] == "/v1/credit_notes"]
    assert enrollment.is_enrolled(learner, course.id)

    # Staging sells a course; production receives that purchase's events and ignores them.
    other = factories.user()
    second, _ = factories.paid_course(price=2500)
    staging_order = buy(client, other, second)
    settings.RISEUP_STRIPE_INSTALLATION_ID = "prod"
    stripe.pay(staging_order.checkout_session_id)
    completed = wait_for(lambda: StripeEvent.objects.filter(type="checkout.session.completed", processed=True,
                                                            object_id=staging_order.checkout_session_id).first(),
                         message="the staging session event")
    assert completed.outcome == "ignored: another installation"
    staging_order.refresh_from_db()
    assert staging_order.state == OrderState.AWAITING_PAYMENT and not enrollment.is_enrolled(other, second.id)

    # Production still acts on its own events: the refund, delivered again, cancels its invoice.
    StripeEvent.objects.filter(pk=event.pk).update(processed=False)
    stripe.redeliver(event.event_id)
    wait_for(lambda: InvoiceStatus.CANCELLED == type(invoice).objects.get(pk=invoice.pk).status,
             message="production cancels its invoice")
