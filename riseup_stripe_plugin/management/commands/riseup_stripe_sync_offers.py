"""
Give every offer for sale its Stripe Product and Price, when saving it could not (Stripe was down).

    ./manage.py lms riseup_stripe_sync_offers [--dry-run]

Saving an offer syncs it; a purchase never does (starting one is one Stripe call), so an offer saved
while Stripe was unreachable is sold at its price inline until this runs. Run it after an outage, or
every few minutes (cron, a Kubernetes CronJob); it is safe to run at any time (idempotency keys).
"""

from django.core.management.base import BaseCommand

from ...catalog.offers import offers_out_of_step, sync_offers


class Command(BaseCommand):
    help = "Create the Stripe Product and Price of every offer for sale that has none in step with its price."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count the offers to sync.")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            self.stdout.write(f"{offers_out_of_step().count()} offer(s) to sync.")
            return
        synced, failed = sync_offers()
        self.stdout.write(self.style.SUCCESS(f"{synced} offer(s) synced.") if not failed else
                          self.style.WARNING(f"{synced} offer(s) synced, {failed} not (Stripe refused or is "
                                             "unreachable; see the log, and run this again)."))
