"""
Ask Stripe what happened and bring the local orders, invoices and credit notes in line.

    ./manage.py lms riseup_stripe_reconcile [--commit] [--since 4d|36h|2026-11-01] [--no-progress]

A dry run by default: it prints what it would change. ``--commit`` applies it.
Orders under way (open, paid but not enrolled, disputed) are re-read whatever
their age; Stripe's sessions, invoices, credit notes, refunds and disputes are
read back to ``--since`` (default: 4 days, Stripe's three days of webhook retries
plus one). Safe while webhooks arrive, and to run twice. Run it daily (cron, a
Kubernetes CronJob, ``tutor local do riseup-stripe-reconcile``): Tutor runs no Celery beat.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ...orders.reconciliation import DEFAULT_SINCE, ReconciliationAborted, Report, reconcile

_DURATION = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``4d``, ``36h``, ``90m``, or a date or datetime (ISO 8601, UTC unless it says otherwise)."""
    now = now or timezone.now()
    text = (value or "").strip()
    match = _DURATION.match(text)
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text) if text else None
        moment = datetime(day.year, day.month, day.day) if day else None
    if moment is None:
        raise ValueError(f"--since {value!r}: expected a duration (4d, 36h, 90m) or a date (2026-11-01)")
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    if moment > now:
        raise ValueError(f"--since {value!r} is in the future")
    return moment


class ProgressBar:
    """One line per list on the error stream, redrawn in place on a terminal; quiet on short runs."""

    WIDTH = 30

    def __init__(self, stream, *, enabled: bool):
        self.stream = stream
        self.enabled = enabled
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self._last = (None, 0)

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if not self.enabled or not done:
            return
        finished = total is not None and done >= total
        if not self.tty and not finished and done % 100:
            return  # a log file gets one line per hundred objects and one at the end
        if finished and self._last == (label, done):
            return
        self._last = (label, done)
        if total:
            filled = int(self.WIDTH * done / total)
            bar = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}"
        else:
            bar = f"{done} read"
        end = "\n" if finished or not self.tty else ""
        start = "\r" if self.tty else ""
        self.stream.write(f"{start}{label:>15}: {bar}{end}", ending="")
        self.stream.flush()


class Command(BaseCommand):
    help = "Compare Stripe with the local orders and invoices; --commit to settle the differences."

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true",
                            help="Apply the changes (without it, only print what would change).")
        parser.add_argument("--since", default=None,
                            help=f"Read Stripe's objects created since then: a duration (4d, 36h) or a date "
                                 f"(default: {DEFAULT_SINCE.days} days, Stripe's retry window plus one day).")
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bar.")

    def handle(self, *args, commit=False, since=None, no_progress=False, **options):
        try:
            moment = parse_since(since) if since else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        progress = ProgressBar(self.stderr, enabled=not no_progress)
        try:
            report = reconcile(since=moment, commit=commit, progress=progress)
        except ReconciliationAborted as exc:
            self.print_changes(exc.report)
            raise CommandError(
                f"Stripe could not be asked ({exc}); nothing more was changed. "
                "Changes listed above as applied are kept; run the command again once Stripe answers."
            ) from exc
        self.print_changes(report)
        self.print_summary(report)
        if report.failed:
            raise CommandError(f"{len(report.failed)} change(s) could not be applied (see above).")

    def print_changes(self, report: Report) -> None:
        for change in report.changes:
            if not report.commit:
                self.stdout.write(f"would {change}")
            elif change.error:
                self.stdout.write(self.style.ERROR(f"FAILED {change} ({change.error})"))
            elif change.outcome:
                self.stdout.write(f"applied {change} -> {change.outcome}")

    def print_summary(self, report: Report) -> None:
        checked = ", ".join(f"{count} {label}" for label, count in report.checked.items()) or "nothing"
        since = report.since.strftime("%Y-%m-%d %H:%M UTC") if report.since else "the beginning"
        self.stdout.write(f"Checked {checked} (Stripe objects since {since}).")
        if report.foreign:
            self.stdout.write(f"Skipped {report.foreign} object(s) of another installation.")
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(report.by_kind().items()))
        if not report.changes:
            self.stdout.write(self.style.SUCCESS("Nothing to change: the local books agree with Stripe."))
        elif not report.commit:
            self.stdout.write(f"{len(report.changes)} change(s) would be made ({kinds}). "
                              "Run again with --commit to apply them.")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{len(report.applied)} change(s) applied, {len(report.failed)} failed ({kinds})."))
