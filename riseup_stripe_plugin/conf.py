"""
Every ``RISEUP_STRIPE_*`` setting is read here and nowhere else.

Reading through one module keeps the defaults in one place, lets the system
checks and the admin describe the same values, and keeps secrets from being
passed around as loose strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

#: The Stripe API version the plugin is written against; sent on every call.
PINNED_API_VERSION = "2026-10-28.endive"

TAX_MODES = ("none", "fixed_rate", "stripe_tax")

DEFAULTS = {
    "RISEUP_STRIPE_ENABLED": False,
    "RISEUP_STRIPE_PUBLISHABLE_KEY": "",
    "RISEUP_STRIPE_SECRET_KEY": "",
    "RISEUP_STRIPE_WEBHOOK_SECRET": "",
    "RISEUP_STRIPE_API_VERSION": PINNED_API_VERSION,
    # None talks to Stripe itself; the sandbox points this at its emulator.
    "RISEUP_STRIPE_API_BASE": None,
    "RISEUP_STRIPE_DEFAULT_CURRENCY": "eur",
    "RISEUP_STRIPE_TAX_MODE": "none",
    "RISEUP_STRIPE_TAX_RATE_ID": "",
    "RISEUP_STRIPE_CHECKOUT_LIFETIME_MINUTES": 60,
    "RISEUP_STRIPE_INVOICE_FOOTER": "",
    "RISEUP_STRIPE_NETWORK_RETRIES": 2,
    "RISEUP_STRIPE_TIMEOUT_SECONDS": 20,
    "RISEUP_STRIPE_WEBHOOK_TOLERANCE_SECONDS": 300,
    "RISEUP_STRIPE_PLATFORM_BACKEND": "riseup_stripe_plugin.edxapp_wrapper.backends.openedx",
    # Enrollments made with no request at all (management commands, tasks).
    "RISEUP_STRIPE_ALLOW_REQUESTLESS_ENROLLMENT": True,
    # Where "sign in" sends an anonymous visitor; the platform's own login page.
    "RISEUP_STRIPE_LOGIN_URL": None,
    # While a payment is disputed (chargeback): False keeps the learner's access, True suspends it.
    "RISEUP_STRIPE_REVOKE_ACCESS_ON_DISPUTE": False,
    # Purchases a learner, and an address, may start per period ("20/10m"); empty: no limit.
    "RISEUP_STRIPE_PURCHASE_RATE": "20/10m",
    # Storefront API requests one anonymous address may make per period ("60/m"); empty: no limit.
    "RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE": "60/m",
    # Names this installation in every idempotency key and in the metadata of what it creates at Stripe;
    # None: generated once and stored in the database.
    "RISEUP_STRIPE_INSTALLATION_ID": None,
    # Processed webhook events lose their raw body (personal data) after this many days.
    "RISEUP_STRIPE_EVENT_RETENTION_DAYS": 90,
    # At a learner's retirement: False leaves their Stripe Customer in Stripe (link removed), True deletes it.
    "RISEUP_STRIPE_DELETE_CUSTOMER_ON_RETIREMENT": False,
    # The time zone the sales dashboard counts days, weeks and months in; None: the site's TIME_ZONE.
    "RISEUP_STRIPE_REPORT_TIME_ZONE": None,
    # Where a verified webhook event is processed: "celery" on the platform's workers, "request" in the
    # webhook's own request, "auto" on the workers when the platform's Celery has a broker and is not eager.
    "RISEUP_STRIPE_WEBHOOK_MODE": "auto",
    # The queue webhook tasks go to: the one Tutor's lms-worker consumes (the LMS's default queue).
    "RISEUP_STRIPE_CELERY_QUEUE": "edx.lms.core.default",
    # Who emails the learner after a purchase and a cancellation: "platform" (the plugin, through the
    # platform's messaging, edx-ace), "stripe" (Stripe's own receipt and refund emails, turned on in the
    # Stripe Dashboard; the plugin sends nothing), or "none".
    "RISEUP_STRIPE_LEARNER_EMAILS": "platform",
    # The Redis on which processes announce the changes that make the gate's in-memory answers wrong
    # (offers, orders losing access). None: the Redis of Django's default cache when it is one (Tutor's);
    # "": none, and the gate asks the cache and the database every time.
    "RISEUP_STRIPE_BROADCAST_REDIS_URL": None,
    # The channel of those announcements (installations sharing one Redis may each name their own).
    "RISEUP_STRIPE_BROADCAST_CHANNEL": "riseup_stripe:changes:v1",
}

WEBHOOK_MODES = ("auto", "celery", "request")

#: Settings whose values must never be shown, logged or returned.
SECRET_SETTINGS = ("RISEUP_STRIPE_SECRET_KEY", "RISEUP_STRIPE_WEBHOOK_SECRET", "RISEUP_STRIPE_BROADCAST_REDIS_URL")


#: Settings an administrator may also enter in the admin, and the model field holding each.
ADMIN_FIELDS = {
    "RISEUP_STRIPE_ENABLED": "enabled",
    "RISEUP_STRIPE_PUBLISHABLE_KEY": "publishable_key",
    "RISEUP_STRIPE_SECRET_KEY": "secret_key",
    "RISEUP_STRIPE_WEBHOOK_SECRET": "webhook_secret",
    "RISEUP_STRIPE_API_VERSION": "api_version",
    "RISEUP_STRIPE_DEFAULT_CURRENCY": "default_currency",
    "RISEUP_STRIPE_TAX_MODE": "tax_mode",
    "RISEUP_STRIPE_TAX_RATE_ID": "tax_rate_id",
    "RISEUP_STRIPE_INVOICE_FOOTER": "invoice_footer",
    "RISEUP_STRIPE_CHECKOUT_LIFETIME_MINUTES": "checkout_lifetime_minutes",
}

CACHE_KEY = "riseup_stripe_plugin:payment_configuration:v1"
CACHE_SECONDS = 300


def set_in_django_settings(name: str) -> bool:
    """Whether the operator set this value in Django settings (it then wins over the admin)."""
    return hasattr(settings, name)


def get(name: str):
    """Return one plugin setting: Django settings, else the admin's value, else the default."""
    if name not in DEFAULTS:
        raise KeyError(f"Unknown plugin setting {name}")
    if set_in_django_settings(name):
        return getattr(settings, name)
    field = ADMIN_FIELDS.get(name)
    if field:
        value = admin_value(field)
        if value not in (None, ""):
            return value
    return DEFAULTS[name]


