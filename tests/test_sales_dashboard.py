"""
The sales dashboard: every figure equals what the invoices and credit notes add up to.

Purchases go through the real flow (the plugin, the Stripe emulator, its webhooks): promotion codes,
a partial refund made in the Stripe Dashboard, a cancellation from the admin, a dispute, a back-office
enrollment, in three currencies with an inclusive tax rate. Stripe issues everything "now"; the test
then spreads the issue dates over two months and the buyers over countries, as months of sales would,
and checks each figure of the page and of its CSV against sums it computes itself from the rows.
"""

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from riseup_stripe_plugin import money
from riseup_stripe_plugin.models import CreditNote, Invoice, InvoiceStatus, LearnerScope, Order

from . import factories
from .conftest import wait_for
from .purchases import cancel_url, charge_id, invoice_status, paid_purchase, processed

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD = "admin:riseup_stripe_plugin_invoice_dashboard"
ZONE = "Europe/Paris"
#: The chosen period (March 2026) and the one before it (the 31 days up to the end of February).
START, END = date(2026, 3, 1), date(2026, 3, 31)
PREVIOUS_START, PREVIOUS_END = date(2026, 1, 29), date(2026, 2, 28)
#: Stripe's statuses of an invoice that was never paid: it sold nothing.
UNPAID = {"draft", "open", "void", "uncollectible"}


