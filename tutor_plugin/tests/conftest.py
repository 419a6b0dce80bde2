"""Fixtures: Tutor project roots in temporary folders (see tutor_helpers)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The helpers module sits next to this file, whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).parent))

from tutor_helpers import (  # noqa: E402
    INVOICE_FOOTER,
    PLUGIN,
    PUBLISHABLE_MARKER,
    SECRET_KEY,
    WEBHOOK_SECRET,
    Project,
)


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """
    tutor-mfe and riseup_stripe enabled, keys set, HTTPS on lms.example.com.
    Tests must not modify it: they use ``project.copy()`` for that.
    """
    proj = Project(tmp_path_factory.mktemp("configured"))
    proj.save(
        "LMS_HOST=lms.example.com", "CMS_HOST=studio.example.com", "ENABLE_HTTPS=true"
    )
    proj.run("plugins", "enable", "mfe", PLUGIN)
    proj.save(
        "RISEUP_STRIPE_ENABLED=true",
        f"RISEUP_STRIPE_PUBLISHABLE_KEY={PUBLISHABLE_MARKER}",
        f"RISEUP_STRIPE_SECRET_KEY={SECRET_KEY}",
        f"RISEUP_STRIPE_WEBHOOK_SECRET={WEBHOOK_SECRET}",
        f"RISEUP_STRIPE_INVOICE_FOOTER={INVOICE_FOOTER}",
        "RISEUP_STRIPE_TAX_MODE=stripe_tax",
        "RISEUP_STRIPE_DEFAULT_CURRENCY=EUR",
    )
    return proj


@pytest.fixture
def copy(project: Project, tmp_path: Path) -> Project:
    """A private copy of the configured project, free to modify."""
    return project.copy(tmp_path)
