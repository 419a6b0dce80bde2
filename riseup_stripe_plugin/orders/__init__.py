"""
Where an order's life is decided: whether a person can buy a course now (``eligibility``), starting a
purchase (``purchase``), fulfilling it from Stripe's
session (``fulfilment``), and ending it with the access it bought (``access``). The states and their
transitions are in ``riseup_stripe_plugin.states``.
"""
