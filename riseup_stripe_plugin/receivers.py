"""Signal receivers the plugin connects when its app is ready."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import conf
from . import edxapp_wrapper as platform
from .models import PaymentConfiguration


@receiver([post_save, post_delete], sender=PaymentConfiguration, dispatch_uid="riseup_stripe_config_changed")
def payment_configuration_changed(**kwargs):
    """Every LMS and Studio process re-reads the payment settings once they change."""
    # After the commit: before it, another process could cache the old values again.
    transaction.on_commit(conf.forget_admin_values)


def course_rerun_completed(course_key):
    """A re-run of a paid course is never free: it inherits its source's offer, off sale."""
    from .catalog.pricing import inherit_offer

    rerun = platform.course_rerun_source(course_key)
    if rerun is not None:
        source_key, actor = rerun
        inherit_offer(course_key, source_key, actor=actor)


def connect_platform_signals():
    """The platform's signals, reached through the boundary (called once, when the app is ready)."""
    platform.connect_course_rerun(course_rerun_completed)
