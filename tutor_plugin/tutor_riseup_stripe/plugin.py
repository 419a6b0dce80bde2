"""
Tutor plugin for riseup-stripe-plugin: sell Open edX courses with Stripe Checkout.

Sections: configuration, init tasks, patches, commands.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import typing as t
import zoneinfo
from glob import glob
from importlib import resources

import click
import jinja2
from tutor import config as tutor_config
from tutor import env as tutor_env
from tutor import exceptions, fmt
from tutor import hooks as tutor_hooks
from tutor import plugins as tutor_plugins
from tutor.__about__ import __version_suffix__

from .__about__ import __version__

# Handle version suffix in main mode, just like tutor core
if __version_suffix__:
    __version__ += "-" + __version_suffix__

PACKAGE = "tutor_riseup_stripe"
PREFIX = "RISEUP_STRIPE_"

#: Stripe API version the Django plugin is written against.
DEFAULT_API_VERSION = "2026-10-28.endive"

#: Name of the host folder that ``tutor mounts add`` installs in editable mode.
MOUNT_NAME = "riseup-stripe-plugin"

#: Webhook endpoint of the Django plugin in the LMS ("My invoices" is at
#: /riseup-stripe/invoices/, see the mfe-lms-*-settings patches).
WEBHOOK_PATH = "/riseup-stripe/webhook/"

#: Events the Django plugin subscribes its webhook endpoint to. The management
#: command owns the list; this copy is for the command's help.
WEBHOOK_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "invoice.finalized",
    "invoice.paid",
    "charge.refunded",
    "credit_note.created",
    "credit_note.voided",
    "charge.dispute.created",
    "charge.dispute.closed",
)

TAX_MODES = ("none", "fixed_rate", "stripe_tax")
WEBHOOK_MODES = ("auto", "celery", "request")
LEARNER_EMAILS = ("platform", "stripe", "none")


########################################
# CONFIGURATION
########################################

#: Settings only the LMS uses: Studio receives no webhooks (nor their secret, queue and
#: learner emails), and the storefront, its sign-in links, rate limits and sales
#: dashboard are served by the LMS.
LMS_ONLY_SETTINGS = (
    "RISEUP_STRIPE_WEBHOOK_SECRET",
    "RISEUP_STRIPE_WEBHOOK_MODE",
    "RISEUP_STRIPE_CELERY_QUEUE",
    "RISEUP_STRIPE_LEARNER_EMAILS",
    "RISEUP_STRIPE_REPORT_TIME_ZONE",
    "RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE",
    "RISEUP_STRIPE_PURCHASE_RATE",
    "RISEUP_STRIPE_LOGIN_URL",
)

#: Django settings of riseup-stripe-plugin that Tutor can set, in the order they are
#: written to the settings files.
LMS_SETTINGS = (
    "RISEUP_STRIPE_ENABLED",
    "RISEUP_STRIPE_PUBLISHABLE_KEY",
    "RISEUP_STRIPE_SECRET_KEY",
    "RISEUP_STRIPE_WEBHOOK_SECRET",
    "RISEUP_STRIPE_API_VERSION",
    "RISEUP_STRIPE_API_BASE",
    "RISEUP_STRIPE_DEFAULT_CURRENCY",
    "RISEUP_STRIPE_TAX_MODE",
    "RISEUP_STRIPE_TAX_RATE_ID",
    "RISEUP_STRIPE_CHECKOUT_LIFETIME_MINUTES",
    "RISEUP_STRIPE_INVOICE_FOOTER",
    "RISEUP_STRIPE_ALLOW_REQUESTLESS_ENROLLMENT",
    "RISEUP_STRIPE_REVOKE_ACCESS_ON_DISPUTE",
    "RISEUP_STRIPE_INSTALLATION_ID",
    "RISEUP_STRIPE_EVENT_RETENTION_DAYS",
    "RISEUP_STRIPE_DELETE_CUSTOMER_ON_RETIREMENT",
    *LMS_ONLY_SETTINGS[1:],  # the webhook secret is already listed, above
)
CMS_SETTINGS = tuple(name for name in LMS_SETTINGS if name not in LMS_ONLY_SETTINGS)

config: dict[str, dict[str, t.Any]] = {
    # Every entry is prefixed with RISEUP_STRIPE_ and set with
    # `tutor config save --set RISEUP_STRIPE_<NAME>=<value>`.
    "defaults": {
        "VERSION": __version__,
        # What gets installed in the openedx image
        "PLUGIN_VERSION": "0.1.0",
        "PIP_SPEC": "riseup-stripe-plugin=={{ RISEUP_STRIPE_PLUGIN_VERSION }}",
        # Point the MFE header's "Order history" link at "My invoices"
        "ORDER_HISTORY_LINK": True,
        # Django settings of riseup-stripe-plugin. null means "not set with Tutor":
        # nothing is written, and the plugin uses the value entered in the LMS admin
        # (payment settings), else its own default. A value set here wins over the
        # admin. The two secrets go to the runtime LMS/CMS settings only, never to
        # the image build context.
        **{name[len(PREFIX) :]: None for name in LMS_SETTINGS},
    },
}

tutor_hooks.Filters.CONFIG_DEFAULTS.add_items(
    [(f"{PREFIX}{key}", value) for key, value in config["defaults"].items()]
)


class _InvalidValueError(ValueError):
    """A configuration value that cannot be rendered."""


Validator = t.Callable[[t.Any], t.Any]


def _unless_null(validator: Validator) -> Validator:
    """null (not set with Tutor) passes through unchanged."""

    def check(value: t.Any) -> t.Any:
        return None if value is None else validator(value)

    return check


def _as_bool(value: t.Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _InvalidValueError("expected true or false")


def _as_text(value: t.Any, multiline: bool = False) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _InvalidValueError(
            "expected a string; quote the value so that YAML does not read it"
            f" as a {type(value).__name__}, e.g. --set 'NAME=\"...\"'"
        )
    text = str(value)
    if not multiline and ("\n" in text or "\r" in text):
        raise _InvalidValueError("must fit on one line")
    return text


def _as_multiline_text(value: t.Any) -> str:
    return _as_text(value, multiline=True)


def _as_token(value: t.Any) -> str:
    """Keys, secrets and ids: one word, no whitespace (catches copy-paste errors)."""
    text = _as_text(value)
    if re.search(r"\s", text):
        raise _InvalidValueError("contains whitespace; check for a copy-paste error")
    return text


def _matching(value: t.Any, pattern: str, expected: str) -> str:
    """One line of text matching ``pattern``, else an error saying what was expected."""
    text = _as_text(value)
    if not re.fullmatch(pattern, text):
        raise _InvalidValueError(expected)
    return text


def _as_api_version(value: t.Any) -> str:
    return _matching(
        value,
        r"\d{4}-\d{2}-\d{2}(\.[a-z]+)?",
        f"expected a Stripe API version such as {DEFAULT_API_VERSION}",
    )


def _as_url(value: t.Any) -> str:
    text = _as_text(value)
    if not re.fullmatch(r"https?://[^\s'\"{}]+", text):
        raise _InvalidValueError(
            "expected an http(s) URL; unset it to use the real Stripe API"
        )
    return text


def _as_login_url(value: t.Any) -> str:
    """Empty (the platform's login page) or a URL the plugin can add ``next`` to."""
    text = _as_text(value)
    if text and not re.fullmatch(r"https?://[^\s'\"{}#]+", text):
        raise _InvalidValueError(
            "expected an http(s) URL without #fragment, such as"
            " https://apps.example.com/authn/login, or empty for the LMS's login page"
        )
    return text


def _as_currency(value: t.Any) -> str:
    return _matching(
        value, r"[A-Za-z]{3}", "expected a three-letter ISO currency code such as eur"
    ).lower()


def _one_of(choices: tuple[str, ...]) -> Validator:
    def check(value: t.Any) -> str:
        text = _as_text(value)
        if text not in choices:
            raise _InvalidValueError("expected one of: " + ", ".join(choices))
        return text

    return check


def _as_queue(value: t.Any) -> str:
    return _matching(
        value,
        r"[A-Za-z0-9_.:@-]+",
        "expected a Celery queue name such as edx.lms.core.default",
    )


def _as_time_zone(value: t.Any) -> str:
    """
    Empty (the site's TIME_ZONE) or a zone of the IANA database: checked here, since
    the plugin would otherwise fail only when the sales dashboard is opened.
    """
    text = _as_text(value).strip()
    if text:
        try:
            zoneinfo.ZoneInfo(text)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
            raise _InvalidValueError(
                "expected an IANA time zone such as Europe/Paris, or empty for the"
                " site's TIME_ZONE"
            ) from e
    return text


#: The syntax riseup_stripe_plugin/web/ratelimit.py reads: count / [multiple] unit.
_RATE_PATTERN = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*")


def _as_rate(value: t.Any) -> str:
    """Empty (no limit) or "N/period" as the plugin's rate limiter reads it."""
    text = _as_text(value)
    if not text:
        return text
    match = _RATE_PATTERN.fullmatch(text)
    if not match:
        raise _InvalidValueError(
            "expected a count per period such as 10/m, 20/10m, 100/h or 500/d"
            " (s, m, h, d), or empty for no limit"
        )
    if match[2] and int(match[2]) == 0:
        raise _InvalidValueError("the period cannot be 0; write e.g. 20/m or 20/10m")
    return text


def _as_lifetime(value: t.Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _InvalidValueError("expected a whole number of minutes")
    if not 31 <= value <= 1440:
        raise _InvalidValueError(
            "choose between 31 and 1440 minutes (Stripe takes 30 minutes to 24 hours)"
        )
    return value


def _as_installation_id(value: t.Any) -> str:
    return _matching(
        value,
        r"[A-Za-z0-9_-]{1,40}",
        "expected 1 to 40 letters, digits, - or _ (for example staging)",
    )


def _as_days(value: t.Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _InvalidValueError("expected a whole number of days, 0 or more")
    return value


def _as_pip_spec(value: t.Any) -> str:
    text = _as_text(value).strip()
    if not text:
        raise _InvalidValueError(
            "expected a pip requirement such as riseup-stripe-plugin==0.1.0"
        )
    return text


#: How each setting is checked and converted before it is rendered.
VALIDATORS: dict[str, Validator] = {
    f"{PREFIX}PLUGIN_VERSION": _as_token,
    f"{PREFIX}PIP_SPEC": _as_pip_spec,
    f"{PREFIX}ORDER_HISTORY_LINK": _as_bool,
    f"{PREFIX}ENABLED": _unless_null(_as_bool),
    f"{PREFIX}PUBLISHABLE_KEY": _unless_null(_as_token),
    f"{PREFIX}SECRET_KEY": _unless_null(_as_token),
    f"{PREFIX}WEBHOOK_SECRET": _unless_null(_as_token),
    f"{PREFIX}API_VERSION": _unless_null(_as_api_version),
    f"{PREFIX}API_BASE": _unless_null(_as_url),
    f"{PREFIX}DEFAULT_CURRENCY": _unless_null(_as_currency),
    f"{PREFIX}TAX_MODE": _unless_null(_one_of(TAX_MODES)),
    f"{PREFIX}TAX_RATE_ID": _unless_null(_as_token),
    f"{PREFIX}CHECKOUT_LIFETIME_MINUTES": _unless_null(_as_lifetime),
    f"{PREFIX}INVOICE_FOOTER": _unless_null(_as_multiline_text),
    f"{PREFIX}ALLOW_REQUESTLESS_ENROLLMENT": _unless_null(_as_bool),
    f"{PREFIX}REVOKE_ACCESS_ON_DISPUTE": _unless_null(_as_bool),
    f"{PREFIX}INSTALLATION_ID": _unless_null(_as_installation_id),
    f"{PREFIX}EVENT_RETENTION_DAYS": _unless_null(_as_days),
    f"{PREFIX}DELETE_CUSTOMER_ON_RETIREMENT": _unless_null(_as_bool),
    f"{PREFIX}WEBHOOK_MODE": _unless_null(_one_of(WEBHOOK_MODES)),
    f"{PREFIX}CELERY_QUEUE": _unless_null(_as_queue),
    f"{PREFIX}LEARNER_EMAILS": _unless_null(_one_of(LEARNER_EMAILS)),
    f"{PREFIX}REPORT_TIME_ZONE": _unless_null(_as_time_zone),
    f"{PREFIX}STOREFRONT_ANONYMOUS_RATE": _unless_null(_as_rate),
    f"{PREFIX}PURCHASE_RATE": _unless_null(_as_rate),
    f"{PREFIX}LOGIN_URL": _unless_null(_as_login_url),
}


def clean_value(settings: t.Mapping[str, t.Any], name: str) -> t.Any:
    """
    Return the checked value of a RISEUP_STRIPE_* setting, or raise a TutorError that
    says which setting is wrong and how to fix it.
    """
    try:
        value = settings[name]
    except KeyError as e:
        raise exceptions.TutorError(f"Missing configuration value: {name}") from e
    try:
        return VALIDATORS[name](value)
    except _InvalidValueError as e:
        raise exceptions.TutorError(
            f"Invalid value for {name}: {e}.\n"
            f"Fix it with: tutor config save --set {name}=...  (or --unset {name})"
        ) from e


def django_settings(
    settings: t.Mapping[str, t.Any], names: t.Iterable[str]
) -> list[tuple[str, str]]:
    """(name, Python literal) of the Django settings set with Tutor (not null)."""
    rendered = []
    for name in names:
        value = clean_value(settings, name)
        if value is not None:
            rendered.append((name, python_literal(value)))
    return rendered


def lms_root_url(settings: t.Mapping[str, t.Any], dev: bool = False) -> str:
    """Public root URL of the LMS, as Tutor serves it."""
    host = str(settings["LMS_HOST"])
    if dev:
        return f"http://{host}:8000"
    scheme = "https" if settings.get("ENABLE_HTTPS") else "http"
    return f"{scheme}://{host}"


def python_literal(value: t.Any) -> str:
    """Render a value as a Python literal for a settings file (quotes are escaped)."""
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    raise exceptions.TutorError(f"Cannot render {value!r} in a Python settings file")


@tutor_hooks.Actions.CONFIG_LOADED.add()
def _check_config(settings: dict[str, t.Any]) -> None:
    """
    Refuse invalid values before anything is rendered, and warn about settings that
    are valid one by one but do not work together. Secret values are never printed.
    """
    for name in VALIDATORS:
        clean_value(settings, name)
    for warning in config_warnings(settings):
        if warning not in _printed_warnings:
            _printed_warnings.add(warning)
            fmt.echo_alert(warning)


_printed_warnings: set[str] = set()

# Formats riseup-stripe-plugin's system checks expect
_KEY_FORMATS = {
    "PUBLISHABLE_KEY": (
        r"pk_(test|live)_[A-Za-z0-9_]{8,}",
        "pk_live_... or pk_test_...",
    ),
    "SECRET_KEY": (r"(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}", "sk_... or rk_..."),
    "WEBHOOK_SECRET": (r"whsec_[A-Za-z0-9_]{8,}", "whsec_..."),
}


def config_warnings(settings: t.Mapping[str, t.Any]) -> list[str]:
    """Problems Tutor can see in the values set with Tutor (null ones are unknown)."""

    def get(name: str) -> t.Any:
        return settings.get(PREFIX + name)

    warnings: list[str] = []
    if get("ENABLED") and not get("WEBHOOK_SECRET"):
        warnings.append(
            "RISEUP_STRIPE_ENABLED is true but RISEUP_STRIPE_WEBHOOK_SECRET is not"
            " set: unless it is entered in the LMS admin, riseup-stripe-plugin's"
            " system check stops management commands, the init job included. Run"
            " `tutor local do riseup-stripe-webhook` and store the secret it prints"
            " before turning payments on."
        )
    for name, (pattern, expected) in _KEY_FORMATS.items():
        value = get(name)
        if value and not re.fullmatch(pattern, str(value)):
            warnings.append(
                f"{PREFIX}{name} does not look like a Stripe value ({expected}):"
                " riseup-stripe-plugin's system check will refuse it."
            )
    secret = str(get("SECRET_KEY") or "")
    publishable = str(get("PUBLISHABLE_KEY") or "")
    if secret.startswith("pk_") or publishable.startswith(("sk_", "rk_")):
        warnings.append(
            "RISEUP_STRIPE_SECRET_KEY and RISEUP_STRIPE_PUBLISHABLE_KEY look swapped:"
            " the secret key starts with sk_ (or rk_), the publishable key with pk_."
        )
    elif _stripe_mode(secret) and _stripe_mode(publishable):
        if _stripe_mode(secret) != _stripe_mode(publishable):
            warnings.append(
                "RISEUP_STRIPE_SECRET_KEY and RISEUP_STRIPE_PUBLISHABLE_KEY belong to"
                " different modes (one is test, the other live)."
            )
    if get("TAX_MODE") == "fixed_rate" and not get("TAX_RATE_ID"):
        warnings.append(
            "RISEUP_STRIPE_TAX_MODE is fixed_rate but RISEUP_STRIPE_TAX_RATE_ID is"
            " not set: unless it is entered in the LMS admin, set it to the id"
            " (txr_...) of an inclusive Stripe tax rate."
        )
    api_version = get("API_VERSION")
    if api_version is not None and api_version != DEFAULT_API_VERSION:
        warnings.append(
            f"RISEUP_STRIPE_API_VERSION is {api_version}, but riseup-stripe-plugin"
            f" {get('PLUGIN_VERSION')} is written against {DEFAULT_API_VERSION}."
            " Unset it (tutor config save --unset RISEUP_STRIPE_API_VERSION), then"
            " register the webhook endpoint again."
        )
    return warnings


def _stripe_mode(key: str) -> t.Optional[str]:
    match = re.match(r"(?:sk|pk|rk)_(test|live)_", key)
    return match.group(1) if match else None


@jinja2.pass_context
def _template_django_settings(
    context: jinja2.runtime.Context, service: str
) -> list[tuple[str, str]]:
    """``riseup_stripe_django_settings("lms")``: (name, literal) pairs to write."""
    names = LMS_SETTINGS if service == "lms" else CMS_SETTINGS
    return django_settings(context.get_all(), names)


@jinja2.pass_context
def _template_shell(context: jinja2.runtime.Context, name: str) -> str:
    """``{{ riseup_stripe_shell("RISEUP_STRIPE_X") }}``: checked, shell-quoted."""
    return shlex.quote(str(clean_value(context.get_all(), name)))


@jinja2.pass_context
def _template_lms_url(
    context: jinja2.runtime.Context, path: str, dev: bool = False
) -> str:
    """``{{ riseup_stripe_lms_url("/path/", dev) }}``: Python literal of an LMS URL."""
    return python_literal(lms_root_url(context.get_all(), dev=dev) + path)


def _is_mounted(mounted_directories: t.Iterable[str]) -> bool:
    return MOUNT_NAME in list(mounted_directories)


tutor_hooks.Filters.ENV_TEMPLATE_VARIABLES.add_items(
    [
        ("riseup_stripe_django_settings", _template_django_settings),
        ("riseup_stripe_shell", _template_shell),
        ("riseup_stripe_lms_url", _template_lms_url),
        ("riseup_stripe_is_mounted", _is_mounted),
    ]
)

# Development: `tutor mounts add /path/to/riseup-stripe-plugin` copies the checkout
# into the image at build time (pip install -e /mnt/riseup-stripe-plugin) and
# bind-mounts it at /mnt/riseup-stripe-plugin in the LMS/CMS containers and jobs.
tutor_hooks.Filters.MOUNTED_DIRECTORIES.add_item(("openedx", f"^{MOUNT_NAME}$"))


########################################
# INITIALIZATION TASKS
########################################

# `tutor local|dev|k8s do init --limit=riseup_stripe` runs the LMS task only.
for _service in ("lms",):
    _task_path = str(
        resources.files(PACKAGE)
        / "templates"
        / "riseup_stripe"
        / "tasks"
        / _service
        / "init"
    )
    with open(_task_path, encoding="utf-8") as _task_file:
        tutor_hooks.Filters.CLI_DO_INIT_TASKS.add_item((_service, _task_file.read()))


########################################
# PATCH LOADING
########################################

# One file per patch, named after the Tutor patch it fills. The mfe-* patches are
# rendered by tutor-mfe only when that plugin is enabled: nothing to import here.
for _path in sorted(glob(str(resources.files(PACKAGE) / "patches" / "*"))):
    with open(_path, encoding="utf-8") as _patch_file:
        tutor_hooks.Filters.ENV_PATCHES.add_item(
            (os.path.basename(_path), _patch_file.read())
        )


########################################
# MFE WIDGETS (catalog and learner-dashboard MFEs, with tutor-mfe)
########################################

#: Folder of the storefront widgets' sources in this package: a copy of the
#: repository's frontend/src (`npm --prefix frontend run sync:tutor`). Tutor copies it
#: unrendered into the MFE image build context, and the
#: mfe-dockerfile-post-npm-install-<mfe> patches copy it into the catalog and
#: learner-dashboard builds only. slots.json in it says which widget fills which slot.
MFE_WIDGETS = "riseup-stripe-mfe"
MFE_BUILD_CONTEXT = ("plugins", "mfe", "build", "mfe")


def _read_mfe_slots() -> dict[str, t.Any]:
    path = resources.files(PACKAGE) / "templates" / MFE_WIDGETS / "slots.json"
    data: dict[str, t.Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _js_string(value: str) -> str:
    return json.dumps(value)


def mfe_plugin_slots() -> list[tuple[str, str, str]]:
    """
    (mfe, slot id, plugin config) items for tutor-mfe's PLUGIN_SLOTS, from slots.json: a
    PLUGIN_OPERATIONS.Wrap per wrapped widget (the MFE's default contents, or a theme's
    card) and a PLUGIN_OPERATIONS.Insert for the dashboard's invoice link.
    """
    slots = _read_mfe_slots()
    variable = slots["variable"]
    items: list[tuple[str, str, str]] = []
    for app, spec in slots["apps"].items():
        for entry in spec["slots"]:
            widget = f"{variable}.{entry['widget']}"
            if entry["op"] == "wrap":
                for widget_id in entry["targets"]:
                    config = (
                        "{ op: PLUGIN_OPERATIONS.Wrap, widgetId: "
                        f"{_js_string(widget_id)}, wrapper: {widget} }}"
                    )
                    items.append((app, entry["slot"], config))
            else:
                config = (
                    "{ op: PLUGIN_OPERATIONS.Insert, widget: { id: "
                    f"{_js_string(entry['id'])}, priority: {int(entry['priority'])},"
                    f" type: DIRECT_PLUGIN, RenderWidget: {widget} }} }}"
                )
                items.append((app, entry["slot"], config))
    return items


@tutor_hooks.Filters.IS_FILE_RENDERED.add()
def _copy_mfe_widgets_verbatim(result: bool, path: str) -> bool:
    """The widgets are JavaScript, not templates: they are copied byte for byte."""
    if path.startswith(MFE_WIDGETS + "/"):
        return False
    return result


_mfe_widgets_added = False


def _add_mfe_widgets() -> None:
    """Fill the MFE slots and ship the widget sources; only once tutor-mfe is loaded."""
    global _mfe_widgets_added
    if _mfe_widgets_added:
        return
    _mfe_widgets_added = True
    # tutor-mfe is loaded: it can be imported
    from tutormfe.hooks import PLUGIN_SLOTS  # type: ignore[import-untyped]

    # After the items of other plugins (e.g. a theme that inserts its own card), so that
    # our Wrap operations find the widgets they wrap.
    PLUGIN_SLOTS.add_items(mfe_plugin_slots(), priority=tutor_hooks.priorities.LOW)
    tutor_hooks.Filters.ENV_TEMPLATE_ROOTS.add_item(
        str(resources.files(PACKAGE) / "templates")
    )
    tutor_hooks.Filters.ENV_TEMPLATE_TARGETS.add_item(
        (MFE_WIDGETS, "/".join(MFE_BUILD_CONTEXT))
    )


# Before Tutor forgets this plugin's hooks (priority HIGH), remove the widgets' copy.
@tutor_hooks.Actions.PLUGIN_UNLOADED.add(priority=tutor_hooks.priorities.HIGH - 1)
def _remove_mfe_widgets(plugin: str, root: str, _config: t.Any) -> None:
    if plugin == "riseup_stripe":
        path = os.path.join(tutor_env.base_dir(root), *MFE_BUILD_CONTEXT, MFE_WIDGETS)
        shutil.rmtree(path, ignore_errors=True)


# Tutor loads plugins in alphabetical order: "mfe" is usually loaded before us.
if tutor_plugins.is_loaded("mfe"):
    _add_mfe_widgets()


@tutor_hooks.Actions.PLUGIN_LOADED.add()
def _on_plugin_loaded(name: str) -> None:
    if name == "mfe":
        _add_mfe_widgets()


########################################
# CUSTOM JOBS (a.k.a. "do-commands")
########################################

_URL_PATTERN = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(/[^\s'\"{}\\`$]*)?")

_RESTART = {
    "local": "tutor local restart lms lms-worker",
    "dev": "tutor dev restart lms lms-worker",
    "k8s": "tutor k8s start",
}


def deployment_mode(ctx: t.Optional[click.Context]) -> str:
    """Return "local", "dev" or "k8s": the Tutor command group that runs the job."""
    while ctx is not None:
        if ctx.info_name in _RESTART:
            return ctx.info_name
        ctx = ctx.parent
    return "local"


def webhook_job(
    settings: t.Mapping[str, t.Any], mode: str, url: t.Optional[str]
) -> tuple[str, str]:
    """
    Check what can be checked on the host, and return the (url, script) of the job.
    """
    if not url:
        url = lms_root_url(settings, dev=mode == "dev") + WEBHOOK_PATH
    if not _URL_PATTERN.fullmatch(url):
        raise exceptions.TutorError(
            f"Invalid webhook URL {url!r}: expected http(s)://host/path without"
            " spaces, quotes or braces."
        )
    command = "./manage.py lms riseup_stripe_register_webhook --url " + shlex.quote(url)
    script = (
        f"{command} || {{\n"
        "    echo 'Stripe webhook registration failed (see the message above).' >&2\n"
        "    echo 'The lms job needs outbound HTTPS access to api.stripe.com"
        " (or to RISEUP_STRIPE_API_BASE) and a Stripe secret key"
        " (RISEUP_STRIPE_SECRET_KEY, or the LMS admin).' >&2\n"
        "    exit 1\n"
        "}"
    )
    return url, script


WEBHOOK_HELP = "\n\n".join(
    [
        "Create or update the Stripe webhook endpoint of this LMS.",
        "The job runs in the lms container and needs outbound HTTPS access to"
        " Stripe. It subscribes the endpoint, with riseup-stripe-plugin's Stripe API"
        " version, to:",
        "\b\n" + "\n".join(f"  {event}" for event in WEBHOOK_EVENTS),
        "and, when it creates the endpoint, prints its signing secret (whsec_...):"
        " store it with `tutor config save --set"
        " RISEUP_STRIPE_WEBHOOK_SECRET=whsec_...`, then restart the LMS.",
    ]
)


@click.command(name="riseup-stripe-webhook", help=WEBHOOK_HELP)
@click.option(
    "--url",
    help=(
        "Public URL of the webhook endpoint. Default: the LMS host followed by"
        f" {WEBHOOK_PATH}"
    ),
)
def register_webhook(url: t.Optional[str]) -> t.Iterator[tuple[str, str]]:
    ctx = click.get_current_context()
    mode = deployment_mode(ctx)
    root = getattr(ctx.obj, "root", None)
    if not isinstance(root, str):
        raise exceptions.TutorError("Could not find the Tutor project root")
    settings = tutor_config.load(root)
    url, script = webhook_job(settings, mode, url)
    if not url.startswith("https://"):
        fmt.echo_alert(
            f"{url} is not HTTPS: Stripe delivers live-mode events to HTTPS"
            " endpoints only, and Stripe must be able to reach this address."
        )
    fmt.echo_info(f"Registering the Stripe webhook endpoint {url} ...")
    yield ("lms", script)
    # Reached only when the job succeeded.
    fmt.echo_info(
        "If a signing secret (whsec_...) was printed above, store it and reload the"
        " LMS:\n"
        "    tutor config save --set RISEUP_STRIPE_WEBHOOK_SECRET=whsec_...\n"
        f"    {_RESTART[mode]}\n"
        "An endpoint that already existed keeps its secret (Stripe Dashboard >"
        " Developers > Webhooks)."
    )


tutor_hooks.Filters.CLI_DO_COMMANDS.add_item(register_webhook)


#: What ``--since`` may look like (checked on the host: it goes into a shell script).
_SINCE_PATTERN = re.compile(r"\d+[dhm]|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?")


def reconcile_job(commit: bool, since: t.Optional[str]) -> str:
    """The lms job script of ``riseup-stripe-reconcile``."""
    command = "./manage.py lms riseup_stripe_reconcile"
    if commit:
        command += " --commit"
    if since:
        if not _SINCE_PATTERN.fullmatch(since):
            raise exceptions.TutorError(
                f"Invalid --since {since!r}: expected a duration (4d, 36h, 90m) or a"
                " date (2026-11-01)."
            )
        command += " --since " + shlex.quote(since)
    return (
        f"{command} || {{\n"
        "    echo 'Stripe reconciliation did not complete"
        " (see the message above).' >&2\n"
        "    echo 'It is safe to run again: what was already settled"
        " is not changed twice.' >&2\n"
        "    exit 1\n"
        "}"
    )


RECONCILE_HELP = "\n\n".join(
    [
        "Ask Stripe what happened and bring the LMS's orders, invoices and credit notes"
        " in line (paid orders whose webhook was lost are enrolled, abandoned checkouts"
        " expired, refunds, credit notes and disputes made in Stripe recorded).",
        "Without --commit it only prints what it would change. Safe to run while"
        " webhooks arrive and to run twice. Tutor runs no Celery beat: schedule it"
        " with cron or a Kubernetes CronJob (see the README).",
    ]
)


@click.command(name="riseup-stripe-reconcile", help=RECONCILE_HELP)
@click.option("--commit", is_flag=True, help="Apply the changes (default: dry run).")
@click.option(
    "--since",
    help="Read Stripe's objects created since then: 4d, 36h, 90m or 2026-11-01"
    " (default: 4 days, Stripe's three days of webhook retries plus one).",
)
def reconcile(commit: bool, since: t.Optional[str]) -> t.Iterator[tuple[str, str]]:
    script = reconcile_job(commit, since)
    what = "Reconciling" if commit else "Dry run: comparing"
    fmt.echo_info(f"{what} the LMS's orders with Stripe ...")
    yield ("lms", script)


tutor_hooks.Filters.CLI_DO_COMMANDS.add_item(reconcile)
