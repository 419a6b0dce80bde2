"""
The Stripe secrets never reach a page or a response: every admin page of the plugin, every learner page and
API response, the webhook's answers, and the messages shown when Stripe fails, checked on the rendered bytes.
"""

import json

import pytest
from django.contrib import admin
from django.urls import URLPattern, reverse

from riseup_stripe_plugin import urls as plugin_urls
from riseup_stripe_plugin.configuration.encryption import encrypt
from riseup_stripe_plugin.models import Invoice, PaymentConfiguration

from . import factories
from .conftest import sign_payload, wait_for
from .purchases import cancel_url, paid_purchase, processed

pytestmark = pytest.mark.django_db(transaction=True)

SETTINGS_SECRET_KEY = "sk_test_SETTINGSsecretKEY4242424242"
SETTINGS_WEBHOOK_SECRET = "whsec_SETTINGSsecretHOOK7373737373"
STORED_SECRET_KEY = "sk_test_STOREDsecretKEY5151515151"
STORED_WEBHOOK_SECRET = "whsec_STOREDsecretHOOK6262626262"


@pytest.fixture
def secrets(settings):
    settings.RISEUP_STRIPE_SECRET_KEY = SETTINGS_SECRET_KEY
    settings.RISEUP_STRIPE_WEBHOOK_SECRET = SETTINGS_WEBHOOK_SECRET
    return settings


@pytest.fixture
def secret_lms(secrets, lms):
    """The live LMS receiving webhooks signed with the recognisable secret (configured before the emulator)."""
    return lms


def forbidden() -> list[bytes]:
    values = [SETTINGS_SECRET_KEY, SETTINGS_WEBHOOK_SECRET, STORED_SECRET_KEY, STORED_WEBHOOK_SECRET,
              "SETTINGSsecret", "STOREDsecret"]
    row = PaymentConfiguration.objects.first()
    if row is not None:  # the ciphertexts are not to be shown either
        values += [row.secret_key_encrypted, row.webhook_secret_encrypted]
    return [value.encode() for value in values if value]


def assert_clean(response, what):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    for secret in forbidden():
        assert secret not in body, f"{what} shows a secret"
    for name, value in response.items():
        for secret in forbidden():
            assert secret.decode() not in value, f"{what}: header {name} shows a secret"
    return body


def admin_pages():
    """(url, what) for every page of every ModelAdmin of the plugin, objects included."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "riseup_stripe_plugin":
            continue
        obj = model.objects.order_by("pk").first()
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            params = set(pattern.pattern.regex.groupindex)
            if not params:
                yield reverse(f"admin:{pattern.name}"), pattern.name
            elif params <= {"object_id", "pk"} and obj is not None:
                kwargs = {param: obj.pk for param in params}
                yield reverse(f"admin:{pattern.name}", kwargs=kwargs), pattern.name


def learner_urls(course, invoice):
    values = {"course_id": str(course.id), "invoice_id": invoice.stripe_invoice_id}
    for pattern in plugin_urls.urlpatterns:
        params = set(pattern.pattern.regex.groupindex)
        if params <= set(values):
            yield reverse(f"riseup_stripe:{pattern.name}", kwargs={p: values[p] for p in params}), pattern.name


def test_no_page_or_response_shows_a_secret(client, admin_client, secret_lms, stripe):
    PaymentConfiguration.objects.create(
        enabled=True, publishable_key="pk_test_visible_is_fine",
        secret_key_encrypted=encrypt(STORED_SECRET_KEY), webhook_secret_encrypted=encrypt(STORED_WEBHOOK_SECRET),
    )
    learner = factories.user()
    course, _ = factories.paid_course(name="Secret Course")
    other, _ = factories.paid_course()
    order, invoice = paid_purchase(client, stripe, learner, course)
    cancelled_order, cancelled = paid_purchase(client, stripe, learner, other)
    admin_client.post(cancel_url(cancelled), {"reason": "test", "stripe_reason": "order_change"})
    assert Invoice.objects.get(pk=cancelled.pk).status == "cancelled"
    wait_for(processed("credit_note.created", cancelled.credit_notes.get().stripe_credit_note_id),
             message="the credit note webhook")

    # Every admin page of the app, and the admin's index pages.
    pages = [(reverse("admin:index"), "admin index"),
             (reverse("admin:app_list", args=["riseup_stripe_plugin"]), "app index"),
             (cancel_url(invoice), "cancel confirmation"),
             (reverse("admin:riseup_stripe_plugin_invoice_cancel_many") + f"?ids={invoice.pk},{cancelled.pk}",
              "bulk cancel confirmation"),
             *admin_pages()]
    seen = set()
    for url, what in pages:
        response = admin_client.get(url, follow=True)
        assert response.status_code < 500, (url, response.status_code)
        assert_clean(response, f"{what} ({url})")
        seen.add(what)
    for name in ("riseup_stripe_plugin_invoice_changelist", "riseup_stripe_plugin_invoice_change",
                 "riseup_stripe_plugin_invoice_export", "riseup_stripe_plugin_creditnote_change",
                 "riseup_stripe_plugin_order_change", "riseup_stripe_plugin_stripeevent_change",
                 "riseup_stripe_plugin_paymentconfiguration_change"):
        assert name in seen, name

    # What the administrator reads when Stripe fails.
    stripe.add_fault("/v1/credit_notes", status=503, method="POST")
    failed = admin_client.post(cancel_url(invoice), {"reason": "down", "stripe_reason": "order_change"}, follow=True)
    assert b"was not cancelled" in assert_clean(failed, "cancel with Stripe down")
    stripe.add_fault("/v1/credit_notes", status=400, method="POST")
    failed = admin_client.post(cancel_url(invoice), {"reason": "refused", "stripe_reason": "order_change"},
                               follow=True)
    assert b"was not cancelled" in assert_clean(failed, "cancel refused by Stripe")
    stripe.clear_faults()

    # Every learner page and API response, as the learner and as the administrator.
    client.force_login(learner)
    for who in (client, admin_client):
        for url, what in learner_urls(course, invoice):
            assert_clean(who.get(url), f"{what} ({url})")
    api = client.get(reverse("riseup_stripe:api_invoices"))
    assert api.json()["count"] == 2
    assert_clean(api, "invoice list API")
    assert_clean(client.post(reverse("riseup_stripe:api_purchase"), {"course_id": str(course.id)},
                             content_type="application/json"), "purchase API (already bought)")
    third, _ = factories.paid_course()
    stripe.add_fault("/v1/checkout/sessions", status=503)
    assert_clean(client.post(reverse("riseup_stripe:api_purchase"), {"course_id": str(third.id)},
                             content_type="application/json"), "purchase API (Stripe down)")
    stripe.clear_faults()
    assert_clean(client.post(reverse("riseup_stripe:api_purchase"), {"course_id": str(third.id)},
                             content_type="application/json"), "purchase API (created)")

    # The webhook's answers: bad signature, good signature.
    payload = json.dumps({"id": "evt_secret_check", "type": "charge.refunded",
                          "data": {"object": {"id": "ch_x", "payment_intent": "pi_x"}}}).encode()
    url = reverse("riseup_stripe:webhook")
    assert_clean(client.post(url, data=payload, content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=sign_payload(payload, "whsec_wrong")), "webhook, bad signature")
    good = client.post(url, data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=sign_payload(payload, SETTINGS_WEBHOOK_SECRET))
    assert good.status_code == 200
    assert_clean(good, "webhook, good signature")
