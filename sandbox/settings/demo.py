"""
Settings for the demo: the sandbox LMS on SQLite with the Stripe emulator.

DEBUG is off, as in production: errors get plain 404/400/500 pages, never Django's technical pages
with URL patterns and tracebacks (``SANDBOX_DEBUG=1`` turns it back on). The demo's runserver still
serves the admin's static files (``--insecure``, see ``sandbox.demo``).
"""

import os

from edx_django_utils.plugins import add_plugins

from .base import *  # noqa: F401,F403

DEBUG = os.environ.get("SANDBOX_DEBUG", "0") == "1"
LMS_ROOT_URL = os.environ.get("SANDBOX_LMS_ROOT_URL", "http://127.0.0.1:8000")
add_plugins(__name__, "lms.djangoapp", "common")
