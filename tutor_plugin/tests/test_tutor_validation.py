"""Values Tutor refuses to render; warnings about settings that do not fit together."""

from __future__ import annotations

from pathlib import Path

import pytest
from tutor_helpers import (
    LMS_SETTINGS,
    SECRET_MARKER,
    WEBHOOK_MARKER,
    Project,
    assert_clean_failure,
    output,
    settings_values,
)


@pytest.mark.parametrize(
    "setting,message",
    [
        ("RISEUP_STRIPE_TAX_MODE=vat", "expected one of: none, fixed_rate, stripe_tax"),
        ("RISEUP_STRIPE_CHECKOUT_LIFETIME_MINUTES=30", "between 31 and 1440"),
        ("RISEUP_STRIPE_DEFAULT_CURRENCY=euro", "three-letter ISO currency code"),
        ("RISEUP_STRIPE_ENABLED=maybe", "expected true or false"),
        ("RISEUP_STRIPE_API_VERSION=latest", "expected a Stripe API version"),
        ("RISEUP_STRIPE_SECRET_KEY=sk_test_abc def", "contains whitespace"),
        # YAML reads an unquoted "key: value" as a mapping
        ("RISEUP_STRIPE_INVOICE_FOOTER=VAT: FR123", "quote the value"),
        ("RISEUP_STRIPE_API_BASE=localhost:8420", "expected an http(s) URL"),
        ("RISEUP_STRIPE_WEBHOOK_MODE=async", "expected one of: auto, celery, request"),
        ("RISEUP_STRIPE_CELERY_QUEUE=edx lms", "expected a Celery queue name"),
        ("RISEUP_STRIPE_CELERY_QUEUE=", "expected a Celery queue name"),
        (
            "RISEUP_STRIPE_LEARNER_EMAILS=ace",
            "expected one of: platform, stripe, none",
        ),
        ("RISEUP_STRIPE_REPORT_TIME_ZONE=Europe/Pariss", "expected an IANA time zone"),
        ("RISEUP_STRIPE_REPORT_TIME_ZONE=../etc/passwd", "expected an IANA time zone"),
        ("RISEUP_STRIPE_PURCHASE_RATE=20 per minute", "expected a count per period"),
        ("RISEUP_STRIPE_PURCHASE_RATE=20/0m", "the period cannot be 0"),
        ("RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE=60/w", "expected a count per period"),
        ("RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE=60", "expected a count per period"),
        ("RISEUP_STRIPE_LOGIN_URL=/authn/login", "expected an http(s) URL"),
        ("RISEUP_STRIPE_LOGIN_URL=https://a.example.com/#login", "without #fragment"),
    ],
)
def test_invalid_value_is_refused_before_rendering(
    copy: Project, setting: str, message: str
) -> None:
    before = copy.snapshot()
    name = setting.split("=", 1)[0]
    result = copy.save(setting, check=False)
    assert_clean_failure(result, f"Invalid value for {name}", message)
    assert copy.snapshot() == before


def test_quoted_value_is_accepted(copy: Project) -> None:
    """YAML reads an unquoted "VAT: FR123" as a mapping; quoting fixes it."""
    assert copy.save("RISEUP_STRIPE_INVOICE_FOOTER=VAT: FR123", check=False).returncode
    copy.save('RISEUP_STRIPE_INVOICE_FOOTER="VAT: FR123"')
    values = settings_values(copy.read(LMS_SETTINGS[0]))
    assert values["RISEUP_STRIPE_INVOICE_FOOTER"] == "VAT: FR123"


def test_warnings_do_not_print_secrets(copy: Project) -> None:
    result = copy.save(
        "RISEUP_STRIPE_SECRET_KEY=pk_test_swapped",
        "RISEUP_STRIPE_WEBHOOK_SECRET=sk_live_notawebhooksecret",
        "RISEUP_STRIPE_TAX_MODE=fixed_rate",
        "RISEUP_STRIPE_API_VERSION=2025-03-31.basil",
    )
    text = output(result)
    assert "look swapped" in text
    assert "RISEUP_STRIPE_WEBHOOK_SECRET does not look like a Stripe value" in text
    assert "RISEUP_STRIPE_TAX_RATE_ID is not set" in text
    assert "written against 2026-10-28.endive" in text
    for secret in (
        "pk_test_swapped",
        "sk_live_notawebhooksecret",
        SECRET_MARKER,
        WEBHOOK_MARKER,
    ):
        assert secret not in text
    # Warnings go to stderr: printvalue output stays machine-readable
    assert (
        copy.run("config", "printvalue", "RISEUP_STRIPE_TAX_MODE").stdout
        == "fixed_rate\n"
    )


def test_mixed_modes_and_missing_keys_warn(copy: Project) -> None:
    text = output(
        copy.save(
            "RISEUP_STRIPE_SECRET_KEY=sk_live_abc", "RISEUP_STRIPE_WEBHOOK_SECRET="
        )
    )
    assert "different modes" in text
    assert "RISEUP_STRIPE_WEBHOOK_SECRET is not set" in text
    assert "riseup-stripe-webhook" in text


def test_disabled_payments_do_not_warn_about_missing_keys(tmp_path: Path) -> None:
    proj = Project(tmp_path)
    proj.run("plugins", "enable", "riseup_stripe")
    text = output(proj.save())
    assert "RISEUP_STRIPE" not in text
    assert settings_values(proj.read(LMS_SETTINGS[0])) == {}
