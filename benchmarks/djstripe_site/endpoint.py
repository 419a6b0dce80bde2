"""
Register the webhook endpoint dj-stripe verifies events against; prints ``{"uuid": ..., "path": ...}``.

    python -m benchmarks.djstripe_site.endpoint whsec_...   (dj-stripe's virtualenv, its settings)

The endpoint is stored as dj-stripe stores the ones it syncs from Stripe, with the signing secret
the benchmark signs events with; the Stripe account is synced first, as a site set up with dj-stripe
has it (events name their account, which dj-stripe otherwise fetches by id).
"""

import json
import os
import sys

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.djstripe_site.settings")
    django.setup()
    import stripe
    from djstripe.models import Account, WebhookEndpoint
    from djstripe.settings import djstripe_settings

    secret = sys.argv[1]
    api_key = djstripe_settings.get_default_api_key(livemode=False)
    account = Account.sync_from_stripe_data(stripe.Account.retrieve(api_key=api_key), api_key=api_key)
    endpoint = WebhookEndpoint.objects.create(
        id="we_benchmark", livemode=False, url="http://127.0.0.1/stripe/webhook/", secret=secret,
        enabled_events=["checkout.session.completed"], status="enabled", api_version="",
        djstripe_owner_account=account,
    )
    print(json.dumps({"uuid": str(endpoint.djstripe_uuid), "path": f"/stripe/webhook/{endpoint.djstripe_uuid}/"}))


if __name__ == "__main__":
    main()
