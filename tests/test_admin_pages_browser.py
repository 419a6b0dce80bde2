"""
The plugin's admin pages in a real browser (Debian's Chromium driven by Playwright).

What an administrator sees at 1,400 px: the invoice list's important columns without scrolling sideways,
the list and the invoice page in French; the screenshot of the French list in the README is taken here.
"""

import pathlib

import pytest

from riseup_stripe_plugin.models import CreditNote, InvoiceStatus

from . import factories
from .test_browser import browser, page, sign_in  # noqa: F401  (fixtures and helper shared with the purchase test)
from .test_invoice_admin import make_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMAGES = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"
LIST = "/admin/riseup_stripe_plugin/invoice/"


@pytest.fixture
def admin_invoices():
    """An administrator, and invoices with long names, emails and course ids, as a real list has."""
    admin = factories.user("admin", is_staff=True, is_superuser=True, first_name="Grace", last_name="Hopper")
    ada = factories.user(first_name="Ada", last_name="Lovelace-Byron King", email="ada.lovelace-byron@example.org")
    paid = make_invoice(ada, price=4900, tax=817, discount=490, promotion_code="promo_W10", code="WELCOME10",
                        name="Selling Courses with Stripe")[1]
    yen = make_invoice(ada, price=5000, currency="jpy", name="Japanese for Business")[1]
    cancelled = make_invoice(ada, price=12340, currency="kwd", status=InvoiceStatus.CANCELLED,
                             name="Data Literacy")[1]
    CreditNote.objects.create(invoice=cancelled, stripe_credit_note_id="cn_browser_1", number="INV-CN-01",
                              amount=12340, currency="kwd", reason="order_change", memo="Bought by mistake")
    return {"admin": admin, "paid": paid, "yen": yen, "cancelled": cancelled}


def _right_edge(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


def test_invoice_list_at_1400px_shows_total_status_and_cancel(lms, page, admin_invoices):  # noqa: F811
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, lms.url, "admin")
    page.goto(f"{lms.url}{LIST}")
    row = page.locator(f"#result_list tr:has-text('{admin_invoices['paid'].number}')")
    for column in ("field-display_total", "field-display_status", "field-cancel_link"):
        cell = row.locator(f"td.{column}")
        assert cell.is_visible(), column
        assert _right_edge(cell) <= 1400, column
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    assert "€4.90 (WELCOME10)" in row.inner_text()


def test_invoice_list_and_page_in_french(lms, page, admin_invoices):  # noqa: F811
    page.set_viewport_size({"width": 1400, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": lms.url}])
    sign_in(page, lms.url, "admin")
    page.goto(f"{lms.url}{LIST}")
    headers = [text.strip() for text in page.locator("#result_list thead th").all_inner_texts() if text.strip()]
    assert headers[:5] == ["NUMÉRO", "DATE D’ÉMISSION", "APPRENANT", "TOTAL TTC", "STATUT"], headers
    filters = page.locator("#changelist-filter").inner_text()
    assert "Par statut" in filters and "Par devise" in filters and "Par date d’émission" in filters, filters
    for english in ("status", "currency", "issued at", "NUMBER", "COURSE KEY"):
        assert english not in page.locator("#content").inner_text(), english
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "admin-invoices-fr.png"))

    page.goto(f"{lms.url}{LIST}{admin_invoices['cancelled'].pk}/change/")
    content = page.locator("#content").inner_text().replace("\u202f", " ").replace("\xa0", " ")
    assert "123,400 KWD" not in content and "12,340 KWD" in content
    assert "Modification de commande" in content and "order_change" not in content
    assert page.locator("input[name=_save]").count() == 0
