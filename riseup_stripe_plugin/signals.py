"""Signals other apps may listen to."""

from django.dispatch import Signal

#: Sent once when a paid order enrolled its learner. Arguments: ``order``.
order_fulfilled = Signal()

#: Sent by every state change of an order, inside its transaction. Arguments: ``order``, ``source``, ``target``.
order_state_changed = Signal()
