"""The MFE header's "Order history" link, with and without tutor-mfe."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tutor_helpers import (
    LMS_SETTINGS,
    PLUGIN,
    Project,
    order_history_url,
    settings_values,
)

PRODUCTION, DEVELOPMENT = LMS_SETTINGS


def test_order_history_points_at_my_invoices(project: Project) -> None:
    assert (
        order_history_url(project.read(PRODUCTION))
        == "https://lms.example.com/riseup-stripe/invoices/"
    )
    assert (
        order_history_url(project.read(DEVELOPMENT))
        == "http://lms.example.com:8000/riseup-stripe/invoices/"
    )
    # Only the LMS serves the MFE configuration
    assert project.files_containing("ORDER_HISTORY_URL") == set(LMS_SETTINGS)


def test_order_history_follows_enable_https(copy: Project) -> None:
    copy.save("ENABLE_HTTPS=false")
    assert (
        order_history_url(copy.read(PRODUCTION))
        == "http://lms.example.com/riseup-stripe/invoices/"
    )


def test_order_history_link_can_be_turned_off(copy: Project) -> None:
    copy.save("RISEUP_STRIPE_ORDER_HISTORY_LINK=false")
    assert copy.files_containing("ORDER_HISTORY_URL") == set()
    assert settings_values(copy.read(PRODUCTION))["RISEUP_STRIPE_ENABLED"] is True


def test_without_mfe(tmp_path: Path) -> None:
    proj = Project(tmp_path)
    proj.save("LMS_HOST=lms.example.com")
    proj.run("plugins", "disable", "mfe")
    proj.run("plugins", "enable", PLUGIN)
    assert "mfe" not in proj.run("config", "printvalue", "PLUGINS").stdout
    assert proj.files_containing("ORDER_HISTORY_URL") == set()
    assert {
        path for path in proj.files_containing("MFE_CONFIG") if path.startswith("apps/")
    } == set()
    for relpath in LMS_SETTINGS:
        assert settings_values(proj.read(relpath)) == {}
        assert "# riseup-stripe-plugin" in proj.read(relpath)


def test_plugin_loads_without_tutor_mfe_installed() -> None:
    """The plugin module never imports tutormfe."""
    code = textwrap.dedent(
        """
        import importlib.abc, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "tutormfe" or name.startswith("tutormfe."):
                    raise ImportError("tutor-mfe is not installed")
                return None

        sys.meta_path.insert(0, Block())
        import tutor_riseup_stripe.plugin
        assert "tutormfe" not in sys.modules
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
