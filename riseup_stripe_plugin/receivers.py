"""Signal receivers the plugin connects when its app is ready."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import conf
from . import edxapp_wrapper as platform
from .configuration.encryption import reencrypt
from .local_answers import answers
from .models import CourseOffer, Order, PaymentConfiguration
from .signals import order_fulfilled, order_state_changed
from .states import ACCESS_STATES


@receiver([post_save, post_delete], sender=PaymentConfiguration, dispatch_uid="riseup_stripe_config_changed")
def payment_configuration_changed(**kwargs):
    """Every LMS and Studio process re-reads the payment settings once they change."""
    # After the commit: before it, another process could cache the old values again.
    transaction.on_commit(conf.forget_admin_values)


@receiver([post_save, post_delete], sender=CourseOffer, dispatch_uid="riseup_stripe_offer_changed")
def course_offer_changed(instance, signal=None, **kwargs):
    """
    Every process's enrollment gate asks the database again about a course whose offer changed, and the
    catalog's rows of that course (and its CCXs) take the new terms in the same transaction.
    """
    from .catalog import index, paid_courses

    paid_courses.forget(instance.course_key, using=instance._state.db or "default")
    if signal is post_delete:
        index.offer_deleted(instance)
    else:
        index.offer_saved(instance)


@receiver(order_state_changed, dispatch_uid="riseup_stripe_access_lost")
def order_access_changed(order=None, source=None, target=None, **kwargs):
    """An order that no longer grants access (cancelled, refunded, disputed): no process may still say it does."""
    if source in ACCESS_STATES and target not in ACCESS_STATES:
        answers.changed(using=order._state.db or "default")


@receiver(post_delete, sender=Order, dispatch_uid="riseup_stripe_order_deleted")
def order_deleted(using="default", **kwargs):
    """An order deleted (by hand, or with its learner) took its access with it."""
    answers.changed(using=using)


@receiver(order_fulfilled, dispatch_uid="riseup_stripe_purchase_email")
def purchase_email(order=None, **kwargs):
    """The learner is told by email that the purchase went through (sent after the commit)."""
    from .orders.emails import purchase_confirmed

    if order is not None:
        purchase_confirmed(order)


def course_rerun_completed(course_key):
    """A re-run of a paid course is never free: it inherits its source's offer, off sale."""
    from .catalog.pricing import inherit_offer

    rerun = platform.course_rerun_source(course_key)
    if rerun is not None:
        source_key, actor = rerun
        inherit_offer(course_key, source_key, actor=actor)


def learner_contact_changed(user):
    """A learner's new email or name reaches their Stripe Customer (invoices go there), off the Buy path."""
    from .orders.customers import learner_contact_changed as follow

    follow(user)


def connect_platform_signals():
    """The platform's signals, reached through the boundary (called once, when the app is ready)."""
    from .catalog import index

    platform.connect_course_rerun(course_rerun_completed)
    # The catalog's read model follows the platform's courses (created, published, hidden, deleted).
    platform.connect_course_changed(index.course_saved, index.course_deleted)
    platform.connect_learner_contact_changed(learner_contact_changed)


@receiver(order_state_changed, dispatch_uid="riseup_stripe_order_analytics")
def order_state_changed_analytics(**kwargs):
    """Paid, fulfilled and cancelled orders become tracking-log events."""
    from .orders.analytics import order_state_changed as announce

    announce(**kwargs)


@receiver(pre_save, sender=PaymentConfiguration, dispatch_uid="riseup_stripe_config_reencrypt")
def reencrypt_secrets(instance, **kwargs):
    """After a SECRET_KEY rotation, a save re-encrypts the stored secrets with the current key (never a read)."""
    instance.secret_key_encrypted = reencrypt(instance.secret_key_encrypted)
    instance.webhook_secret_encrypted = reencrypt(instance.webhook_secret_encrypted)


def learner_retired(user=None, **kwargs):
    """The platform retires a user: their personal data leaves the plugin's tables."""
    from .privacy.retirement import retire_learner

    if user is not None:
        retire_learner(user)


for _signal in platform.retirement_signals():
    _signal.connect(learner_retired, dispatch_uid=f"riseup_stripe_retirement_{id(_signal)}")


def course_catalog_changed(catalog_info=None, **kwargs):
    """Studio published a course's catalog information: its Stripe Product takes the name, after the commit."""
    from functools import partial

    from .catalog.offers import rename_product

    if catalog_info is not None:
        transaction.on_commit(partial(rename_product, str(catalog_info.course_key), catalog_info.name))


_catalog_signal = platform.course_catalog_changed_signal()
if _catalog_signal is not None:
    _catalog_signal.connect(course_catalog_changed, dispatch_uid="riseup_stripe_course_catalog_changed")
