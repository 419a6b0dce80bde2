"""
Settings of the benchmark: the sandbox LMS as a production process runs it (DEBUG off, quiet logs),
plus the bare list that serves as the catalog's baseline (``benchmarks.urls``).

The database comes from the sandbox's variables: ``RISEUP_TEST_DB=mariadb`` with ``RISEUP_MYSQL_NAME``,
else SQLite at ``SANDBOX_SQLITE_PATH``.
"""

import os

from edx_django_utils.plugins import add_plugins

from sandbox.settings.base import *  # noqa: F401,F403

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
RISEUP_STRIPE_ENABLED = True
# The load generator starts hundreds of purchases from one address: the purchase rate limit
# (web/ratelimit.py) would refuse them, and it is not what these comparisons measure.
RISEUP_STRIPE_PURCHASE_RATE = ""
# Likewise the anonymous storefront rate: the comparison asks the storefront API many times from one address.
RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE = ""
# The learner's emails are rendered (their cost counts) but go nowhere, not onto the workers' console.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
# The intake comparison says which mode it measures: "request" (verify, store and process in the webhook's
# request, as dj-stripe does) unless it asks for "celery" (with SANDBOX_CELERY_BROKER_URL and workers).
RISEUP_STRIPE_WEBHOOK_MODE = os.environ.get("BENCH_WEBHOOK_MODE", "request")
# Only set when the run measures requests from outside (gunicorn): one response header per request.
if os.environ.get("BENCH_COUNT_QUERIES") == "1":
    MIDDLEWARE = ["benchmarks.querycount.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

add_plugins(__name__, "lms.djangoapp", "common")
