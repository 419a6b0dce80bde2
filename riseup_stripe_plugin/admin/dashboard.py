"""
Admin (LMS and Studio): "Invoices › Sales dashboard", and the same figures as CSV.

Whoever may view invoices may view it. The figures come from :mod:`..billing.reporting`
(aggregates in SQL); this module only turns them into a page: charts drawn as SVG on
the server (see :mod:`.charts`), a table behind each, amounts and dates in the
reader's language.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal

from babel import Locale
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from .. import conf, money
from .. import edxapp_wrapper as platform
from ..billing import reporting
from ..catalog.scopes import AudienceScope
from . import charts
from .base import csv_text

GRANULARITY_CHOICES = [("day", gettext_lazy("Day")), ("week", gettext_lazy("Week")),
                       ("month", gettext_lazy("Month"))]

CSV_HEADER = [
    "section", "period", "start", "currency", "course_id", "course_name", "country", "audience_scope",
    "promotion_code", "purchases", "invoiced", "credited", "net", "tax", "discount", "cancellations", "refunds",
    "disputes", "backoffice_enrollments",
]


def today():
    return timezone.now().astimezone(conf.report_time_zone()).date()


class DashboardForm(forms.Form):
    """The dashboard's filters, read from the query string (a GET form: the page changes nothing)."""

    # ISO dates whatever the language: what an <input type="date"> takes (the browser shows them its way).
    start = forms.DateField(label=gettext_lazy("From"), input_formats=["%Y-%m-%d"],
                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), input_formats=["%Y-%m-%d"],
                          widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    granularity = forms.ChoiceField(label=gettext_lazy("Per"), choices=GRANULARITY_CHOICES)
    course = forms.ChoiceField(label=gettext_lazy("Course"), required=False)
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), required=False)

    def __init__(self, data, courses: dict, currencies: list[str]):
        end = today()
        initial = {"start": end - timedelta(days=29), "end": end, "granularity": "day", "course": "",
                   "currency": ""}
        super().__init__({**initial, **{key: value for key, value in data.items() if value != ""}})
        self.fields["course"].choices = [("", _("All courses"))] + [
            (key, name) for key, name in sorted(courses.items(), key=lambda item: str(item[1]).lower())]
        self.fields["currency"].choices = [("", _("All currencies"))] + [(c, c.upper()) for c in currencies]

    def clean_course(self):
        value = self.cleaned_data.get("course") or ""
        try:
            return CourseKey.from_string(value) if value else None
        except InvalidKeyError as exc:
            raise forms.ValidationError(_("Not a course id.")) from exc

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["filters"] = reporting.Filters(data["start"], data["end"], data["granularity"], data["course"],
                                                data["currency"])
        except reporting.ReportError:
            if data["end"] < data["start"]:
                raise forms.ValidationError(_("The period ends before it starts.")) from None
            raise forms.ValidationError(_("This period has too many points for one chart: "
                                          "show it per week or per month.")) from None
        return data


def presets(end):
    """Ready-made periods offered as links."""
    return [
        (_("Last 7 days"), end - timedelta(days=6), end, "day"),
        (_("Last 30 days"), end - timedelta(days=29), end, "day"),
        (_("Last 3 months"), end - timedelta(days=90), end, "week"),
        (_("Last 12 months"), (end.replace(day=1) - timedelta(days=335)).replace(day=1), end, "month"),
        (_("This year"), end.replace(month=1, day=1), end, "month"),
    ]


def bucket_label(day, granularity: str) -> str:
    return date_format(day, "YEAR_MONTH_FORMAT" if granularity == "month" else "SHORT_DATE_FORMAT")


def amount(minor: int, currency: str) -> str:
    return money.format_amount(int(minor), currency)


def country_name(code: str) -> str:
    if not code:
        return _("Unknown country")
    return Locale.parse(money.current_locale()).territories.get(code.upper(), code.upper())


def scope_name(scope: str) -> str:
    if scope == reporting.UNKNOWN_SCOPE:
        return _("Unknown (bought before scopes were recorded)")
    labels = dict(AudienceScope.choices)
    return str(labels.get(scope, scope))


def course_names(keys) -> dict:
    parsed = {}
    for key in keys:
        try:
            parsed[str(key)] = CourseKey.from_string(str(key))
        except InvalidKeyError:
            continue
    found = platform.get_courses(set(parsed.values())) if parsed else {}
    return {key: (getattr(found.get(course_key), "display_name", "") or key) for key, course_key in parsed.items()}


