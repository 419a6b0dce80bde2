"""
Empty the raw body of processed Stripe events past the retention period (personal data).

    ./manage.py lms riseup_stripe_purge_events [--days N] [--dry-run]

``--days`` defaults to ``RISEUP_STRIPE_EVENT_RETENTION_DAYS`` (90). Events that
need attention (not processed, or failed) are kept whole. Run it daily (cron, a
Kubernetes CronJob): Tutor runs no Celery beat.
"""

from django.core.management.base import BaseCommand, CommandError

from ...privacy.retention import purge_events


class Command(BaseCommand):
    help = "Empty the raw body of processed Stripe events older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="Keep bodies of events received in the last N days (default: the setting).")
        parser.add_argument("--dry-run", action="store_true", help="Only count the events that would be purged.")

    def handle(self, *args, days=None, dry_run=False, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        count = purge_events(days, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{count} event(s) would lose their raw body.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{count} event(s) lost their raw body."))
