"""What `tutor plugins enable riseup_stripe` + `tutor config save` render under env/."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from tutor_helpers import (
    CMS_SETTINGS,
    INVOICE_FOOTER,
    LMS_SETTINGS,
    PLUGIN,
    PUBLISHABLE_MARKER,
    SECRET_KEY,
    SECRET_MARKER,
    WEBHOOK_MARKER,
    WEBHOOK_SECRET,
    Project,
    settings_values,
)

DOCKERFILE = "build/openedx/Dockerfile"
PATCHES = sorted(
    path.name
    for path in (
        Path(__file__).parent.parent / "tutor_riseup_stripe" / "patches"
    ).iterdir()
)

# Only what the configured project sets with Tutor; the rest is left to the admin.
EXPECTED_LMS = {
    "RISEUP_STRIPE_ENABLED": True,
    "RISEUP_STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_MARKER,
    "RISEUP_STRIPE_SECRET_KEY": SECRET_KEY,
    "RISEUP_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "RISEUP_STRIPE_DEFAULT_CURRENCY": "eur",
    "RISEUP_STRIPE_TAX_MODE": "stripe_tax",
    "RISEUP_STRIPE_INVOICE_FOOTER": INVOICE_FOOTER,
}
EXPECTED_CMS = {
    key: value
    for key, value in EXPECTED_LMS.items()
    if key != "RISEUP_STRIPE_WEBHOOK_SECRET"
}


def test_plugin_is_installed_and_enabled(project: Project) -> None:
    listing = project.run("plugins", "list").stdout
    line = next(line for line in listing.splitlines() if line.startswith(PLUGIN))
    assert "enabled" in line
    assert "0.1.0" in line


def test_dockerfile_installs_the_pinned_plugin(project: Project) -> None:
    dockerfile = project.read(DOCKERFILE)
    install = "$PIP_COMMAND install riseup-stripe-plugin==0.1.0"
    assert dockerfile.count(install) == 1
    # In the stage that builds the virtualenv, with the other Python requirements
    start = dockerfile.index("FROM python AS python-requirements")
    end = dockerfile.index("FROM python AS nodejs-requirements")
    assert start < dockerfile.index(install) < end
    assert "mnt-riseup-stripe-plugin" not in dockerfile


@pytest.mark.parametrize("relpath", LMS_SETTINGS)
def test_lms_settings(project: Project, relpath: str) -> None:
    source = project.read(relpath)
    compile(source, relpath, "exec")
    assert settings_values(source) == EXPECTED_LMS


@pytest.mark.parametrize("relpath", CMS_SETTINGS)
def test_cms_settings_have_no_webhook_secret(project: Project, relpath: str) -> None:
    source = project.read(relpath)
    compile(source, relpath, "exec")
    assert settings_values(source) == EXPECTED_CMS


def test_secrets_only_in_runtime_settings(project: Project) -> None:
    assert project.files_containing(SECRET_MARKER) == set(LMS_SETTINGS + CMS_SETTINGS)
    assert project.files_containing(WEBHOOK_MARKER) == set(LMS_SETTINGS)
    # Nothing of the plugin's configuration goes into the image build context
    build = {
        path
        for path in project.files_containing("RISEUP_STRIPE")
        if path.startswith("build/")
    }
    assert build == set()
    assert project.files_containing(PUBLISHABLE_MARKER) == set(
        LMS_SETTINGS + CMS_SETTINGS
    )


def test_test_settings_untouched(project: Project) -> None:
    # Unit-test settings of the platform are not the plugin's business
    for relpath in (
        "apps/openedx/settings/lms/test.py",
        "apps/openedx/settings/cms/test.py",
    ):
        assert "RISEUP_STRIPE" not in project.read(relpath)


@pytest.mark.parametrize(
    "key,expected",
    [
        ("RISEUP_STRIPE_VERSION", "0.1.0"),
        ("RISEUP_STRIPE_PLUGIN_VERSION", "0.1.0"),
        ("RISEUP_STRIPE_PIP_SPEC", "riseup-stripe-plugin==0.1.0"),
        ("RISEUP_STRIPE_ENABLED", "true"),
        ("RISEUP_STRIPE_API_VERSION", "null"),
        ("RISEUP_STRIPE_API_BASE", "null"),
        ("RISEUP_STRIPE_TAX_MODE", "stripe_tax"),
        ("RISEUP_STRIPE_CHECKOUT_LIFETIME_MINUTES", "null"),
        ("RISEUP_STRIPE_SECRET_KEY", SECRET_KEY),
        ("RISEUP_STRIPE_ORDER_HISTORY_LINK", "true"),
    ],
)
def test_printvalue(project: Project, key: str, expected: str) -> None:
    assert project.printvalue(key) == expected


def test_patches_show(project: Project) -> None:
    assert PATCHES == [
        "mfe-dockerfile-post-npm-install-catalog",
        "mfe-dockerfile-post-npm-install-learner-dashboard",
        "mfe-env-config-runtime-definitions-catalog",
        "mfe-env-config-runtime-definitions-learner-dashboard",
        "mfe-lms-development-settings",
        "mfe-lms-production-settings",
        "openedx-cms-common-settings",
        "openedx-dockerfile-post-python-requirements",
        "openedx-lms-common-settings",
    ]
    shown = {
        name: project.run("config", "patches", "show", name).stdout for name in PATCHES
    }
    assert (
        "install riseup-stripe-plugin==0.1.0"
        in shown["openedx-dockerfile-post-python-requirements"]
    )
    assert "RISEUP_STRIPE_WEBHOOK_SECRET = " in shown["openedx-lms-common-settings"]
    assert "RISEUP_STRIPE_SECRET_KEY = " in shown["openedx-cms-common-settings"]
    assert "RISEUP_STRIPE_WEBHOOK_SECRET" not in shown["openedx-cms-common-settings"]
    assert (
        "https://lms.example.com/riseup-stripe/invoices/"
        in shown["mfe-lms-production-settings"]
    )
    assert (
        "http://lms.example.com:8000/riseup-stripe/invoices/"
        in shown["mfe-lms-development-settings"]
    )


def test_pip_spec_is_shell_quoted(copy: Project) -> None:
    spec = "riseup-stripe-plugin @ git+https://git.example.com/riseup-stripe-plugin.git@v0.1.0"
    copy.save(f"RISEUP_STRIPE_PIP_SPEC={spec}")
    dockerfile = copy.read(DOCKERFILE)
    line = next(
        line
        for line in dockerfile.splitlines()
        if "$PIP_COMMAND install riseup" in line
        or "$PIP_COMMAND install 'riseup" in line
    )
    assert shlex.split(line) == ["$PIP_COMMAND", "install", spec]


def test_plugin_version_drives_the_default_spec(copy: Project) -> None:
    copy.save("RISEUP_STRIPE_PLUGIN_VERSION=0.2.1")
    assert copy.printvalue("RISEUP_STRIPE_PIP_SPEC") == "riseup-stripe-plugin==0.2.1"
    assert "$PIP_COMMAND install riseup-stripe-plugin==0.2.1" in copy.read(DOCKERFILE)


def test_optional_and_multiline_values(copy: Project) -> None:
    footer = "Ligne 1\nLigne 2 : « TVA »"
    copy.save(
        "RISEUP_STRIPE_API_BASE=http://127.0.0.1:8420",
        "RISEUP_STRIPE_TAX_MODE=fixed_rate",
        "RISEUP_STRIPE_TAX_RATE_ID=txr_123",
        "RISEUP_STRIPE_CHECKOUT_LIFETIME_MINUTES=1440",
        f'RISEUP_STRIPE_INVOICE_FOOTER="{footer}"'.replace("\n", "\\n"),
    )
    values = settings_values(copy.read(LMS_SETTINGS[0]))
    assert values["RISEUP_STRIPE_API_BASE"] == "http://127.0.0.1:8420"
    assert values["RISEUP_STRIPE_TAX_MODE"] == "fixed_rate"
    assert values["RISEUP_STRIPE_TAX_RATE_ID"] == "txr_123"
    assert values["RISEUP_STRIPE_CHECKOUT_LIFETIME_MINUTES"] == 1440
    assert values["RISEUP_STRIPE_INVOICE_FOOTER"] == footer


def test_values_not_set_with_tutor_are_left_to_the_admin(copy: Project) -> None:
    """
    riseup-stripe-plugin lets a Django setting win over the value entered in its
    admin: only what the operator set with Tutor may be written.
    """
    copy.run(
        "config",
        "save",
        *[f"--unset={name}" for name in EXPECTED_LMS],
    )
    for relpath in LMS_SETTINGS + CMS_SETTINGS:
        assert settings_values(copy.read(relpath)) == {}
    # An explicit false or empty value is written, and wins
    copy.save("RISEUP_STRIPE_ENABLED=false", "RISEUP_STRIPE_TAX_RATE_ID=")
    for relpath in LMS_SETTINGS + CMS_SETTINGS:
        assert settings_values(copy.read(relpath)) == {
            "RISEUP_STRIPE_ENABLED": False,
            "RISEUP_STRIPE_TAX_RATE_ID": "",
        }


# Settings the LMS alone uses, with values an operator would set.
LMS_ONLY = {
    "RISEUP_STRIPE_WEBHOOK_MODE": "request",
    "RISEUP_STRIPE_CELERY_QUEUE": "edx.lms.core.high",
    "RISEUP_STRIPE_LEARNER_EMAILS": "stripe",
    "RISEUP_STRIPE_REPORT_TIME_ZONE": "Europe/Paris",
    "RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE": "120/m",
    "RISEUP_STRIPE_PURCHASE_RATE": "5/10m",
    "RISEUP_STRIPE_LOGIN_URL": "https://apps.lms.example.com/authn/login",
}


def test_lms_only_settings_go_to_the_lms(copy: Project) -> None:
    copy.save(*[f"{name}={value}" for name, value in LMS_ONLY.items()])
    for relpath in LMS_SETTINGS:
        assert settings_values(copy.read(relpath)) == {**EXPECTED_LMS, **LMS_ONLY}
    for relpath in CMS_SETTINGS:
        assert settings_values(copy.read(relpath)) == EXPECTED_CMS


def test_empty_values_restore_the_platform_behaviour(copy: Project) -> None:
    """Empty: no rate limit, the site's TIME_ZONE, the platform's login page."""
    empty = (
        "RISEUP_STRIPE_REPORT_TIME_ZONE",
        "RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE",
        "RISEUP_STRIPE_PURCHASE_RATE",
        "RISEUP_STRIPE_LOGIN_URL",
    )
    copy.save(*[f"{name}=" for name in empty], "RISEUP_STRIPE_LEARNER_EMAILS=none")
    for relpath in LMS_SETTINGS:
        values = settings_values(copy.read(relpath))
        assert {name: values[name] for name in empty} == dict.fromkeys(empty, "")
        assert values["RISEUP_STRIPE_LEARNER_EMAILS"] == "none"
    for relpath in CMS_SETTINGS:
        assert settings_values(copy.read(relpath)) == EXPECTED_CMS
