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
            id="riseup_stripe.E014",
        ))
    if not 31 <= cfg.checkout_lifetime_minutes <= 24 * 60:
        errors.append(checks.Error(
            "RISEUP_STRIPE_CHECKOUT_LIFETIME_MINUTES must be between 31 and 1440 "
            "(Stripe takes 30 minutes to 24 hours).",
            id="riseup_stripe.E008",
        ))
    return errors


@checks.register()
def check_api_version(app_configs=None, **kwargs):
    """The plugin parses Stripe's objects in the version it is written against: no other may be configured."""
    configured = conf.get("RISEUP_STRIPE_API_VERSION") or conf.PINNED_API_VERSION
    if configured == conf.PINNED_API_VERSION:
        return []
    if not API_VERSION_RE.match(str(configured)):
        return [checks.Error(
            f"RISEUP_STRIPE_API_VERSION {configured!r} is not a Stripe API version.",
            hint=f"Remove it, or use {conf.PINNED_API_VERSION}, the version this plugin is written against.",
            id="riseup_stripe.E005",
        )]
    return [checks.Error(
        f"RISEUP_STRIPE_API_VERSION is {configured}; this plugin is written against {conf.PINNED_API_VERSION} "
        f"and sends that one.",
        hint="Remove the setting (or clear the API version in the payment settings); a new API version comes "
             "with a new release of the plugin.",
        id="riseup_stripe.E012",
    )]


@checks.register()
def check_installation_id(app_configs=None, **kwargs):
    """A forced installation id goes into idempotency keys and metadata: it must be short and plain."""
    from .configuration.installation import ID_RE

    value = conf.get("RISEUP_STRIPE_INSTALLATION_ID")
    if value and not ID_RE.match(str(value)):
        return [checks.Error(
            "RISEUP_STRIPE_INSTALLATION_ID must be 1 to 40 letters, digits, - or _.",
            hint="For example staging; leave it unset to use the id this installation generated.",
            id="riseup_stripe.E013",
        )]
    return []


@checks.register()
def check_rates(app_configs=None, **kwargs):
    """A rate limit that cannot be read would fail every request it guards: say so at start-up."""
    from .web.ratelimit import parse_rate

    errors = []
    for name in ("RISEUP_STRIPE_PURCHASE_RATE", "RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE"):
        try:
            parse_rate(conf.get(name))
        except ValueError:
            errors.append(checks.Error(
                f"{name} is not a rate: {str(conf.get(name))[:40]!r}.",
                hint="Write it as a count per period: 10/m, 20/10m, 100/h, 500/d; empty for no limit.",
                id="riseup_stripe.E016",
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


@checks.register()
def check_stored_secrets(app_configs=None, **kwargs):
    """A stored secret no key opens turns payment off silently: say so at start-up."""
    from django.db import DatabaseError

    from .configuration.encryption import needs_reencryption, readable
    from .models import PaymentConfiguration

    try:
        row = PaymentConfiguration.objects.order_by("pk").first()
    except DatabaseError:  # tables not migrated yet
        return []
    if row is None:
        return []
    stored = {"RISEUP_STRIPE_SECRET_KEY": row.secret_key_encrypted,
              "RISEUP_STRIPE_WEBHOOK_SECRET": row.webhook_secret_encrypted}
    problems = []
    for name, token in stored.items():
        if conf.set_in_django_settings(name):
            continue  # the Django setting wins; the stored copy is not used
        if not readable(token):
            problems.append(checks.Error(
                f"The {name} stored in the payment settings cannot be decrypted: payment is off.",
                hint="SECRET_KEY was changed. Put the previous key in SECRET_KEY_FALLBACKS, or enter the secret "
                     "again in the payment settings.",
                id="riseup_stripe.E011",
            ))
        elif needs_reencryption(token):
            problems.append(checks.Warning(
                f"The {name} stored in the payment settings is encrypted with a key of SECRET_KEY_FALLBACKS.",
                hint="Save the payment settings once to re-encrypt it with the current SECRET_KEY, then the old "
                     "key can leave SECRET_KEY_FALLBACKS.",
                id="riseup_stripe.W002",
            ))
    return problems


@checks.register()
def check_webhook_mode(app_configs=None, **kwargs):
    """The webhook mode is one the plugin knows; "celery" needs a Celery that can queue."""
    from .webhooks.dispatch import celery_app, celery_configured

    mode = conf.get("RISEUP_STRIPE_WEBHOOK_MODE")
    if mode not in conf.WEBHOOK_MODES:
        return [checks.Error(
            f"RISEUP_STRIPE_WEBHOOK_MODE must be one of {', '.join(conf.WEBHOOK_MODES)}, not {mode!r}.",
            hint='"auto" (the default) processes webhooks on the platform\'s Celery workers when it has them.',
            id="riseup_stripe.E015",
        )]
    if mode == "celery" and not celery_configured(celery_app()):
        return [checks.Warning(
            "RISEUP_STRIPE_WEBHOOK_MODE is celery, but the platform's Celery has no broker or runs tasks eagerly: "
            "webhooks are processed in the request, or run on the spot.",
            hint="Configure the platform's Celery broker (Tutor does), or set RISEUP_STRIPE_WEBHOOK_MODE to auto.",
            id="riseup_stripe.W003",
        )]
    return []


@checks.register(checks.Tags.database)
def check_catalog_in_step(app_configs=None, databases=None, **kwargs):
    """
    With ``manage.py check --database default``: the catalog's read model against its sources.

    Reads every course and offer, so only when databases are asked for (never at start-up).
    """
    if not databases or "default" not in databases:
        return []
    from django.db import DatabaseError

    from .catalog import index

    try:
        found = index.drift()
    except DatabaseError:  # not migrated yet: migrate reports that
        return []
    if not found:
        return []
    return [checks.Warning(
        f"The catalog differs from the courses and the offers: {found.summary()}.",
        hint="Run manage.py riseup_stripe_rebuild_catalog (a course or an offer was changed around the ORM).",
        id="riseup_stripe.W004",
    )]
