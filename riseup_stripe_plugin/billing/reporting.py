"""
Sales figures: what the invoices and credit notes add up to, per period, course, scope, code and country.

Every figure is an aggregate computed by the database (a dozen queries, whatever the
number of invoices), never a loop over rows. Amounts stay in integer minor units and
one currency each: figures in different currencies are never added together.

*Invoiced* is the total of the paid invoices (paid, partially refunded or cancelled
since) by the date Stripe issued them; *credited* is the total of their live credit
notes (voided ones left out) by the date each was issued; *net* is the difference.
Days, weeks (from Monday) and months are those of :func:`conf.report_time_zone`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DateField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf, Trunc

from .. import conf
from ..models import BackOfficeEnrollment, CreditNote, Invoice, InvoiceStatus

GRANULARITIES = ("day", "week", "month")
#: Invoices that were paid: the sales. Drafts, open, void and uncollectible invoices sold nothing.
COUNTED = (InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED, InvoiceStatus.CANCELLED)
#: The scope shown for orders made before the learner's scope was recorded on them.
UNKNOWN_SCOPE = "unknown"
#: At most this many points in one chart (a year of days).
MAX_BUCKETS = 400


class ReportError(ValueError):
    """A period the dashboard cannot show (end before start, too many points)."""


@dataclass(frozen=True)
class Filters:
    """What the figures cover: local days ``start`` to ``end`` included, one course or all, one currency or all."""

    start: date
    end: date
    granularity: str = "day"
    course_key: object = None
    currency: str = ""

    def __post_init__(self):
        if self.granularity not in GRANULARITIES:
            raise ReportError(f"unknown granularity {self.granularity!r}")
        if self.end < self.start:
            raise ReportError("the period ends before it starts")
        if len(buckets(self.start, self.end, self.granularity)) > MAX_BUCKETS:
            raise ReportError("too many points for one chart")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        """The period of the same length just before this one."""
        return Filters(self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.granularity,
                       self.course_key, self.currency)


def bucket_of(day: date, granularity: str) -> date:
    """The first day of the day, week (Monday) or month ``day`` falls in."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def buckets(start: date, end: date, granularity: str) -> list[date]:
    """Every bucket from the one holding ``start`` to the one holding ``end``, in order."""
    found, day = [], bucket_of(start, granularity)
    while day <= end:
        found.append(day)
        if len(found) > MAX_BUCKETS:
            break
        if granularity == "month":
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            day += timedelta(days=7 if granularity == "week" else 1)
    return found


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants the local days ``start`` .. ``end`` cover: [start 00:00, day after end 00:00)."""
    zone = conf.report_time_zone()
    return (datetime.combine(start, time.min, tzinfo=zone),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone))


def _invoices(filters: Filters, start: date | None = None):
    low, high = bounds(start or filters.start, filters.end)
    query = Invoice.objects.filter(status__in=COUNTED, issued_at__gte=low, issued_at__lt=high)
    if filters.course_key:
        query = query.filter(course_key=filters.course_key)
    if filters.currency:
        query = query.filter(currency=filters.currency)
    return query.order_by()


def _credit_notes(filters: Filters, start: date | None = None):
    low, high = bounds(start or filters.start, filters.end)
    query = CreditNote.objects.filter(voided_at__isnull=True, invoice__status__in=COUNTED,
                                      issued_at__gte=low, issued_at__lt=high)
    if filters.course_key:
        query = query.filter(invoice__course_key=filters.course_key)
    if filters.currency:
        query = query.filter(currency=filters.currency)
    return query.order_by()


def _trunc(name: str, granularity: str):
    return Trunc(name, granularity, output_field=DateField(), tzinfo=conf.report_time_zone())


# -- revenue over time -------------------------------------------------------------------------

@dataclass
class Amounts:
    """What one currency adds up to somewhere: invoices and their credit notes, with the tax in each."""

    purchases: int = 0
    invoiced: int = 0
    credited: int = 0
    tax_invoiced: int = 0
    tax_credited: int = 0
    credit_notes: int = 0

    @property
    def net(self) -> int:
        return self.invoiced - self.credited

    @property
    def tax(self) -> int:
        return self.tax_invoiced - self.tax_credited

    def add_invoices(self, row: dict) -> None:
        self.purchases += row["count"]
        self.invoiced += row["amount"] or 0
        self.tax_invoiced += row["tax"] or 0

    def add_credit_notes(self, row: dict) -> None:
        self.credit_notes += row["count"]
        self.credited += row["amount"] or 0
        self.tax_credited += row["tax"] or 0


@dataclass
class Series:
    """One currency over the chosen period, bucket by bucket, with the previous period beside it."""

    currency: str
    points: list[tuple[date, Amounts]]
    previous_points: list[tuple[date, Amounts]]

    @property
    def total(self) -> Amounts:
        return _summed(amounts for _day, amounts in self.points)

    @property
    def previous_total(self) -> Amounts:
        return _summed(amounts for _day, amounts in self.previous_points)


def _summed(items) -> Amounts:
    total = Amounts()
    for item in items:
        for name in ("purchases", "invoiced", "credited", "tax_invoiced", "tax_credited", "credit_notes"):
            setattr(total, name, getattr(total, name) + getattr(item, name))
    return total


def revenue_series(filters: Filters) -> list[Series]:
    """Net revenue and tax per bucket and currency, for the period and the one before (two queries)."""
    previous = filters.previous()
    current_keys = buckets(filters.start, filters.end, filters.granularity)
    previous_keys = buckets(previous.start, previous.end, filters.granularity)
    table: dict[str, dict[date, Amounts]] = {}

    def cell(currency, day):
        return table.setdefault(currency, {}).setdefault(day, Amounts())

    # One query per table over both periods, by local day: a week or month straddling the two periods
    # is then split by the period each day falls in (at most a few hundred rows per currency).
    for row in (_invoices(filters, previous.start).annotate(day=_trunc("issued_at", "day"))
                .values("currency", "day").annotate(count=Count("id"), amount=Sum("total"), tax=Sum("tax"))):
        cell(row["currency"], row["day"]).add_invoices(row)
    for row in (_credit_notes(filters, previous.start).annotate(day=_trunc("issued_at", "day"))
                .values("currency", "day").annotate(count=Count("id"), amount=Sum("amount"), tax=Sum("tax"))):
        cell(row["currency"], row["day"]).add_credit_notes(row)

    series = []
    for currency in sorted(table):
        days = table[currency]

        def points(period: Filters, keys: list[date], days=days):
            grouped = {key: [] for key in keys}
            for day, amounts in days.items():
                if period.start <= day <= period.end:
                    grouped[bucket_of(day, period.granularity)].append(amounts)
            return [(key, _summed(items)) for key, items in grouped.items()]

        series.append(Series(currency, points(filters, current_keys), points(previous, previous_keys)))
    return series


# -- breakdowns --------------------------------------------------------------------------------

@dataclass
class Line:
    """One row of a breakdown: its key (a country, a scope, a code...), a currency and its amounts."""

    key: str
    currency: str
    amounts: Amounts = field(default_factory=Amounts)
    discount: int = 0
    cancellations: int = 0
    refunds: int = 0
    disputes: int = 0


def _lines(filters: Filters, invoice_key, note_key, *, invoices=None, disputes=False) -> dict[tuple[str, str], Line]:
    """Invoices and credit notes of the period grouped by a key and currency (two queries)."""
    found: dict[tuple[str, str], Line] = {}
    # Counting disputes joins the orders: only the per-course figures ask for it.
    counts = {"disputes": Count("id", filter=~Q(order__dispute_id=""))} if disputes else {}

    def line(key, currency):
        key = "" if key is None else str(key)
        return found.setdefault((key, currency), Line(key, currency))

    for row in ((invoices if invoices is not None else _invoices(filters)).annotate(key=invoice_key)
                .values("key", "currency")
                .annotate(count=Count("id"), amount=Sum("total"), tax=Sum("tax"), discount=Sum("discount"),
                          **counts)):
        item = line(row["key"], row["currency"])
        item.amounts.add_invoices(row)
        item.discount += row["discount"] or 0
        item.disputes += row.get("disputes", 0)
    if note_key is not None:
        for row in (_credit_notes(filters).annotate(key=note_key).values("key", "currency")
                    .annotate(count=Count("id"), amount=Sum("amount"), tax=Sum("tax"),
                              refunds=Count("id", filter=~Q(source=CreditNote.Source.ADMIN)))):
            item = line(row["key"], row["currency"])
            item.amounts.add_credit_notes(row)
            item.refunds += row["refunds"]
    return found


def _sorted(lines: dict) -> list[Line]:
    return sorted(lines.values(), key=lambda item: (item.key, item.currency))


def tax_by_country(filters: Filters) -> list[Line]:
    """Tax collected (invoiced less credited) per buyer country and currency; "" when the invoice had none."""
    return _sorted(_lines(filters, F("buyer_country"), F("invoice__buyer_country")))


def by_scope(filters: Filters) -> list[Line]:
    """Purchases and net revenue per audience scope recorded on the order ("unknown" before it was)."""
    return _sorted(_lines(filters, Coalesce(NullIf("order__audience_scope", Value("")), Value(UNKNOWN_SCOPE)),
                          Coalesce(NullIf("invoice__order__audience_scope", Value("")), Value(UNKNOWN_SCOPE))))


def by_promotion_code(filters: Filters) -> list[Line]:
    """Uses and discount per promotion code as typed (its Stripe id for orders made before codes were kept)."""
    code = Coalesce(NullIf("order__promotion_code", Value("")), "order__promotion_code_id")
    invoices = _invoices(filters).exclude(order__promotion_code="", order__promotion_code_id="")
    return sorted(_lines(filters, code, None, invoices=invoices).values(),
                  key=lambda item: (-item.amounts.purchases, item.key.lower(), item.currency))


@dataclass
class CourseReport:
    """One course: a line per currency it sold in, and its back-office enrollments (never billed)."""

    course_key: str
    lines: list[Line] = field(default_factory=list)
    backoffice: int = 0


def by_course(filters: Filters) -> list[CourseReport]:
    """Purchases, net revenue, cancellations, refunds, disputes and back-office enrollments per course."""
    lines = _lines(filters, F("course_key"), F("invoice__course_key"), disputes=True)
    low, high = bounds(filters.start, filters.end)
    cancelled = Invoice.objects.filter(status=InvoiceStatus.CANCELLED, cancelled_at__gte=low, cancelled_at__lt=high)
    if filters.course_key:
        cancelled = cancelled.filter(course_key=filters.course_key)
    if filters.currency:
        cancelled = cancelled.filter(currency=filters.currency)
    for row in cancelled.order_by().values("course_key", "currency").annotate(count=Count("id")):
        key = str(row["course_key"])
        lines.setdefault((key, row["currency"]), Line(key, row["currency"])).cancellations += row["count"]
    enrollments = BackOfficeEnrollment.objects.filter(created__gte=low, created__lt=high)
    if filters.course_key:
        enrollments = enrollments.filter(course_key=filters.course_key)
    courses: dict[str, CourseReport] = {}
    for line in _sorted(lines):
        courses.setdefault(line.key, CourseReport(line.key)).lines.append(line)
    for row in enrollments.order_by().values("course_key").annotate(count=Count("id")):
        key = str(row["course_key"])
        courses.setdefault(key, CourseReport(key)).backoffice = row["count"]
    return [courses[key] for key in sorted(courses)]


def choices() -> tuple[list[str], list[str]]:
    """The courses and currencies that have invoices, for the filters (two queries)."""
    # Every invoice's course and currency (the course index answers the first without reading the rows).
    invoices = Invoice.objects.order_by()
    courses = sorted({str(key) for key in invoices.values_list("course_key", flat=True).distinct()})
    currencies = sorted(set(invoices.values_list("currency", flat=True).distinct()))
    return courses, currencies


@dataclass
class Report:
    """Everything the dashboard shows, for one set of filters."""

    filters: Filters
    series: list[Series]
    countries: list[Line]
    courses: list[CourseReport]
    scopes: list[Line]
    codes: list[Line]


def sales_report(filters: Filters) -> Report:
    return Report(filters, revenue_series(filters), tax_by_country(filters), by_course(filters),
                  by_scope(filters), by_promotion_code(filters))
