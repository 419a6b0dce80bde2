"""
The webhook intake's baseline: a minimal Django project receiving Stripe webhooks with dj-stripe 2.x.

It runs from its own virtualenv (``benchmarks/.venv-djstripe``, made by :mod:`benchmarks.intake`)
because dj-stripe pins an older stripe-python than the plugin's. Its endpoint is dj-stripe's own
``/stripe/webhook/<uuid>/``: dj-stripe verifies the signature with the endpoint's secret, stores
the trigger and the event, then re-reads the Checkout Session from the API (the same emulator) and
syncs it with what it references, in one transaction.
"""
