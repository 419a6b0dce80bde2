"""
The platform's user retirement, reduced to what plugins see of it.

Like ``openedx.core.djangoapps.user_api.accounts.signals``: the retirement views
send ``USER_RETIRE_LMS_CRITICAL`` and then ``USER_RETIRE_LMS_MISC`` with ``user=``,
after the platform replaced the username and email with retired ones.
"""

from django.dispatch import Signal

USER_RETIRE_LMS_CRITICAL = Signal()
USER_RETIRE_LMS_MISC = Signal()


def retire_user(user):
    """Retire a user as the platform's retirement pipeline does, signals included."""
    user.username = f"retired__user_{user.pk}"
    user.email = f"retired__user_{user.pk}@retired.invalid"
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.save()
    USER_RETIRE_LMS_CRITICAL.send(sender=retire_user, user=user)
    USER_RETIRE_LMS_MISC.send(sender=retire_user, user=user)
