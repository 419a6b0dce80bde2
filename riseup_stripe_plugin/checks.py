"""Django system checks: a misconfigured payment setup fails loudly at start-up."""

import re

from django.core import checks

from . import conf
from .configuration.tax import known_inclusive

SECRET_KEY_RE = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$")
WEBHOOK_SECRET_RE = re.compile(r"^whsec_[A-Za-z0-9_]{8,}$")
API_VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")


@checks.register()
def check_stripe_settings(app_configs=None, **kwargs):
    """Report a missing or malformed key, webhook secret or API version when payment is on."""
    cfg = conf.stripe_settings()
    errors = []
    if not cfg.enabled:
        return errors
    if not cfg.secret_key:
        errors.append(checks.Error(
            "RISEUP_STRIPE_SECRET_KEY is empty while RISEUP_STRIPE_ENABLED is true.",
            hint="Set the Stripe secret key (sk_test_... or sk_live_...) or disable payment.",
            id="riseup_stripe.E001",
        ))
    elif not SECRET_KEY_RE.match(cfg.secret_key):
        errors.append(checks.Error(
            "RISEUP_STRIPE_SECRET_KEY does not look like a Stripe secret key.",
            hint="It starts with sk_test_, sk_live_, rk_test_ or rk_live_.",
            id="riseup_stripe.E002",
        ))
    if not cfg.webhook_secret:
        errors.append(checks.Error(
            "RISEUP_STRIPE_WEBHOOK_SECRET is empty while RISEUP_STRIPE_ENABLED is true.",
            hint="Register the webhook endpoint and store its signing secret (whsec_...).",
            id="riseup_stripe.E003",
        ))
    elif not WEBHOOK_SECRET_RE.match(cfg.webhook_secret):
        errors.append(checks.Error(
            "RISEUP_STRIPE_WEBHOOK_SECRET does not look like a webhook signing secret.",
            hint="It starts with whsec_.",
            id="riseup_stripe.E004",
        ))
    if not API_VERSION_RE.match(cfg.api_version or ""):
        errors.append(checks.Error(
            f"RISEUP_STRIPE_API_VERSION {cfg.api_version!r} is not a Stripe API version.",
            hint=f"Use {conf.PINNED_API_VERSION}, the version this plugin is written against.",
            id="riseup_stripe.E005",
        ))
    elif cfg.api_version != conf.PINNED_API_VERSION:
        errors.append(checks.Warning(
            f"RISEUP_STRIPE_API_VERSION is {cfg.api_version}; the plugin is tested with "
            f"{conf.PINNED_API_VERSION}.",
            id="riseup_stripe.W001",
        ))
    if cfg.tax_mode not in conf.TAX_MODES:
        errors.append(checks.Error(
            f"RISEUP_STRIPE_TAX_MODE must be one of {', '.join(conf.TAX_MODES)}.",
            id="riseup_stripe.E006",
        ))
    elif cfg.tax_mode == "fixed_rate" and not cfg.tax_rate_id.startswith("txr_"):
        errors.append(checks.Error(
            "RISEUP_STRIPE_TAX_MODE is fixed_rate but RISEUP_STRIPE_TAX_RATE_ID is not a txr_ id.",
            id="riseup_stripe.E007",
        ))
    elif cfg.tax_mode == "fixed_rate" and known_inclusive(cfg.tax_rate_id) is False:
        # What the settings page learnt from Stripe (cached): a check never calls Stripe itself.
        errors.append(checks.Error(
            f"The tax rate {cfg.tax_rate_id} is not inclusive: Stripe would add it on top of prices shown "
            "tax included.",
            hint="Create an inclusive TaxRate in Stripe and set its id in RISEUP_STRIPE_TAX_RATE_ID.",
            id="riseup_stripe.E011",
        ))
    if not 31 <= cfg.checkout_lifetime_minutes <= 24 * 60:
        errors.append(checks.Error(
            "RISEUP_STRIPE_CHECKOUT_LIFETIME_MINUTES must be between 31 and 1440 "
            "(Stripe takes 30 minutes to 24 hours).",
            id="riseup_stripe.E008",
        ))
    return errors


@checks.register()
def check_enrollment_gate(app_configs=None, **kwargs):
    """The paid-course gate must be in the enrollment pipeline, failing closed (settings can be overwritten)."""
    from django.conf import settings

    from .settings.common import FAIL_CLOSED, GATE_STEP

    entry = (getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None) or {}).get(FAIL_CLOSED[0]) or {}
    pipeline = entry.get("pipeline") or []
    if GATE_STEP not in (pipeline if isinstance(pipeline, list | tuple) else [pipeline]):
        return [checks.Error(
            "The paid-course enrollment gate is missing from OPEN_EDX_FILTERS_CONFIG: anyone could enroll "
            "into a paid course without paying.",
            hint="A later settings file replaced OPEN_EDX_FILTERS_CONFIG; append to it instead.",
            id="riseup_stripe.E009",
        )]
    if entry.get("fail_silently"):
        return [checks.Error(
            "The enrollment filter pipeline has fail_silently=True: an error in the paid-course gate would let "
            "the enrollment through.",
            hint="Set fail_silently to False for org.openedx.learning.course.enrollment.started.v1.",
            id="riseup_stripe.E010",
        )]
    return []
