"""
Settings of the sandbox LMS: a small Django project standing in for the platform.

The plugin is loaded exactly as the platform loads it: its app through the
``lms.djangoapp`` entry point, its settings through ``add_plugins``.
"""

import os
from pathlib import Path

import django
from edx_django_utils.plugins import add_plugins, get_plugin_apps

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("SANDBOX_DJANGO_SECRET_KEY", "sandbox-only-not-a-secret")
DEBUG = os.environ.get("SANDBOX_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "sandbox.platform",
    *get_plugin_apps("lms.djangoapp"),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crum.CurrentRequestUserMiddleware",
]

ROOT_URLCONF = "sandbox.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]


def database_settings():
    """SQLite by default; MariaDB/MySQL when RISEUP_TEST_DB=mariadb (as production runs on MySQL)."""
    if os.environ.get("RISEUP_TEST_DB", "sqlite") in ("mariadb", "mysql"):
        return {"default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": os.environ.get("RISEUP_MYSQL_NAME", "riseup_stripe"),
            "USER": os.environ.get("RISEUP_MYSQL_USER", "root"),
            "PASSWORD": os.environ.get("RISEUP_MYSQL_PASSWORD", ""),
            "HOST": os.environ.get("RISEUP_MYSQL_HOST", "127.0.0.1"),
            "PORT": os.environ.get("RISEUP_MYSQL_PORT", "3306"),
            "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }}
    # Take the write lock when a transaction begins: concurrent writers (the webhook and the
    # learner's return) then wait for each other instead of failing with "database is locked".
    options = {"timeout": 30}
    engine = "sandbox.sqlite_immediate"
    if django.VERSION >= (5, 1):
        options["transaction_mode"] = "IMMEDIATE"
        engine = "django.db.backends.sqlite3"
    return {"default": {
        "ENGINE": engine,
        "NAME": os.environ.get("SANDBOX_SQLITE_PATH", str(BASE_DIR.parent / "sandbox.sqlite3")),
        "OPTIONS": options,
    }}


DATABASES = database_settings()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
LOGIN_URL = "/login/"
# The platform's messaging stand-in sends through Django's mail: printed on the console (tests collect it).
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "courses@sandbox.example"
LOGIN_REDIRECT_URL = "/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "riseup_stripe_plugin": {"handlers": ["console"], "level": os.environ.get("SANDBOX_LOG_LEVEL", "INFO")},
    },
}

# The plugin, configured for the stand-in platform and the Stripe emulator. Keys come from settings
# (as Tutor provides them); whether payment is on is left to the admin page (the demo seeds it).
RISEUP_STRIPE_PLATFORM_BACKEND = "sandbox.platform.backend"
RISEUP_STRIPE_SECRET_KEY = os.environ.get("RISEUP_STRIPE_SECRET_KEY", "sk_test_emulator_0000000000000000")
RISEUP_STRIPE_PUBLISHABLE_KEY = os.environ.get("RISEUP_STRIPE_PUBLISHABLE_KEY", "pk_test_emulator_000000000000")
RISEUP_STRIPE_WEBHOOK_SECRET = os.environ.get("RISEUP_STRIPE_WEBHOOK_SECRET", "whsec_sandbox_0000000000000000")
RISEUP_STRIPE_API_BASE = os.environ.get("RISEUP_STRIPE_API_BASE") or None
RISEUP_STRIPE_NETWORK_RETRIES = 0
RISEUP_STRIPE_TIMEOUT_SECONDS = 10

OPEN_EDX_FILTERS_CONFIG = {}

add_plugins(__name__, "lms.djangoapp", "common")
