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
    "corsheaders",
    "csrf",  # edx-drf-extensions' /csrf/api/v1/token, as the LMS installs it
    "sandbox.platform",
    *get_plugin_apps("lms.djangoapp"),
]

MIDDLEWARE = [
    # As in the LMS: CORS first, the JWT cookies put back together before authentication.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "edx_rest_framework_extensions.auth.jwt.middleware.JwtAuthCookieMiddleware",
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
            # As Tutor sets them (apps/openedx/config/partials/auth.yml): strict mode, utf8mb4, and
            # ATOMIC_REQUESTS (every view in one transaction unless marked non_atomic_requests).
            "ATOMIC_REQUESTS": True,
            "OPTIONS": {"charset": "utf8mb4", "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
                        "isolation_level": "read committed"},
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
        "ATOMIC_REQUESTS": True,  # as on Tutor
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

# The MFEs call the LMS from their own origin with credentials, as tutor-mfe configures the LMS:
# its CORS whitelist and CSRF trusted origins list each MFE origin; the JWT cookie header is allowed.
MFE_ORIGINS = [origin for origin in os.environ.get(
    "SANDBOX_MFE_ORIGINS", "http://apps.local.openedx.io:1998,http://localhost:1998").split(",") if origin]
CORS_ORIGIN_WHITELIST = list(MFE_ORIGINS)
CORS_ALLOW_CREDENTIALS = True
CSRF_TRUSTED_ORIGINS = list(MFE_ORIGINS)


def _cors_headers():
    from corsheaders.defaults import default_headers

    return (*default_headers, "use-jwt-cookie", "content-language")


CORS_ALLOW_HEADERS = _cors_headers()

# The JWT the LMS signs at sign-in (see sandbox.platform.jwt_cookies), verified by edx-drf-extensions.
JWT_ISSUER = "http://127.0.0.1:8000/oauth2"
JWT_AUDIENCE = "sandbox-lms"


def _signing_keys() -> tuple[str, str]:
    """A private RS512 signing JWK and the public JWK set that verifies it (JSON), made once per process."""
    import json

    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = json.loads(RSAAlgorithm.to_jwk(key))
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    private["kid"] = public["kid"] = "sandbox"
    return json.dumps(private), json.dumps({"keys": [public]})


def _jwt_auth():
    private, public = _signing_keys()
    return {
        "JWT_ISSUER": JWT_ISSUER,
        "JWT_AUDIENCE": JWT_AUDIENCE,
        "JWT_SECRET_KEY": SECRET_KEY,
        "JWT_ISSUERS": [{"ISSUER": JWT_ISSUER, "AUDIENCE": JWT_AUDIENCE, "SECRET_KEY": SECRET_KEY}],
        "JWT_SIGNING_ALGORITHM": "RS512",
        "JWT_PRIVATE_SIGNING_JWK": private,
        "JWT_PUBLIC_SIGNING_JWK_SET": public,
        "JWT_DECODE_HANDLER": "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler",
        "JWT_AUTH_COOKIE": "edx-jwt-cookie",
        "JWT_AUTH_COOKIE_HEADER_PAYLOAD": "edx-jwt-cookie-header-payload",
        "JWT_AUTH_COOKIE_SIGNATURE": "edx-jwt-cookie-signature",
        "JWT_AUTH_HEADER_PREFIX": "JWT",
        "JWT_VERIFY_EXPIRATION": True,
        "JWT_LEEWAY": 1,
        "JWT_EXPIRATION": 3600,
        "JWT_PAYLOAD_GET_USERNAME_HANDLER": lambda payload: payload.get("preferred_username"),
    }


JWT_AUTH = _jwt_auth()
# edx-drf-extensions reports to the platform's monitoring (edx-django-utils); the sandbox has none.
OPENEDX_TELEMETRY = []

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

# Celery as Tutor runs it (a Redis broker, workers consuming the LMS queues); none unless asked for.
CELERY_BROKER_URL = os.environ.get("SANDBOX_CELERY_BROKER_URL", "")
# Keys of one test run apart from another's on the same Redis database (test runs share the machine).
if os.environ.get("SANDBOX_CELERY_KEY_PREFIX"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": os.environ["SANDBOX_CELERY_KEY_PREFIX"]}
CELERY_TASK_DEFAULT_QUEUE = "edx.lms.core.default"
CELERY_TASK_ALWAYS_EAGER = False

add_plugins(__name__, "lms.djangoapp", "common")

# Tutor's LMS caches in Redis (django-redis); SANDBOX_CACHE_REDIS_URL does the same here, with Django's own
# Redis backend. The gate's in-memory answers then hear changes on that Redis, as on Tutor.
if os.environ.get("SANDBOX_CACHE_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["SANDBOX_CACHE_REDIS_URL"],
                          "KEY_PREFIX": os.environ.get("SANDBOX_CACHE_KEY_PREFIX", "")}}
if os.environ.get("SANDBOX_BROADCAST_CHANNEL"):
    RISEUP_STRIPE_BROADCAST_CHANNEL = os.environ["SANDBOX_BROADCAST_CHANNEL"]
