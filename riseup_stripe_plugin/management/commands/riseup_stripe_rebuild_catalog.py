"""
Bring the catalog's read model (``CatalogCourse``) in line with the platform's courses and the offers.

    ./manage.py lms riseup_stripe_rebuild_catalog [--check]

The table is kept in step by the save and delete of offers and of the platform's courses; a change made
around the ORM (SQL, ``QuerySet.update``, ``bulk_create``, a database restore, courses imported with the
plugin's receivers not installed) is not heard. ``--check`` only reports the difference (exit status 1
when there is one, for a monitoring job); without it, missing rows are added, wrong ones rewritten and
rows of removed courses deleted, in one transaction. Safe to run at any time, and again.
"""

from django.core.management.base import BaseCommand, CommandError

from ...catalog import index


class Command(BaseCommand):
    help = "Rebuild the catalog's read model from the platform's courses and the offers (--check: report only)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Only compare the table with its sources; exit 1 if they differ.")

    def handle(self, *args, check=False, **options):
        if check:
            found = index.drift()
            if found:
                raise CommandError(f"The catalog differs from its sources: {found.summary()}. "
                                   "Run riseup_stripe_rebuild_catalog to repair it.")
            self.stdout.write(self.style.SUCCESS("The catalog is in step with the courses and the offers."))
            return
        done = index.rebuild()
        self.stdout.write(self.style.SUCCESS(
            f"Catalog rebuilt: {done.created} course(s) added, {done.updated} rewritten, {done.deleted} removed."))
