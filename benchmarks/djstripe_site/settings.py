"""Settings of the dj-stripe baseline site; the database and the Stripe address come from the environment."""

import os

SECRET_KEY = "benchmark-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "djstripe",
]
MIDDLEWARE = []
if os.environ.get("BENCH_COUNT_QUERIES") == "1":
    MIDDLEWARE = ["benchmarks.querycount.QueryCountMiddleware"]
ROOT_URLCONF = "benchmarks.djstripe_site.urls"

DATABASES = {"default": {
    "ENGINE": "django.db.backends.mysql",
    "NAME": os.environ.get("BENCH_DJSTRIPE_DB", "riseup_bench_djstripe"),
    "USER": os.environ.get("RISEUP_MYSQL_USER", "root"),
    "PASSWORD": os.environ.get("RISEUP_MYSQL_PASSWORD", ""),
    "HOST": os.environ.get("RISEUP_MYSQL_HOST", "127.0.0.1"),
    "PORT": os.environ.get("RISEUP_MYSQL_PORT", "3306"),
    "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
}}

STRIPE_LIVE_MODE = False
STRIPE_TEST_SECRET_KEY = os.environ.get("BENCH_STRIPE_SECRET_KEY", "sk_test_51BenchmarkEmulator0000000000000000")
STRIPE_API_HOST = os.environ.get("BENCH_STRIPE_API_BASE", "https://api.stripe.com")
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_WEBHOOK_VALIDATION = "verify_signature"
SILENCED_SYSTEM_CHECKS = ["djstripe.I002", "djstripe.W002"]  # the API host is the emulator on purpose

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
