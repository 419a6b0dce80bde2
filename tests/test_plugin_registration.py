"""The plugin is found and configured the way the platform finds and configures plugins."""

import ast
import pathlib
import re
import types

import pytest
from django.core import checks
from django.test import override_settings
from edx_django_utils.plugins import get_plugin_apps, get_plugin_url_patterns

from riseup_stripe_plugin import conf
from riseup_stripe_plugin.settings import common, production

ROOT = pathlib.Path(__file__).resolve().parent.parent
PLATFORM_PREFIXES = ("openedx.", "common.djangoapps", "lms.", "cms.", "xmodule")


def test_entry_points_register_the_app_for_lms_and_studio():
    app = "riseup_stripe_plugin.apps.RiseupStripePluginConfig"
    assert app in get_plugin_apps("lms.djangoapp")
    assert app in get_plugin_apps("cms.djangoapp")


def test_lms_urls_are_mounted_under_riseup_stripe():
    patterns = get_plugin_url_patterns("lms.djangoapp")
    assert any(str(p.pattern) == "^riseup-stripe/" for p in patterns)


def test_filter_steps_are_appended_never_replacing_existing_ones():
    existing_step = "other_plugin.pipeline.Step"
    settings = types.SimpleNamespace(OPEN_EDX_FILTERS_CONFIG={
        "org.openedx.learning.course.enrollment.started.v1": {"fail_silently": True, "pipeline": [existing_step]},
        "org.openedx.learning.student.login.requested.v1": {"fail_silently": False, "pipeline": ["x.Y"]},
    })
    common.plugin_settings(settings)
    common.plugin_settings(settings)  # twice: nothing added twice
    enrollment = settings.OPEN_EDX_FILTERS_CONFIG["org.openedx.learning.course.enrollment.started.v1"]
    assert enrollment["pipeline"] == [existing_step, "riseup_stripe_plugin.filters.PaidCourseEnrollmentGate"]
    assert enrollment["fail_silently"] is False  # the paid-course gate never fails open
    assert settings.OPEN_EDX_FILTERS_CONFIG["org.openedx.learning.student.login.requested.v1"]["pipeline"] == ["x.Y"]


def test_filter_steps_added_when_no_config_exists():
    settings = types.SimpleNamespace()
    common.plugin_settings(settings)
    assert settings.OPEN_EDX_FILTERS_CONFIG[
        "org.openedx.learning.course.enrollment.started.v1"]["fail_silently"] is False


def test_production_settings_read_env_tokens():
    settings = types.SimpleNamespace(ENV_TOKENS={"RISEUP_STRIPE_ENABLED": True, "UNRELATED": 1,
                                                 "RISEUP_STRIPE_DEFAULT_CURRENCY": "usd"})
    production.plugin_settings(settings)
    assert settings.RISEUP_STRIPE_ENABLED is True
    assert settings.RISEUP_STRIPE_DEFAULT_CURRENCY == "usd"
    assert not hasattr(settings, "UNRELATED")


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_platform_code_is_imported_only_in_the_backends_folder():
    offenders = []
    for path in (ROOT / "riseup_stripe_plugin").rglob("*.py"):
        if "backends" in path.parts:
            continue
        offenders += [f"{path.relative_to(ROOT)}: {name}" for name in _imports(path)
                      if name.startswith(PLATFORM_PREFIXES) or name in ("lms", "cms", "openedx", "xmodule")]
    assert offenders == []
    # ...and the real backend does import the platform (lazily), else this test would prove nothing.
    backend = ROOT / "riseup_stripe_plugin/edxapp_wrapper/backends/openedx.py"
    assert any(name.startswith(PLATFORM_PREFIXES) for name in _imports(backend))


def test_real_backend_imports_without_the_platform():
    import riseup_stripe_plugin.edxapp_wrapper.backends.openedx as backend

    assert callable(backend.enroll)


def test_no_global_stripe_api_key_anywhere():
    assignment = re.compile(r"stripe\.api_key\s*=")
    for path in (ROOT / "riseup_stripe_plugin").rglob("*.py"):
        assert not assignment.search(path.read_text()), path


@pytest.fixture
def _db(db):
    return db


def _errors():
    return {e.id for e in checks.run_checks() if e.id and e.id.startswith("riseup_stripe")}


def test_checks_pass_with_the_sandbox_configuration(_db):
    assert _errors() == set()


