"""
Register (or update) the Stripe webhook endpoint of this LMS.

    ./manage.py lms riseup_stripe_register_webhook --url https://lms.example.com/riseup-stripe/webhook/

Creates the endpoint with the events and API version the plugin expects, or
updates the existing one for that URL. Stripe reveals a signing secret only
when it creates an endpoint: the command prints it once, to be stored as
``RISEUP_STRIPE_WEBHOOK_SECRET``.
"""

from django.core.management.base import BaseCommand, CommandError

from ...exceptions import StripeGatewayError
from ...stripe_gateway import WEBHOOK_EVENTS, StripeGateway


class Command(BaseCommand):
    help = "Register or update the Stripe webhook endpoint for this LMS and print its signing secret."
    # It runs before the webhook secret exists: the checks that ask for that secret must not stop it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="Public URL of /riseup-stripe/webhook/ on the LMS.")

    def handle(self, *args, url, **options):
        if not url.startswith(("https://", "http://")):
            raise CommandError("--url must be an absolute http(s) URL.")
        gateway = StripeGateway()
        try:
            existing = [e for e in gateway.list_webhook_endpoints() if e.get("url") == url]
            if existing:
                endpoint = gateway.update_webhook_endpoint(existing[0]["id"], url)
                self.stdout.write(self.style.SUCCESS(f"Updated webhook endpoint {endpoint['id']} for {url}"))
                self.stdout.write("Its signing secret is unchanged (Stripe shows it only at creation).")
            else:
                endpoint = gateway.create_webhook_endpoint(url)
                self.stdout.write(self.style.SUCCESS(f"Created webhook endpoint {endpoint['id']} for {url}"))
                self.stdout.write("Store this signing secret as RISEUP_STRIPE_WEBHOOK_SECRET:")
                self.stdout.write(endpoint.get("secret", ""))
        except StripeGatewayError as exc:
            raise CommandError(f"{exc.message} ({exc.detail})") from None
        self.stdout.write(f"Events: {', '.join(WEBHOOK_EVENTS)}")
        self.stdout.write(f"API version: {gateway.settings.api_version}")