def series_view(series: reporting.Series, granularity: str) -> dict:
    """One currency's chart, its table and its comparison with the previous period."""
    currency = series.currency
    labels = [bucket_label(day, granularity) for day, _amounts in series.points]
    total, before = series.total, series.previous_total
    change = None
    if before.net:
        change = (Decimal(total.net - before.net) * 100 / abs(Decimal(before.net))).quantize(
            Decimal("0.1"))
    title = _("Net revenue in %(currency)s per %(unit)s") % {
        "currency": currency.upper(), "unit": dict(GRANULARITY_CHOICES)[granularity].lower()}
    rows = []
    for index, (_day, amounts) in enumerate(series.points):
        previous = series.previous_points[index][1] if index < len(series.previous_points) else None
        rows.append({
            "label": labels[index], "purchases": amounts.purchases,
            "invoiced": amount(amounts.invoiced, currency), "credited": amount(amounts.credited, currency),
            "net": amount(amounts.net, currency), "tax": amount(amounts.tax, currency),
            "previous": amount(previous.net, currency) if previous else "",
        })
    return {
        "currency": currency.upper(), "title": title,
        "chart": charts.bar_chart(
            [amounts.net for _day, amounts in series.points], [a.net for _d, a in series.previous_points], labels,
            format_value=lambda value: amount(value, currency), title=title,
            current_label=_("Chosen period"), previous_label=_("Previous period")),
        "rows": rows,
        "total": {"purchases": total.purchases, "invoiced": amount(total.invoiced, currency),
                  "credited": amount(total.credited, currency), "net": amount(total.net, currency),
                  "tax": amount(total.tax, currency)},
        "previous": {"purchases": before.purchases, "net": amount(before.net, currency),
                     "tax": amount(before.tax, currency)},
        "change": change,
    }


def line_view(line: reporting.Line) -> dict:
    currency = line.currency
    return {"currency": currency.upper(), "purchases": line.amounts.purchases,
            "invoiced": amount(line.amounts.invoiced, currency), "credited": amount(line.amounts.credited, currency),
            "net": amount(line.amounts.net, currency), "tax": amount(line.amounts.tax, currency),
            "discount": amount(line.discount, currency), "cancellations": line.cancellations,
            "refunds": line.refunds, "disputes": line.disputes}


def dashboard_view(request, model_admin):
    """The sales dashboard page (``?format=csv``: the same figures as a CSV file)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    course_keys, currencies = reporting.choices()
    names = course_names(course_keys)
    form = DashboardForm(request.GET, names, currencies)
    report = reporting.sales_report(form.cleaned_data["filters"]) if form.is_valid() else None
    if report is not None:
        names.update(course_names([course.course_key for course in report.courses if course.course_key not in names]))
    if report is not None and request.GET.get("format") == "csv":
        return csv_response(report, names)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Sales dashboard"),
        "form": form,
        "report": report,
        "presets": [{"label": label, "query": _query(request, start, end, granularity)}
                    for label, start, end, granularity in presets(today())],
        "csv_query": _with(request, format="csv"),
        "time_zone": str(conf.report_time_zone()),
    }
    if report is not None:
        filters = report.filters
        context.update({
            "period": {"start": date_format(filters.start, "DATE_FORMAT"),
                       "end": date_format(filters.end, "DATE_FORMAT")},
            "previous": {"start": date_format(filters.previous().start, "DATE_FORMAT"),
                         "end": date_format(filters.previous().end, "DATE_FORMAT")},
            "series": [series_view(series, filters.granularity) for series in report.series],
            "countries": sorted(({"country": country_name(line.key), "code": line.key, **line_view(line)}
                                 for line in report.countries), key=lambda row: (row["country"], row["currency"])),
            "courses": [{"course_id": course.course_key, "name": names.get(course.course_key, course.course_key),
                         "backoffice": course.backoffice, "lines": [line_view(line) for line in course.lines],
                         "rows": max(len(course.lines), 1)} for course in report.courses],
            "scopes": [{"scope": scope_name(line.key), **line_view(line)} for line in report.scopes],
            "codes": [{"code": line.key, **line_view(line)} for line in report.codes],
        })
    return TemplateResponse(request, "admin/riseup_stripe_plugin/invoice/dashboard.html", context)


def _with(request, **changes) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


def _query(request, start, end, granularity) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    query["start"], query["end"], query["granularity"] = start.isoformat(), end.isoformat(), granularity
    return query.urlencode()


def csv_response(report: reporting.Report, names: dict) -> HttpResponse:
    """The dashboard's figures, one row per figure group: amounts in major units, one currency a row."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filters = report.filters
    response["Content-Disposition"] = (
        f'attachment; filename="sales-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"')
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)

    def major(minor, currency):
        return money.to_major(int(minor), currency)

    def row(section, line=None, **cells):
        values = dict.fromkeys(CSV_HEADER, "")
        values["section"] = section
        if line is not None:
            currency = line.currency
            values.update({
                "currency": currency.upper(), "purchases": line.amounts.purchases,
                "invoiced": major(line.amounts.invoiced, currency), "credited": major(line.amounts.credited, currency),
                "net": major(line.amounts.net, currency), "tax": major(line.amounts.tax, currency),
                "discount": major(line.discount, currency), "cancellations": line.cancellations,
                "refunds": line.refunds, "disputes": line.disputes,
            })
        values.update(cells)
        writer.writerow([csv_text(values[name]) if isinstance(values[name], str) else values[name]
                         for name in CSV_HEADER])

    for series in report.series:
        for period, points in (("current", series.points), ("previous", series.previous_points)):
            for day, amounts in points:
                row("revenue", reporting.Line("", series.currency, amounts), period=period, start=day.isoformat())
    for line in report.countries:
        row("tax_by_country", line, country=line.key)
    for course in report.courses:
        name = names.get(course.course_key, course.course_key)
        for line in course.lines:
            row("course", line, course_id=course.course_key, course_name=name)
        if course.backoffice:
            row("course", None, course_id=course.course_key, course_name=name,
                backoffice_enrollments=course.backoffice)
    for line in report.scopes:
        row("audience_scope", line, audience_scope=line.key)
    for line in report.codes:
        row("promotion_code", line, promotion_code=line.key)
    return response
