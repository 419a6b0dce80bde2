"""Settings for the test suite (pytest-django)."""

import os
import tempfile

from edx_django_utils.plugins import add_plugins

from .base import *  # noqa: F401,F403

if "sqlite" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    # A file, not memory: the live server thread and the tests must see the same data. A Celery
    # worker started by a test is handed the test's file (RISEUP_TEST_SQLITE_PATH).
    DATABASES["default"]["NAME"] = os.environ.get("RISEUP_TEST_SQLITE_PATH") or os.path.join(  # noqa: F405
        tempfile.gettempdir(), f"riseup-stripe-test-{os.getpid()}.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"]}  # noqa: F405

# Monitoring custom attributes go through edx-django-utils to a backend that keeps them for the tests.
OPENEDX_TELEMETRY = ["sandbox.platform.telemetry.RecordingBackend"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The tests point it at their own emulator (and hand its address to the workers they start).
RISEUP_STRIPE_API_BASE = os.environ.get("RISEUP_TEST_STRIPE_API_BASE") or None
RISEUP_STRIPE_ENABLED = True

# The MFE widgets' browser harness, built by tests/test_mfe_browser.py, served under /harness/.
SANDBOX_HARNESS_DIR = BASE_DIR.parent / "frontend" / "harness" / "dist"  # noqa: F405

add_plugins(__name__, "lms.djangoapp", "test")
