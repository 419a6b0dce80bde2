"""The payment method settings page: enable/disable, write-only secrets, precedence, Test connection."""

import pytest
from django.urls import reverse

from riseup_stripe_plugin import conf
from riseup_stripe_plugin.configuration.encryption import decrypt, encrypt
from riseup_stripe_plugin.models import Order, PaymentConfiguration

from . import factories

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "sk_test_emulatorSECRETVALUE9876"
WEBHOOK = "whsec_WEBHOOKSECRETVALUE5432"


@pytest.fixture
def admin_client(client):
    client.force_login(factories.user("root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def from_admin_only(settings, stripe):
    """As if nothing were set in Django settings: the admin page decides."""
    for name in ("RISEUP_STRIPE_ENABLED", "RISEUP_STRIPE_SECRET_KEY", "RISEUP_STRIPE_WEBHOOK_SECRET",
                 "RISEUP_STRIPE_PUBLISHABLE_KEY"):
        if hasattr(settings, name):
            delattr(settings, name)
    return stripe


def _page(admin_client):
    response = admin_client.get(reverse("admin:riseup_stripe_plugin_paymentconfiguration_changelist"), follow=True)
    assert response.status_code == 200
    return response


def _form(row, **changes):
    data = {"publishable_key": row.publishable_key, "api_version": "", "default_currency": "eur",
            "tax_mode": "", "tax_rate_id": "", "invoice_footer": "", "invoice_custom_fields": "[]",
            "checkout_lifetime_minutes": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _post(admin_client, **changes):
    row = PaymentConfiguration.objects.get()
    url = reverse("admin:riseup_stripe_plugin_paymentconfiguration_change", args=[row.pk])
    return admin_client.post(url, _form(row, **changes))


def test_enable_needs_a_valid_key_then_payment_works(admin_client, from_admin_only, client):
    _page(admin_client)
    assert conf.stripe_settings().enabled is False
    # No key: enabling is refused.
    response = _post(admin_client, enabled="on")
    assert response.status_code == 200 and "Enter the Stripe secret key" in response.content.decode()
    assert conf.stripe_settings().enabled is False
    # A key Stripe does not know is refused too (the emulator only knows keys starting sk_test_).
    response = _post(admin_client, enabled="on", secret_key="pk_test_notasecretkey")
    assert "not a Stripe secret key" in response.content.decode()
    # A valid key: saved encrypted, enabled, and the catalogue sells.
    response = _post(admin_client, enabled="on", secret_key=SECRET, webhook_secret=WEBHOOK)
    assert response.status_code == 302
    row = PaymentConfiguration.objects.get()
    assert SECRET not in row.secret_key_encrypted and decrypt(row.secret_key_encrypted) == SECRET
    cfg = conf.stripe_settings()
    assert cfg.enabled and cfg.secret_key == SECRET and cfg.webhook_secret == WEBHOOK


def test_disabling_stops_sales_and_nothing_else_breaks(admin_client, from_admin_only, client):
    PaymentConfiguration.objects.create(enabled=True, secret_key_encrypted=encrypt(SECRET),
                                        webhook_secret_encrypted=encrypt(WEBHOOK))
    conf.forget_admin_values()
    learner = factories.user()
    course, _ = factories.paid_course()
    _post(admin_client)  # "enabled" unticked
    assert conf.stripe_settings().enabled is False
    client.force_login(learner)
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)}))
    assert page.status_code == 200 and "not available for purchase right now" in page.content.decode()
    response = client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)}))
    assert response.status_code == 409 and not Order.objects.exists()
    assert client.get(reverse("riseup_stripe:my_invoices")).status_code == 200


def test_secrets_are_write_only(admin_client, from_admin_only):
    PaymentConfiguration.objects.create(enabled=False, secret_key_encrypted=encrypt(SECRET),
                                        webhook_secret_encrypted=encrypt(WEBHOOK))
    html = _page(admin_client).content.decode()
    assert SECRET not in html and WEBHOOK not in html
    assert "SECRETVALUE" not in html and "WEBHOOKSECRET" not in html
    assert "…9876" in html and "…5432" in html
    # Saving without retyping keeps them.
    _post(admin_client)
    assert decrypt(PaymentConfiguration.objects.get().secret_key_encrypted) == SECRET
    # And they can be removed.
    _post(admin_client, clear_secret_key="on")
    assert PaymentConfiguration.objects.get().secret_key_encrypted == ""


def test_django_settings_win_and_the_page_says_so(admin_client, settings, stripe):
    settings.RISEUP_STRIPE_ENABLED = True
    html = _page(admin_client).content.decode()
    assert "Set by the platform settings (RISEUP_STRIPE_SECRET_KEY)" in html
    assert settings.RISEUP_STRIPE_SECRET_KEY not in html
    _post(admin_client, enabled=None, secret_key="sk_test_ignoredIGNORED000")
    cfg = conf.stripe_settings()
    assert cfg.enabled is True and cfg.secret_key == settings.RISEUP_STRIPE_SECRET_KEY


