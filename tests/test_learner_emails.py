"""
Telling the learner: an email after a purchase and after a cancellation, through the platform's messaging
(the stand-in renders the plugin's edx-ace templates and sends them with Django's mail).
"""

import logging

import pytest
from django.core import mail

from riseup_stripe_plugin.billing.cancellation import cancel_invoice
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .conftest import wait_for
from .purchases import paid_purchase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lms_root(lms, settings):
    settings.LMS_ROOT_URL = lms.url
    return lms.url


def to(learner):
    return [message for message in mail.outbox if message.to == [learner.email]]


def test_the_learner_gets_an_email_after_the_purchase_and_after_the_cancellation(client, stripe, lms_root):
    learner = factories.user()
    admin = factories.user(is_staff=True, is_superuser=True)
    course, _ = factories.paid_course(price=4900, currency="eur", name="Selling Courses with Stripe")
    order, invoice = paid_purchase(client, stripe, learner, course)
    [receipt] = wait_for(lambda: to(learner) or None, message="the purchase email")
    assert receipt.subject == "You are enrolled in Selling Courses with Stripe"
    assert "Thank you for your purchase of Selling Courses with Stripe (€49.00 incl. tax)." in receipt.body
    assert f"{lms_root}/courses/{course.id}/courseware/" in receipt.body
    assert f"{lms_root}/riseup-stripe/invoices/" in receipt.body
    html, kind = receipt.alternatives[0]
    assert kind == "text/html" and f'href="{lms_root}/riseup-stripe/invoices/"' in html

    note = cancel_invoice(invoice, actor=admin, reason="Bought by mistake", stripe_reason="order_change")
    invoice.refresh_from_db()
    assert not enrollment.is_enrolled(learner, course.id)
    receipt, cancelled = to(learner)
    assert cancelled.subject == "Your purchase of Selling Courses with Stripe was cancelled and refunded"
    assert f"(invoice {invoice.number}) was cancelled on" in cancelled.body
    assert "€49.00 is refunded to your means of payment" in cancelled.body
    assert f"Credit note: {note.number}." in cancelled.body
    assert f"{lms_root}/riseup-stripe/courses/{course.id}/" in cancelled.body


def test_the_email_speaks_the_learners_language(client, stripe, lms_root, settings):
    settings.LANGUAGE_CODE = "fr"  # the stand-in's learners keep no preference: the platform's default
    learner = factories.user()
    course, _ = factories.paid_course(price=4900, currency="eur", name="Vendre avec Stripe")
    paid_purchase(client, stripe, learner, course)
    [receipt] = wait_for(lambda: to(learner) or None, message="the purchase email")
    assert receipt.subject == "Vous êtes inscrit à Vendre avec Stripe"
    assert "49,00\u00a0€ TTC" in receipt.body.replace("\u202f", "\u00a0")


def test_with_stripes_emails_the_plugin_sends_none(client, stripe, lms_root, settings):
    settings.RISEUP_STRIPE_LEARNER_EMAILS = "stripe"
    learner = factories.user()
    course, _ = factories.paid_course()
    order, _ = paid_purchase(client, stripe, learner, course)
    assert order.state == OrderState.FULFILLED
    assert to(learner) == []


def test_an_email_that_cannot_be_sent_leaves_the_purchase_done(client, stripe, lms_root, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    learner = factories.user()
    course, _ = factories.paid_course()
    with caplog.at_level(logging.ERROR, logger="riseup_stripe_plugin.orders.emails"):
        order, _ = paid_purchase(client, stripe, learner, course)
        wait_for(lambda: any("could not be sent" in r.getMessage() for r in caplog.records), message="the log")
    assert order.state == OrderState.FULFILLED and enrollment.is_enrolled(learner, course.id)
    assert to(learner) == []