def at(day: date, hour=12, minute=0):
    """An instant of ``day`` in the report's time zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE))


@pytest.fixture
def sales(client, lms, stripe, settings):
    """Five purchases through the emulator, then dated and located as months of sales would be."""
    settings.RISEUP_STRIPE_REPORT_TIME_ZONE = ZONE
    rate = stripe.client().v1.tax_rates.create(params={
        "display_name": "TVA", "percentage": "20", "inclusive": True, "country": "FR"}).id
    settings.RISEUP_STRIPE_TAX_MODE, settings.RISEUP_STRIPE_TAX_RATE_ID = "fixed_rate", rate
    factories.promotion_code(stripe.client(), "TEN", 10)
    factories.promotion_code(stripe.client(), "Half50", 50)
    admin = factories.user("boss", is_staff=True, is_superuser=True)
    first, _ = factories.paid_course(price=4900, name="Stripe for Teachers")
    second, _ = factories.paid_course(price=2500, name="Invoicing 101")
    dollars, _ = factories.paid_course(price=1999, currency="usd", name="Taxes in English")
    yen, _ = factories.paid_course(price=5000, currency="jpy", name="Japanese Course")
    learners = [factories.user() for _ in range(6)]
    LearnerScope.objects.create(user=learners[3], scope="internal")

    def purchase(learner, course, code=None):
        if code is None:
            return paid_purchase(client, stripe, learner, course)
        from .test_purchase_journey import buy, fulfilled

        order = buy(client, learner, course)
        stripe.pay(order.checkout_session_id, promotion_code=code)
        wait_for(fulfilled(order), message="fulfilment")
        invoice = wait_for(lambda: Invoice.objects.filter(order=order, stripe_status="paid").first(),
                           message="the paid invoice")
        wait_for(processed("invoice.paid", invoice.stripe_invoice_id), message="invoice.paid")
        return order, invoice

    _, with_ten = purchase(learners[0], first, "ten")  # typed in lower case: Stripe matches any case
    refunded_order, refunded = purchase(learners[1], first)
    _, cancelled = purchase(learners[2], second, "HALF50")
    disputed_order, disputed = purchase(learners[3], dollars)
    legacy_order, in_yen = purchase(learners[4], yen, "TEN")

    stripe.refund_in_dashboard(charge_id(stripe, refunded_order), amount=1000)
    wait_for(invoice_status(refunded, InvoiceStatus.PARTIALLY_REFUNDED), message="the partial refund")
    client.force_login(admin)
    response = client.post(cancel_url(cancelled), {"reason": "Bought by mistake", "stripe_reason": "order_change"})
    assert response.status_code == 302
    wait_for(invoice_status(cancelled, InvoiceStatus.CANCELLED), message="the cancellation")
    dispute = stripe.dispute(charge_id(stripe, disputed_order))
    wait_for(processed("charge.dispute.created", dispute["id"]), message="the dispute")
    response = client.post(reverse("admin:riseup_stripe_plugin_backofficeenrollment_enroll"),
                           {"learner": learners[5].username, "course_id": str(first.id)})
    assert response.status_code == 302
    # Made before the learner's scope was recorded on orders.
    Order.objects.filter(pk=legacy_order.pk).update(audience_scope="")

    # Months of sales: issue dates in March (one a few minutes before midnight in Paris, still March 31st
    # there, and one at 00:30 on March 1st in Paris, still February in UTC), one purchase in February.
    dated = {
        with_ten: at(START, 0, 30), refunded: at(date(2026, 3, 9)), cancelled: at(date(2026, 3, 16)),
        disputed: at(date(2026, 3, 31), 23, 50), in_yen: at(date(2026, 2, 10)),
    }
    countries = {with_ten: "FR", refunded: "DE", cancelled: "FR", disputed: "US", in_yen: ""}
    for invoice, issued in dated.items():
        Invoice.objects.filter(pk=invoice.pk).update(issued_at=issued, buyer_country=countries[invoice])
    notes = {note.invoice_id: note for note in CreditNote.objects.all()}
    CreditNote.objects.filter(pk=notes[refunded.pk].pk).update(issued_at=at(date(2026, 3, 20)))
    CreditNote.objects.filter(pk=notes[cancelled.pk].pk).update(issued_at=at(date(2026, 3, 17)))
    Invoice.objects.filter(pk=cancelled.pk).update(cancelled_at=at(date(2026, 3, 17)))
    from riseup_stripe_plugin.models import BackOfficeEnrollment
    BackOfficeEnrollment.objects.update(created=at(date(2026, 3, 18)))
    return {"admin": admin, "courses": [first, second, dollars, yen]}


# -- the sums, computed here from the rows ------------------------------------------------------

def local_day(instant):
    return instant.astimezone(ZoneInfo(ZONE)).date()


def sold():
    return [invoice for invoice in Invoice.objects.select_related("order") if invoice.status not in UNPAID]


def live_notes():
    paid = {invoice.pk for invoice in sold()}
    return [note for note in CreditNote.objects.all() if note.voided_at is None and note.invoice_id in paid]


def expected_days(start, end):
    """currency -> local day -> [invoiced, credited, tax invoiced, tax credited, purchases]."""
    table = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0, 0]))
    for invoice in sold():
        day = local_day(invoice.issued_at)
        if start <= day <= end:
            cell = table[invoice.currency][day]
            cell[0] += invoice.total
            cell[2] += invoice.tax
            cell[4] += 1
    for note in live_notes():
        day = local_day(note.issued_at)
        if start <= day <= end:
            cell = table[note.currency][day]
            cell[1] += note.amount
            cell[3] += note.tax
    return table


def weekly(days, start, end):
    """The daily table summed per week (Monday first)."""
    weeks = defaultdict(lambda: [0, 0, 0, 0, 0])
    for day, cell in days.items():
        if start <= day <= end:
            monday = day - timedelta(days=day.weekday())
            weeks[monday] = [a + b for a, b in zip(weeks[monday], cell, strict=True)]
    return weeks


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def major(minor, currency):
    return str(money.to_major(minor, currency))


def test_every_figure_equals_what_the_invoices_and_credit_notes_add_up_to(client, sales):
    client.force_login(sales["admin"])
    query = {"start": START.isoformat(), "end": END.isoformat(), "granularity": "week"}
    response = client.get(reverse(DASHBOARD), query)
    assert response.status_code == 200
    html = response.content.decode()
    rows = csv_rows(client.get(reverse(DASHBOARD), {**query, "format": "csv"}))
    # Something to check in each part: three currencies, credit notes, tax, codes, a dispute, a scope unknown.
    assert {invoice.currency for invoice in sold()} == {"eur", "usd", "jpy"}
    assert len(live_notes()) == 2 and all(note.tax for note in live_notes())

    # Revenue per week and currency, this period and the one before; never two currencies in one figure.
    current, previous = expected_days(START, END), expected_days(PREVIOUS_START, PREVIOUS_END)
    revenue = [row for row in rows if row["section"] == "revenue"]
    assert {row["currency"] for row in revenue} == {"EUR", "USD", "JPY"}
    for currency in ("eur", "usd", "jpy"):
        for period, table, start, end in (("current", current, START, END),
                                          ("previous", previous, PREVIOUS_START, PREVIOUS_END)):
            weeks = weekly(table[currency], start, end)
            got = {row["start"]: row for row in revenue if row["currency"] == currency.upper()
                   and row["period"] == period}
            first = start - timedelta(days=start.weekday())
            assert min(got) == first.isoformat() and len(got) == (end - first).days // 7 + 1
            for monday, row in got.items():
                invoiced, credited, tax, tax_back, count = weeks.get(date.fromisoformat(monday), [0] * 5)
                assert row["invoiced"] == major(invoiced, currency), (currency, period, monday)
                assert row["credited"] == major(credited, currency)
                assert row["net"] == major(invoiced - credited, currency)
                assert row["tax"] == major(tax - tax_back, currency)
                assert int(row["purchases"]) == count
    # The purchase at 23:50 on March 31st (Paris) is in the period; the yen one of February only before it.
    assert sum(int(row["purchases"]) for row in revenue if row["currency"] == "USD" and row["period"] == "current") == 1
    assert sum(int(row["purchases"]) for row in revenue if row["currency"] == "JPY" and row["period"] == "current") == 0

    # The page shows each currency's net revenue for the period, formatted, and its chart with its table.
    for currency in ("eur", "usd"):
        net = sum(cell[0] - cell[1] for cell in current[currency].values())
        assert money.format_amount(net, currency) in html
        assert f'id="revenue-{currency.upper()}"' in html
    charts = [part.split("</svg>")[0] for part in html.split('class="riseup-chart"')[1:]]
    assert len(charts) == html.count('class="riseup-sr-only"') == 3
    assert not any("http" in chart.replace("http://www.w3.org/2000/svg", "") for chart in charts)  # all inline

    in_period = [invoice for invoice in sold() if START <= local_day(invoice.issued_at) <= END]
    notes_in_period = [note for note in live_notes() if START <= local_day(note.issued_at) <= END]

    def grouped(key_of_invoice):
        sums = defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # purchases, invoiced, credited, tax, discount, refunds
        for invoice in in_period:
            cell = sums[(key_of_invoice(invoice), invoice.currency)]
            cell[0] += 1
            cell[1] += invoice.total
            cell[3] += invoice.tax
            cell[4] += invoice.discount
        for note in notes_in_period:
            cell = sums[(key_of_invoice(note.invoice), note.currency)]
            cell[2] += note.amount
            cell[3] -= note.tax
            cell[5] += note.source != CreditNote.Source.ADMIN
        return sums

    def check(section, column, sums, *, money_columns=("invoiced", "credited", "net", "tax")):
        got = {(row[column], row["currency"]): row for row in rows if row["section"] == section and row["currency"]}
        assert set(got) == {(key, currency.upper()) for key, currency in sums}, section
        for (key, currency), (count, invoiced, credited, tax, discount, _refunds) in sums.items():
            row = got[(key, currency.upper())]
            assert int(row["purchases"]) == count, (section, key)
            values = {"invoiced": invoiced, "credited": credited, "net": invoiced - credited, "tax": tax,
                      "discount": discount}
            for name in money_columns:
                assert row[name] == major(values[name], currency), (section, key, name)
        return got

    # Tax per buyer country: what a French merchant declares (and the EU one-stop shop).
    check("tax_by_country", "country", grouped(lambda invoice: invoice.buyer_country))
    # Per audience scope, as recorded on the order; the order from before shows "unknown".
    scopes = check("audience_scope", "audience_scope",
                   grouped(lambda invoice: invoice.order.audience_scope or "unknown"))
    assert ("internal", "USD") in scopes and ("public", "EUR") in scopes
    # Per promotion code as typed, with the discount it gave.
    with_code = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for invoice in in_period:
        if invoice.order.promotion_code:
            cell = with_code[(invoice.order.promotion_code, invoice.currency)]
            cell[0] += 1
            cell[1] += invoice.total
            cell[4] += invoice.discount
    codes = check("promotion_code", "promotion_code", with_code, money_columns=("invoiced", "discount"))
    assert set(codes) == {("TEN", "EUR"), ("Half50", "EUR")}  # the yen purchase with TEN was in February
    assert "Half50" in html and money.format_amount(1250, "eur") in html

    # Per course: purchases, net revenue, cancellations, refunds, disputes; back-office enrollments apart.
    per_course = grouped(lambda invoice: str(invoice.course_key))
    got = check("course", "course_id", per_course)
    for (key, currency), cell in per_course.items():
        row = got[(key, currency.upper())]
        assert int(row["refunds"]) == cell[5]
        assert int(row["cancellations"]) == sum(
            1 for invoice in sold() if str(invoice.course_key) == key and invoice.status == InvoiceStatus.CANCELLED
            and START <= local_day(invoice.cancelled_at) <= END)
        assert int(row["disputes"]) == sum(1 for invoice in in_period
                                           if str(invoice.course_key) == key and invoice.order.dispute_id)
    first, second, dollars, _yen = sales["courses"]
    assert got[(str(second.id), "EUR")]["cancellations"] == "1" and got[(str(first.id), "EUR")]["refunds"] == "1"
    assert got[(str(dollars.id), "USD")]["disputes"] == "1"
    (backoffice,) = [row for row in rows if row["section"] == "course" and row["backoffice_enrollments"]]
    assert (backoffice["course_id"], backoffice["backoffice_enrollments"], backoffice["currency"]) == (
        str(first.id), "1", "")


def test_filters_by_course_and_currency_and_the_day_in_the_sites_time_zone(client, sales, settings):
    client.force_login(sales["admin"])
    first = sales["courses"][0]
    query = {"start": START.isoformat(), "end": END.isoformat(), "granularity": "day", "format": "csv"}
    rows = csv_rows(client.get(reverse(DASHBOARD), {**query, "course": str(first.id)}))
    assert {row["course_id"] for row in rows if row["section"] == "course"} == {str(first.id)}
    revenue = [row for row in rows if row["section"] == "revenue" and row["period"] == "current"]
    assert {row["currency"] for row in revenue} == {"EUR"}
    expected = sum(invoice.total for invoice in sold() if invoice.course_key == first.id) - sum(
        note.amount for note in live_notes() if note.invoice.course_key == first.id)
    assert sum(Decimal(row["net"]) for row in revenue) == money.to_major(expected, "eur")
    # The purchase at 00:30 on March 1st in Paris counts on March 1st, not on February 28th (UTC).
    (march_first,) = [row for row in revenue if row["start"] == "2026-03-01"]
    assert march_first["purchases"] == "1"

    rows = csv_rows(client.get(reverse(DASHBOARD), {**query, "currency": "usd"}))
    assert {row["currency"] for row in rows if row["currency"]} == {"USD"}

    # In UTC the same purchase falls on February 28th, outside the period.
    settings.RISEUP_STRIPE_REPORT_TIME_ZONE = "UTC"
    rows = csv_rows(client.get(reverse(DASHBOARD), {**query, "course": str(first.id)}))
    days = {row["start"]: row["purchases"] for row in rows
            if row["section"] == "revenue" and row["period"] == "current"}
    assert days["2026-03-01"] == "0"
    assert sum(int(count) for count in days.values()) == 1


def test_french_page_and_bad_periods(client, sales):
    client.force_login(sales["admin"])
    query = {"start": START.isoformat(), "end": END.isoformat(), "granularity": "month"}
    html = client.get(reverse(DASHBOARD), query, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Tableau de bord des ventes" in html and "Chiffre d’affaires net" in html
    net = sum(invoice.total for invoice in sold() if invoice.currency == "eur"
              and START <= local_day(invoice.issued_at) <= END) - sum(
        note.amount for note in live_notes() if note.currency == "eur" and START <= local_day(note.issued_at) <= END)
    assert money.format_amount(net, "eur", "fr_FR") in html and "mars 2026" in html

    before = Invoice.objects.count()
    for bad in ({"start": "2026-03-31", "end": "2026-03-01"},
                {"start": "2020-01-01", "end": "2026-03-01", "granularity": "day"},
                {"start": "yesterday"}, {"granularity": "hour"}):
        response = client.get(reverse(DASHBOARD), {**query, **bad})
        assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
        assert 'class="riseup-chart"' not in response.content.decode()
    assert Invoice.objects.count() == before


def test_only_who_may_view_invoices_sees_the_dashboard(client, db):
    staff = factories.user(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(DASHBOARD)).status_code == 403
    from django.contrib.auth.models import Permission
    staff.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    assert client.get(reverse(DASHBOARD)).status_code == 200
    assert reverse(DASHBOARD) in client.get(reverse("admin:riseup_stripe_plugin_invoice_changelist")).content.decode()


def test_queries_do_not_grow_with_the_number_of_invoices(client, db):
    from .test_invoice_admin import make_invoice

    client.force_login(factories.user("boss", is_staff=True, is_superuser=True))
    learner = factories.user()
    query = {"start": "2026-03-01", "end": "2026-03-31", "granularity": "day"}

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(DASHBOARD), query).status_code == 200
        return len(queries)

    for index in range(3):
        make_invoice(learner, currency=("eur", "usd", "jpy")[index], issued=datetime(2026, 3, 2 + index, tzinfo=UTC))
    few = count_queries()
    for index in range(30):
        make_invoice(learner, currency=("eur", "usd", "jpy")[index % 3],
                     issued=datetime(2026, 3, 1 + index % 28, 10, tzinfo=UTC), promotion_code=f"promo_{index}")
    assert count_queries() == few
