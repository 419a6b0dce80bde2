"""
Stripe webhooks (dj-stripe's way): ``endpoint`` verifies each call on its raw body and stores the
event once by its id; ``handlers`` holds what each event type does and processes a stored event
idempotently.
"""

from ..orders.fulfilment import order_for_session
from .endpoint import store_event, stripe_webhook
from .handlers import HANDLERS, process_event

__all__ = ["HANDLERS", "order_for_session", "process_event", "store_event", "stripe_webhook"]
