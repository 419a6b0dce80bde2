from django.apps import AppConfig


class SandboxPlatformConfig(AppConfig):
    name = "sandbox.platform"
    label = "sandbox_platform"
    default_auto_field = "django.db.models.BigAutoField"