def test_test_connection_reports_account_mode_and_webhook(admin_client, settings, stripe):
    row_url = _page(admin_client).redirect_chain[-1][0]
    pk = int(row_url.rstrip("/").split("/")[-2])
    test_url = reverse("admin:riseup_stripe_plugin_paymentconfiguration_test", args=[pk])
    response = admin_client.post(test_url, follow=True)
    text = response.content.decode()
    assert "Connected to Stripe account acct_" in text and "test mode" in text
    assert "No webhook endpoint is registered" in text
    stripe.client().v1.webhook_endpoints.create(params={
        "url": "http://testserver/riseup-stripe/webhook/", "enabled_events": ["*"]})
    text = admin_client.post(test_url, follow=True).content.decode()
    assert "The webhook endpoint http://testserver/riseup-stripe/webhook/ is registered." in text


def test_test_connection_with_stripe_down_says_so(admin_client, settings, stripe):
    _page(admin_client)
    stripe.add_fault("/v1/account", status=503)
    pk = PaymentConfiguration.objects.get().pk
    text = admin_client.post(reverse("admin:riseup_stripe_plugin_paymentconfiguration_test", args=[pk]),
                             follow=True).content.decode()
    assert "Stripe cannot be reached" in text


def test_test_connection_with_a_refused_key(admin_client, settings, stripe):
    settings.RISEUP_STRIPE_SECRET_KEY = "sk_live_revokedKEY00000000"
    stripe.add_fault("/v1/account", status=401)
    _page(admin_client)
    pk = PaymentConfiguration.objects.get().pk
    text = admin_client.post(reverse("admin:riseup_stripe_plugin_paymentconfiguration_test", args=[pk]),
                             follow=True).content.decode()
    assert "Stripe refused the plugin&#x27;s API key" in text or "Stripe refused the plugin's API key" in text
    assert "revokedKEY" not in text


# --- fixed_rate needs an inclusive TaxRate ----------------------------------------------------------------

def _tax_rate(stripe, inclusive):
    return stripe.client().v1.tax_rates.create(params={
        "display_name": "TVA", "percentage": "20", "inclusive": inclusive, "country": "FR"}).id


def _tax_rate_calls(stripe):
    return [r for r in stripe.requests() if r["method"] == "GET" and r["path"].startswith("/v1/tax_rates/")]


def test_an_exclusive_fixed_tax_rate_is_refused_and_reported_by_the_check(admin_client, settings, stripe,
                                                                       monkeypatch):
    from django.db import transaction

    from riseup_stripe_plugin import checks
    from riseup_stripe_plugin.stripe_gateway import StripeGateway

    exclusive, inclusive = _tax_rate(stripe, False), _tax_rate(stripe, True)
    held = []
    retrieve = StripeGateway.retrieve_tax_rate

    def spy(gateway, rate_id):
        held.append(transaction.get_connection().in_atomic_block)
        return retrieve(gateway, rate_id)

    monkeypatch.setattr(StripeGateway, "retrieve_tax_rate", spy)
    _page(admin_client)
    stripe.clear_requests()
    response = _post(admin_client, tax_mode="fixed_rate", tax_rate_id=exclusive)
    assert response.status_code == 200
    assert f"The tax rate {exclusive} is not inclusive" in response.content.decode()
    assert PaymentConfiguration.objects.get().tax_rate_id == ""
    assert held == [False]  # asked outside any transaction
    assert len(_tax_rate_calls(stripe)) == 1

    # The system check knows what the page learnt, and never calls Stripe itself.
    settings.RISEUP_STRIPE_TAX_MODE, settings.RISEUP_STRIPE_TAX_RATE_ID = "fixed_rate", exclusive
    stripe.clear_requests()
    assert "riseup_stripe.E014" in [e.id for e in checks.check_stripe_settings()]
    settings.RISEUP_STRIPE_TAX_RATE_ID = _tax_rate(stripe, False)  # never checked here: nothing to report
    assert "riseup_stripe.E014" not in [e.id for e in checks.check_stripe_settings()]
    assert _tax_rate_calls(stripe) == []
    del settings.RISEUP_STRIPE_TAX_MODE, settings.RISEUP_STRIPE_TAX_RATE_ID

    response = _post(admin_client, tax_mode="fixed_rate", tax_rate_id=inclusive)
    assert response.status_code == 302
    assert PaymentConfiguration.objects.get().tax_rate_id == inclusive
    settings.RISEUP_STRIPE_TAX_MODE, settings.RISEUP_STRIPE_TAX_RATE_ID = "fixed_rate", inclusive
    assert "riseup_stripe.E014" not in [e.id for e in checks.check_stripe_settings()]


def test_an_unknown_tax_rate_is_refused_with_stripes_reason(admin_client, stripe):
    _page(admin_client)
    response = _post(admin_client, tax_mode="fixed_rate", tax_rate_id="txr_doesnotexist")
    assert response.status_code == 200 and "Stripe could not confirm the tax rate txr_doesnotexist" in \
        response.content.decode()
