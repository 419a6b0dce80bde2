"""Settings for the demo: the sandbox LMS on SQLite with the Stripe emulator."""

from edx_django_utils.plugins import add_plugins

from .base import *  # noqa: F401,F403

DEBUG = True
add_plugins(__name__, "lms.djangoapp", "common")
