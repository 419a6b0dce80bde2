"""A stateful Stripe emulator for tests and the demo, built on localstripe.

The real Stripe API cannot be reached from CI, and the plugin needs more than
stock localstripe offers (Checkout Sessions, one-off invoices, credit notes,
promotion codes, signed ``checkout.session.*`` webhooks...). This package adds
those on top of localstripe and serves them on 127.0.0.1 only.

Start it with ``python -m sandbox.stripe_emulator`` or, from tests, with
:class:`sandbox.stripe_emulator.runner.EmulatorProcess`. Importing this package
does not import aiohttp or localstripe, so the runner stays cheap to import.
"""

API_VERSION = "2026-10-28.endive"
DEFAULT_API_KEY = "sk_test_emulator"
