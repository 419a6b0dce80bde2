"""The invoices menu of the Django admin: columns, search, filters, CSV export, bulk cancel."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from riseup_stripe_plugin.models import CreditNote, Invoice, InvoiceStatus, Order
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .purchases import paid_purchase

CHANGELIST = "admin:riseup_stripe_plugin_invoice_changelist"
_numbers = iter(range(1, 10_000))


def make_invoice(learner, price=4900, currency="eur", status=InvoiceStatus.PAID, tax=0, discount=0,
                 promotion_code="", code="", name=None, issued=None):
    """An order and its invoice as the webhooks would have stored them."""
    course, offer = factories.paid_course(price=price, currency=currency, name=name)
    n = next(_numbers)
    order = Order.objects.create(user=learner, course_key=course.id, offer=offer, amount=price, currency=currency,
                                 stripe_price_id="price_x", state=OrderState.FULFILLED, amount_paid=price - discount,
                                 amount_discount=discount, promotion_code_id=promotion_code, promotion_code=code,
                                 payment_intent_id=f"pi_admin_{n}")
    invoice = Invoice.objects.create(
        order=order, user=learner, course_key=course.id, stripe_invoice_id=f"in_admin_{n}",
        number=f"INV-{n:04d}", status=status, stripe_status="paid", currency=currency, subtotal=price, tax=tax,
        discount=discount, promotion_code=code, total=price - discount, amount_paid=price - discount,
        customer_email=learner.email,
        hosted_invoice_url=f"https://invoice.example/{n}", invoice_pdf_url=f"https://invoice.example/{n}.pdf",
        issued_at=issued or datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
    )
    return course, invoice


@pytest.fixture
def invoices(db):
    ada = factories.user(first_name="Ada", last_name="Lovelace", email="ada@example.org")
    alan = factories.user(first_name="Alan", last_name="Turing", email="alan@example.net")
    _, paid = make_invoice(ada, price=4900, tax=817, discount=490, promotion_code="promo_TEN", code="TEN",
                           name="Stripe for Teachers")
    _, yen = make_invoice(alan, price=5000, currency="jpy", name="Japanese Course",
                          issued=datetime(2025, 1, 2, tzinfo=UTC))
    _, cancelled = make_invoice(alan, price=1999, currency="usd", status=InvoiceStatus.CANCELLED,
                                name="=HYPERLINK(\"http://evil\")")
    CreditNote.objects.create(invoice=cancelled, stripe_credit_note_id="cn_admin_1", number="INV-CN-01",
                              amount=1999, currency="usd", pdf_url="https://invoice.example/cn.pdf")
    return {"paid": paid, "yen": yen, "cancelled": cancelled}


def listing(admin_client, query=""):
    response = admin_client.get(reverse(CHANGELIST) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_list_shows_every_column_and_a_cancel_icon_on_paid_rows(admin_client, invoices):
    html = listing(admin_client)
    paid = invoices["paid"]
    for text in ("Ada Lovelace", "ada@example.org", str(paid.course_key), paid.number, "€44.10", "€8.17",
                 "€4.90 (TEN)", "EUR", "JPY", "¥5,000", "Paid", "Cancelled", paid.invoice_pdf_url,
                 paid.hosted_invoice_url):
        assert text in html, text
    assert reverse("admin:riseup_stripe_plugin_invoice_cancel", args=[paid.pk]) in html
    assert reverse("admin:riseup_stripe_plugin_invoice_cancel", args=[invoices["yen"].pk]) in html
    assert reverse("admin:riseup_stripe_plugin_invoice_cancel", args=[invoices["cancelled"].pk]) not in html


@pytest.mark.parametrize("query,expected", [
    ("?q=lovelace", {"paid"}), ("?q=alan@example.net", {"yen", "cancelled"}), ("?q=INV-", None),
    ("?status__exact=cancelled", {"cancelled"}), ("?currency__exact=jpy", {"yen"}),
    ("?issued_at__gte=2026-01-01+00%3A00%3A00%2B00%3A00", {"paid", "cancelled"}),
])
def test_search_and_filters(admin_client, invoices, query, expected):
    if query == "?q=INV-":
        query = f"?q={invoices['yen'].number}"
        expected = {"yen"}
    html = listing(admin_client, query)
    for name, invoice in invoices.items():
        assert (f">{invoice.number}<" in html) == (name in expected), (name, query)


def test_search_by_course(admin_client, invoices):
    html = listing(admin_client, f"?q={invoices['yen'].course_key.course}")
    assert invoices["yen"].number in html and invoices["paid"].number not in html


def parse(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_export_of_the_filtered_list(admin_client, invoices):
    rows = parse(admin_client.get(reverse("admin:riseup_stripe_plugin_invoice_export")))
    assert len(rows) == 3
    by_number = {row["number"]: row for row in rows}
    paid = by_number[invoices["paid"].number]
    assert paid["learner"] == invoices["paid"].user.username and paid["learner_name"] == "Ada Lovelace"
    assert paid["email"] == "ada@example.org" and paid["course_name"] == "Stripe for Teachers"
    assert paid["currency"] == "EUR" and paid["status"] == "paid" and paid["promotion_code"] == "TEN"
    assert (paid["subtotal"], paid["tax"], paid["discount"], paid["total"], paid["amount_refunded"]) == (
        "49.00", "8.17", "4.90", "44.10", "0.00")
    assert Decimal(paid["total"]) == Decimal("44.10")
    assert paid["date"].startswith("2026-03-14T09:30")
    assert paid["pdf_url"] == invoices["paid"].invoice_pdf_url
    yen = by_number[invoices["yen"].number]
    assert (yen["total"], yen["currency"]) == ("5000", "JPY")
    cancelled = by_number[invoices["cancelled"].number]
    assert cancelled["status"] == "cancelled" and cancelled["credit_notes"] == "INV-CN-01"
    assert cancelled["course_name"].startswith("'=")  # a spreadsheet will not run it

    # The button exports what the list shows: its search and filters.
    rows = parse(admin_client.get(reverse("admin:riseup_stripe_plugin_invoice_export") + "?currency__exact=jpy"))
    assert [row["number"] for row in rows] == [invoices["yen"].number]
    assert 'id="export-invoices-csv"' in listing(admin_client)


def test_csv_export_action_on_selected_rows(admin_client, invoices):
    response = admin_client.post(reverse(CHANGELIST), {
        "action": "export_csv", "_selected_action": [invoices["paid"].pk, invoices["cancelled"].pk],
    })
    rows = parse(response)
    assert {row["number"] for row in rows} == {invoices["paid"].number, invoices["cancelled"].number}


def test_change_page_shows_credit_notes_and_offers_cancel_only_when_paid(admin_client, invoices):
    cancelled = admin_client.get(
        reverse("admin:riseup_stripe_plugin_invoice_change", args=[invoices["cancelled"].pk])).content.decode()
    assert "INV-CN-01" in cancelled and "https://invoice.example/cn.pdf" in cancelled
    assert 'id="cancel-invoice"' not in cancelled
    paid = admin_client.get(
        reverse("admin:riseup_stripe_plugin_invoice_change", args=[invoices["paid"].pk])).content.decode()
    assert 'id="cancel-invoice"' in paid
    notes = admin_client.get(reverse("admin:riseup_stripe_plugin_creditnote_changelist")).content.decode()
    assert "INV-CN-01" in notes and "$19.99" in notes


def test_viewers_without_the_permission_see_no_cancel(client, invoices):
    from django.contrib.auth.models import Permission

    staff = factories.user(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client.force_login(staff)
    html = listing(client)
    assert invoices["paid"].number in html
    assert "riseup-cancel" not in html and "cancel_selected" not in html
    assert client.get(reverse("admin:riseup_stripe_plugin_invoice_cancel_many") + "?ids=1").status_code == 403


def test_nothing_can_be_added_or_deleted(admin_client, invoices):
    assert admin_client.get(reverse("admin:riseup_stripe_plugin_invoice_add")).status_code == 403
    assert admin_client.get(
        reverse("admin:riseup_stripe_plugin_invoice_delete", args=[invoices["paid"].pk])).status_code == 403
    assert admin_client.get(reverse("admin:riseup_stripe_plugin_creditnote_add")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_bulk_cancel_goes_through_the_confirmation(client, admin_client, stripe):
    learner = factories.user()
    first, _ = factories.paid_course()
    second, _ = factories.paid_course()
    _, one = paid_purchase(client, stripe, learner, first, webhooks=False)
    _, two = paid_purchase(client, stripe, learner, second, webhooks=False)
    response = admin_client.post(reverse(CHANGELIST), {"action": "cancel_selected",
                                                       "_selected_action": [one.pk, two.pk]})
    assert response.status_code == 302
    confirmation = admin_client.get(response["Location"])
    html = confirmation.content.decode()
    assert one.number in html and two.number in html and 'id="confirm-cancel"' in html
    for invoice in (one, two):
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PAID  # nothing before the confirmation

    done = admin_client.post(reverse("admin:riseup_stripe_plugin_invoice_cancel_many"),
                             {"ids": [one.pk, two.pk], "reason": "Group cancelled", "stripe_reason": "order_change"},
                             follow=True)
    assert done.content.decode().count("cancelled: credit note") == 2
    for invoice, course in ((one, first), (two, second)):
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.CANCELLED and invoice.credit_notes.count() == 1
        assert not enrollment.is_enrolled(learner, course.id)


def test_confirmation_needs_a_reason(admin_client, invoices):
    url = reverse("admin:riseup_stripe_plugin_invoice_cancel", args=[invoices["paid"].pk])
    response = admin_client.post(url, {"reason": "", "stripe_reason": "order_change"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    invoices["paid"].refresh_from_db()
    assert invoices["paid"].status == InvoiceStatus.PAID


def test_invoice_page_shows_formatted_amounts_reasons_in_words_and_no_save(admin_client, invoices):
    paid, cancelled = invoices["paid"], invoices["cancelled"]
    CreditNote.objects.filter(invoice=cancelled).update(reason="order_change")
    page = admin_client.get(reverse("admin:riseup_stripe_plugin_invoice_change", args=[paid.pk]))
    html = page.content.decode()
    for text in ("€49.00", "€8.17", "€4.90 (TEN)", "€44.10", "€0.00"):
        assert text in html, text
    for raw in (">4900<", ">817<", ">490<", ">4410<"):
        assert raw not in html, raw
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    html = admin_client.get(reverse("admin:riseup_stripe_plugin_invoice_change", args=[cancelled.pk])).content.decode()
    assert "Order change" in html and ">order_change<" not in html
    assert "$19.99" in html and 'name="_save"' not in html
    note = CreditNote.objects.get(invoice=cancelled)
    html = admin_client.get(reverse("admin:riseup_stripe_plugin_creditnote_change", args=[note.pk])).content.decode()
    assert "Order change" in html and "$19.99" in html and 'name="_save"' not in html
