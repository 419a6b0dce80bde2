"""
The payment method settings an administrator manages, and the "Test connection" check.

Kept apart from the admin so that the checks can be tested and reused (the
admin, a management command) without rendering a page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from .. import checks, conf
from ..exceptions import StripeGatewayError
from ..stripe_gateway import WEBHOOK_EVENTS, StripeGateway


@dataclass
class ConnectionReport:
    ok: bool
    message: str
    account_id: str = ""
    account_name: str = ""
    livemode: bool = False
    webhook_known: bool = False
    missing_events: tuple = ()


def key_problem(secret_key: str) -> str:
    """Why a secret key cannot be used ('' when its shape is right)."""
    if not secret_key:
        return _("Enter the Stripe secret key before enabling the payment method.")
    if not checks.SECRET_KEY_RE.match(secret_key):
        return _("This is not a Stripe secret key (it starts with sk_test_, sk_live_, rk_test_ or rk_live_).")
    return ""


@sensitive_variables("settings", "secret_key")
def check_connection(webhook_url: str = "", secret_key: str | None = None) -> ConnectionReport:
    """Call Stripe once or twice: which account, which mode, and whether our webhook endpoint is known."""
    settings = conf.stripe_settings()
    if secret_key is not None:
        settings = replace(settings, secret_key=secret_key)
    problem = key_problem(settings.secret_key)
    if problem:
        return ConnectionReport(False, problem)
    gateway = StripeGateway(settings)
    try:
        account = gateway.retrieve_account()
    except StripeGatewayError as exc:
        return ConnectionReport(False, str(exc.message))
    name = ((account.get("settings") or {}).get("dashboard") or {}).get("display_name") or \
        (account.get("business_profile") or {}).get("name") or ""
    report = ConnectionReport(True, "", account_id=account.get("id", ""), account_name=name,
                              livemode=settings.livemode)
    if webhook_url:
        try:
            endpoints = gateway.list_webhook_endpoints()
        except StripeGatewayError as exc:
            endpoints = []
            report.message = str(exc.message)
        for endpoint in endpoints:
            if endpoint.get("url") == webhook_url:
                report.webhook_known = True
                enabled = set(endpoint.get("enabled_events") or [])
                if "*" not in enabled:
                    report.missing_events = tuple(e for e in WEBHOOK_EVENTS if e not in enabled)
    mode = _("live mode") if report.livemode else _("test mode")
    parts = [_("Connected to Stripe account {account} ({name}), {mode}.").format(
        account=report.account_id, name=report.account_name or "—", mode=mode)]
    if webhook_url and report.webhook_known and not report.missing_events:
        parts.append(_("The webhook endpoint {url} is registered.").format(url=webhook_url))
    elif webhook_url and report.webhook_known:
        parts.append(_("The webhook endpoint {url} misses these events: {events}.").format(
            url=webhook_url, events=", ".join(report.missing_events)))
    elif webhook_url:
        parts.append(_("No webhook endpoint is registered for {url}: run riseup_stripe_register_webhook.").format(
            url=webhook_url))
    report.message = " ".join(parts + ([report.message] if report.message else []))
    return report
