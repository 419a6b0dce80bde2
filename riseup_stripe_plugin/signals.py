"""Signals other apps may listen to."""

from django.dispatch import Signal

#: Sent once when a paid order enrolled its learner. Arguments: ``order``.
order_fulfilled = Signal()