def admin_value(field: str):
    """One value entered in the admin; secrets are decrypted only here, when they are used."""
    if field in SECRET_FIELDS:
        from .configuration.encryption import decrypt

        return decrypt(admin_values().get(field) or "")
    return admin_values().get(field)


#: Admin fields holding secrets: cached encrypted, decrypted only by :func:`admin_value`.
SECRET_FIELDS = ("secret_key", "webhook_secret")


def admin_values() -> dict:
    """
    The values entered in the admin (secrets still encrypted), cached across requests and replicas.

    Read on almost every request (a webhook reads them a dozen times): what the shared cache said is also
    kept in this process's memory until a save of the settings is announced (:mod:`.local_answers`).
    """
    from django.core.cache import cache

    from .local_answers import MAX_AGE, answers

    known, token = answers.lookup(_LOCAL_KEY)
    if known is not None:
        return known
    values = cache.get(CACHE_KEY)
    if values is None:
        values = _read_admin_values()
        cache.set(CACHE_KEY, values, CACHE_SECONDS)
    else:
        answers.keep(_LOCAL_KEY, values, token, MAX_AGE)
    return values


_LOCAL_KEY = ("payment configuration",)


def _read_admin_values() -> dict:
    from django.db import DatabaseError

    from .models import PaymentConfiguration

    try:
        row = PaymentConfiguration.objects.order_by("pk").first()
    except DatabaseError:  # tables not migrated yet (first deploy, management commands)
        return {}
    if row is None:
        return {}
    return {
        "enabled": row.enabled,
        "publishable_key": row.publishable_key,
        "secret_key": row.secret_key_encrypted,
        "webhook_secret": row.webhook_secret_encrypted,
        "api_version": row.api_version,
        "default_currency": row.default_currency,
        "tax_mode": row.tax_mode,
        "tax_rate_id": row.tax_rate_id,
        "invoice_footer": row.invoice_footer,
        "invoice_custom_fields": row.invoice_custom_fields or [],
        "checkout_lifetime_minutes": row.checkout_lifetime_minutes,
    }


