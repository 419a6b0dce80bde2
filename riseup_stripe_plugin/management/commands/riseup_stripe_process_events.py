"""
Process stored Stripe events again, once what made them fail is fixed.

    ./manage.py lms riseup_stripe_process_events evt_1... evt_2...
    ./manage.py lms riseup_stripe_process_events --needs-attention

Events already processed are left alone (processing is idempotent anyway). The
command ends with an error status when an event still fails, so a scheduler
or an operator sees it.
"""

from django.core.management.base import BaseCommand, CommandError

from ...models import StripeEvent
from ...webhooks.processing import process_again


class Command(BaseCommand):
    help = "Process again stored Stripe events: given by id, or all those that need attention."

    def add_arguments(self, parser):
        parser.add_argument("event_ids", nargs="*", help="Stripe event ids (evt_...).")
        parser.add_argument("--needs-attention", action="store_true",
                            help="Every event marked as needing attention.")

    def handle(self, *args, event_ids, needs_attention, **options):
        if bool(event_ids) == needs_attention:
            raise CommandError("Give event ids or --needs-attention (one of them).")
        if needs_attention:
            events = StripeEvent.objects.filter(needs_attention=True, processed=False)
        else:
            events = StripeEvent.objects.filter(event_id__in=event_ids)
            unknown = sorted(set(event_ids) - set(events.values_list("event_id", flat=True)))
            if unknown:
                raise CommandError(f"No stored event with id {', '.join(unknown)}.")
        runs = process_again(events.order_by("received_at", "pk"))
        failed = 0
        for event_id, run in runs.items():
            if run.ok:
                self.stdout.write(f"{event_id}: {run.outcome}")
            else:
                failed += 1
                self.stdout.write(self.style.ERROR(f"{event_id}: still fails: {run.outcome}"))
        self.stdout.write(f"{len(runs)} event(s), {len(runs) - failed} processed, {failed} still failing.")
        if failed:
            raise CommandError(f"{failed} event(s) still failing.")
