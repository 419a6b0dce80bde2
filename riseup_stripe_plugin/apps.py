"""Registration of the plugin in the LMS and in Studio."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: Where the platform mounts the plugin's URLs, in the LMS and in Studio.
MOUNT_PATH = "riseup-stripe/"
_URLS = {"namespace": "riseup_stripe", "app_name": "riseup_stripe", "regex": rf"^{MOUNT_PATH}"}
_SETTINGS = {
    "common": {"relative_path": "settings.common"},
    "production": {"relative_path": "settings.production"},
    "test": {"relative_path": "settings.test"},
    "devstack": {"relative_path": "settings.common"},
}


class RiseupStripePluginConfig(AppConfig):
    """Paid courses with Stripe Checkout, as an Open edX Django app plugin."""

    name = "riseup_stripe_plugin"
    label = "riseup_stripe_plugin"
    verbose_name = _("Paid courses (Stripe)")
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {
            "lms.djangoapp": {**_URLS, "relative_path": "urls"},
            "cms.djangoapp": {**_URLS, "relative_path": "urls_cms"},
        },
        "settings_config": {
            "lms.djangoapp": _SETTINGS,
            "cms.djangoapp": _SETTINGS,
        },
        "signals_config": {
            "lms.djangoapp": {"relative_path": "receivers", "receivers": []},
            "cms.djangoapp": {"relative_path": "receivers", "receivers": []},
        },
    }

    def ready(self):
        from . import checks, receivers  # noqa: F401  (registers checks and receivers)

        receivers.connect_platform_signals()