def forget_admin_values() -> None:
    """Drop the cached admin values (called once a save of the payment settings has committed), everywhere."""
    from django.core.cache import cache

    from .local_answers import answers

    cache.delete(CACHE_KEY)
    answers.announce()  # after the shared cache's: a process that hears it reads the cache anew


def mask_secret(value: str | None) -> str:
    """What may be shown of a secret: that it is set, and its last 4 characters."""
    if not value:
        return ""
    return f"…{value[-4:]}" if len(value) > 8 else "…"


@dataclass(frozen=True)
class StripeSettings:
    """The Stripe configuration in force, as one immutable value."""

    enabled: bool
    publishable_key: str
    secret_key: str
    webhook_secret: str
    api_version: str
    api_base: str | None
    default_currency: str
    tax_mode: str
    tax_rate_id: str
    checkout_lifetime_minutes: int
    invoice_footer: str
    invoice_custom_fields: tuple
    network_retries: int
    timeout_seconds: int
    webhook_tolerance_seconds: int

    def __repr__(self) -> str:  # never leak secrets through a traceback or a log line
        return (
            f"StripeSettings(enabled={self.enabled}, api_version={self.api_version!r}, "
            f"api_base={self.api_base!r}, secret_key={mask_secret(self.secret_key)!r}, "
            f"webhook_secret={mask_secret(self.webhook_secret)!r})"
        )

    __str__ = __repr__

    @property
    def livemode(self) -> bool:
        return self.secret_key.startswith(("sk_live_", "rk_live_"))


def stripe_settings() -> StripeSettings:
    """Read the Stripe configuration in force now."""
    return StripeSettings(
        enabled=bool(get("RISEUP_STRIPE_ENABLED")),
        publishable_key=get("RISEUP_STRIPE_PUBLISHABLE_KEY") or "",
        secret_key=get("RISEUP_STRIPE_SECRET_KEY") or "",
        webhook_secret=get("RISEUP_STRIPE_WEBHOOK_SECRET") or "",
        # The version the code parses is the one it sends, whatever is configured (the checks refuse another).
        api_version=PINNED_API_VERSION,
        api_base=get("RISEUP_STRIPE_API_BASE") or None,
        default_currency=(get("RISEUP_STRIPE_DEFAULT_CURRENCY") or "eur").lower(),
        tax_mode=get("RISEUP_STRIPE_TAX_MODE") or "none",
        tax_rate_id=get("RISEUP_STRIPE_TAX_RATE_ID") or "",
        checkout_lifetime_minutes=int(get("RISEUP_STRIPE_CHECKOUT_LIFETIME_MINUTES")),
        invoice_footer=get("RISEUP_STRIPE_INVOICE_FOOTER") or "",
        invoice_custom_fields=tuple(
            (str(f.get("name", ""))[:40], str(f.get("value", ""))[:140])
            for f in admin_values().get("invoice_custom_fields", [])[:4] if isinstance(f, dict)
        ),
        network_retries=int(get("RISEUP_STRIPE_NETWORK_RETRIES")),
        timeout_seconds=int(get("RISEUP_STRIPE_TIMEOUT_SECONDS")),
        webhook_tolerance_seconds=int(get("RISEUP_STRIPE_WEBHOOK_TOLERANCE_SECONDS")),
    )


def report_time_zone():
    """The time zone sales are counted in (``RISEUP_STRIPE_REPORT_TIME_ZONE``, else the site's ``TIME_ZONE``)."""
    return ZoneInfo(get("RISEUP_STRIPE_REPORT_TIME_ZONE") or settings.TIME_ZONE or "UTC")
