"""Settings for the test suite (pytest-django)."""

import os
import tempfile

from edx_django_utils.plugins import add_plugins

from .base import *  # noqa: F401,F403

if "sqlite" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    # A file, not memory: the live server thread and the tests must see the same data.
    DATABASES["default"]["NAME"] = os.path.join(tempfile.gettempdir(), f"riseup-stripe-test-{os.getpid()}.sqlite3")  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"]}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
RISEUP_STRIPE_API_BASE = None  # the tests point it at their own emulator
RISEUP_STRIPE_ENABLED = True

# The MFE widgets' browser harness, built by tests/test_mfe_browser.py, served under /harness/.
SANDBOX_HARNESS_DIR = BASE_DIR.parent / "frontend" / "harness" / "dist"  # noqa: F405

add_plugins(__name__, "lms.djangoapp", "test")
