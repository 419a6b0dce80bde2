"""
Secrets survive a SECRET_KEY rotation: stored Stripe secrets open with SECRET_KEY_FALLBACKS, are re-encrypted with
the current key at the next save (never during a read), and a system check reports a secret no key opens.
"""

import pytest
from django.urls import reverse

from riseup_stripe_plugin import checks, conf
from riseup_stripe_plugin.configuration.encryption import encrypt, needs_reencryption
from riseup_stripe_plugin.models import PaymentConfiguration

from . import factories

pytestmark = pytest.mark.django_db

OLD_KEY = "the-old-django-secret-key-0000000000000000000000"
NEW_KEY = "the-new-django-secret-key-1111111111111111111111"
SECRET = "sk_test_ROTATIONsecretKEY4242424242"
WEBHOOK = "whsec_ROTATIONsecretHOOK7373737373"


@pytest.fixture
def stored_under_the_old_key(settings):
    for name in ("RISEUP_STRIPE_SECRET_KEY", "RISEUP_STRIPE_WEBHOOK_SECRET"):
        delattr(settings, name)
    settings.SECRET_KEY = OLD_KEY
    row = PaymentConfiguration.objects.create(secret_key_encrypted=encrypt(SECRET),
                                              webhook_secret_encrypted=encrypt(WEBHOOK))
    settings.SECRET_KEY = NEW_KEY
    conf.forget_admin_values()
    return row


def check_ids():
    return [problem.id for problem in checks.check_stored_secrets()]


def test_without_the_old_key_the_secrets_are_lost_and_the_check_says_so(stored_under_the_old_key, settings):
    settings.SECRET_KEY_FALLBACKS = []
    assert conf.stripe_settings().secret_key == ""
    assert check_ids() == ["riseup_stripe.E011", "riseup_stripe.E011"]
    assert all("SECRET_KEY_FALLBACKS" in problem.hint for problem in checks.check_stored_secrets())


def test_the_old_key_in_the_fallbacks_keeps_payment_working(stored_under_the_old_key, settings):
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]
    cfg = conf.stripe_settings()
    assert cfg.secret_key == SECRET and cfg.webhook_secret == WEBHOOK
    assert check_ids() == ["riseup_stripe.W002", "riseup_stripe.W002"]


def test_a_read_changes_nothing_the_next_save_reencrypts_with_the_current_key(
        stored_under_the_old_key, settings, client):
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]
    row = stored_under_the_old_key
    client.force_login(factories.user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:riseup_stripe_plugin_paymentconfiguration_change", args=[row.pk])
    assert client.get(url).status_code == 200
    assert PaymentConfiguration.objects.get().secret_key_encrypted == row.secret_key_encrypted  # a GET writes nothing

    response = client.post(url, {"publishable_key": "pk_test_rotation", "api_version": "", "default_currency": "eur",
                                 "tax_mode": "", "tax_rate_id": "", "invoice_footer": "",
                                 "invoice_custom_fields": "[]", "checkout_lifetime_minutes": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = PaymentConfiguration.objects.get()
    assert saved.secret_key_encrypted != row.secret_key_encrypted
    assert not needs_reencryption(saved.secret_key_encrypted) and not needs_reencryption(
        saved.webhook_secret_encrypted)
    # The old key may now leave the fallbacks.
    settings.SECRET_KEY_FALLBACKS = []
    conf.forget_admin_values()
    cfg = conf.stripe_settings()
    assert cfg.secret_key == SECRET and cfg.webhook_secret == WEBHOOK and check_ids() == []