@override_settings(RISEUP_STRIPE_ENABLED=True, RISEUP_STRIPE_SECRET_KEY="", RISEUP_STRIPE_WEBHOOK_SECRET="")
def test_checks_report_missing_secrets(_db):
    assert {"riseup_stripe.E001", "riseup_stripe.E003"} <= _errors()


@override_settings(RISEUP_STRIPE_ENABLED=True, RISEUP_STRIPE_SECRET_KEY="pk_live_oops",
                   RISEUP_STRIPE_WEBHOOK_SECRET="secret", RISEUP_STRIPE_API_VERSION="latest")
def test_checks_report_malformed_values(_db):
    assert {"riseup_stripe.E002", "riseup_stripe.E004", "riseup_stripe.E005"} <= _errors()


@override_settings(RISEUP_STRIPE_ENABLED=False, RISEUP_STRIPE_SECRET_KEY="")
def test_checks_are_quiet_when_payment_is_off(_db):
    assert _errors() == set()


@override_settings(RISEUP_STRIPE_SECRET_KEY="sk_test_abcdefghijklmnop1234",
                   RISEUP_STRIPE_WEBHOOK_SECRET="whsec_zyxwvut9876")
def test_settings_never_print_secrets(_db):
    text = repr(conf.stripe_settings()) + str(conf.stripe_settings())
    assert "abcdefghijklmnop" not in text and "zyxwvut" not in text
    assert "…1234" in text


@pytest.mark.django_db
def test_migrations_match_the_models():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "riseup_stripe_plugin", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_tutor_plugin_registers_the_webhook_events_the_plugin_handles():
    from tutor_riseup_stripe.plugin import WEBHOOK_EVENTS as tutor_events

    from riseup_stripe_plugin.stripe_gateway import WEBHOOK_EVENTS
    from riseup_stripe_plugin.webhooks import HANDLERS

    assert tuple(tutor_events) == WEBHOOK_EVENTS
    assert set(WEBHOOK_EVENTS) == set(HANDLERS)


@pytest.mark.django_db
def test_checks_report_a_missing_or_failing_open_gate(settings):
    settings.OPEN_EDX_FILTERS_CONFIG = {}
    assert "riseup_stripe.E009" in _errors()
    settings.OPEN_EDX_FILTERS_CONFIG = {"org.openedx.learning.course.enrollment.started.v1": {
        "fail_silently": True, "pipeline": ["riseup_stripe_plugin.filters.PaidCourseEnrollmentGate"]}}
    assert "riseup_stripe.E010" in _errors()


def test_every_setting_tutor_writes_is_one_the_plugin_reads():
    from tutor_riseup_stripe.plugin import LMS_SETTINGS

    from riseup_stripe_plugin import conf

    assert set(LMS_SETTINGS) <= set(conf.DEFAULTS)


def test_tutor_plugin_accepts_the_choices_the_plugin_knows():
    from tutor_riseup_stripe import plugin as tutor_plugin

    from riseup_stripe_plugin.orders import emails

    assert tutor_plugin.WEBHOOK_MODES == conf.WEBHOOK_MODES
    assert tutor_plugin.LEARNER_EMAILS == emails.MODES
    assert tutor_plugin.TAX_MODES == conf.TAX_MODES
    # Tutor leaves the plugin's own defaults in force: they pass Tutor's checks.
    for name in ("WEBHOOK_MODE", "CELERY_QUEUE", "LEARNER_EMAILS", "STOREFRONT_ANONYMOUS_RATE",
                 "PURCHASE_RATE"):
        setting = f"RISEUP_STRIPE_{name}"
        assert tutor_plugin.clean_value({setting: conf.DEFAULTS[setting]}, setting) == conf.DEFAULTS[setting]


@pytest.mark.parametrize("rate", ["10/m", "20/10m", " 100 / h ", "500/d", "1/s", "", "60", "60/w", "m/10",
                                  "20/10", "1.5/m", "-1/m"])
def test_tutor_reads_rates_as_the_rate_limiter_does(rate):
    from tutor import exceptions
    from tutor_riseup_stripe.plugin import clean_value

    from riseup_stripe_plugin.web.ratelimit import parse_rate

    try:
        parse_rate(rate)
        plugin_accepts = True
    except ValueError:
        plugin_accepts = False
    try:
        clean_value({"RISEUP_STRIPE_PURCHASE_RATE": rate}, "RISEUP_STRIPE_PURCHASE_RATE")
        tutor_accepts = True
    except exceptions.TutorError:
        tutor_accepts = False
    assert tutor_accepts == plugin_accepts
