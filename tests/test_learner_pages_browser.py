"""
The learner pages in a real browser (Debian's Chromium driven by Playwright): what they say after the fact.

A purchase paid then cancelled by an administrator, seen again from its old return address; My invoices
and the catalog at phone width (390 px); the README's screenshot of My invoices on a phone is taken here.
"""

import pathlib

import pytest
from django.template.defaultfilters import date as date_format
from django.utils.timezone import localtime

from riseup_stripe_plugin.billing.cancellation import cancel_invoice
from riseup_stripe_plugin.models import CreditNote, InvoiceStatus

from . import factories
from .purchases import paid_purchase
from .test_browser import browser, page, sign_in  # noqa: F401  (fixtures and helper shared with the purchase test)
from .test_invoice_admin import make_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMAGES = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"


def text_of(locator) -> str:
    return locator.inner_text().replace("\u202f", " ").replace("\xa0", " ")


def test_return_page_of_a_refunded_purchase_says_what_happened(client, lms, stripe, page):  # noqa: F811
    learner = factories.user()
    admin = factories.user(is_staff=True, is_superuser=True)
    course, _ = factories.paid_course(price=4900, currency="eur", name="Refunded Course")
    order, invoice = paid_purchase(client, stripe, learner, course)
    cancel_invoice(invoice, actor=admin, reason="Bought by mistake", stripe_reason="order_change")
    order.refresh_from_db()

    sign_in(page, lms.url, learner.username)
    page.goto(f"{lms.url}/riseup-stripe/checkout/return/?session_id={order.checkout_session_id}")
    outcome = page.locator("[data-testid=outcome]")
    assert outcome.get_attribute("data-state") == "refunded"
    said = text_of(outcome)
    paid_on, refunded_on = (date_format(localtime(when), "DATE_FORMAT") for when in (order.paid_at, order.cancelled_at))
    assert said == (f"Payment received (€49.00 incl. tax) on {paid_on}. This purchase was then cancelled and "
                    f"refunded on {refunded_on}: your access to the course through it has been removed.")
    assert "did not go through" not in text_of(page.locator("main"))
    page.click("text=Buy it again")
    page.wait_for_url(lambda url: f"/riseup-stripe/courses/{course.id}/" in url)
    assert page.locator("#buy").is_visible()


PHONE = {"width": 390, "height": 844}


def overflow(browser_page) -> int:
    """How far the page runs off the right of the screen (0: no sideways scrolling)."""
    return browser_page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - innerWidth")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_my_invoices_at_phone_width_fit_the_screen(lms, page, language):  # noqa: F811
    learner = factories.user()
    make_invoice(learner, price=4900, tax=817, discount=490, promotion_code="promo_W10", code="WELCOME10",
                 name="Selling Courses with Stripe: invoices, credit notes and refunds")
    _, cancelled = make_invoice(learner, price=12340, currency="kwd", status=InvoiceStatus.CANCELLED,
                                name="Data Literacy")
    CreditNote.objects.create(invoice=cancelled, stripe_credit_note_id="cn_phone_1", number="INV-0042-CN-01",
                              amount=12340, currency="kwd", pdf_url="https://invoice.example/cn.pdf")
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": lms.url}])
    sign_in(page, lms.url, learner.username)
    page.goto(f"{lms.url}/riseup-stripe/invoices/")
    assert overflow(page) == 0
    for cell in page.locator(".invoices td").all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], cell.inner_text()
    assert "WELCOME10" in page.locator(".invoices").inner_text()
    if language == "en":
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMAGES / "my-invoices-phone.png"), full_page=True)


def test_catalog_filter_at_phone_width_keeps_each_radio_with_its_label(lms, page):  # noqa: F811
    factories.course(name="Open Learning 101")
    factories.paid_course(price=4900, currency="eur", name="Selling Courses with Stripe")
    factories.paid_course(price=1999, currency="usd", name="Data Literacy")
    page.set_viewport_size(PHONE)
    for language in ("en", "fr"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": lms.url}])
        page.goto(f"{lms.url}/riseup-stripe/catalog/")
        assert overflow(page) == 0, language
        radios = page.locator("#price-filter input[type=radio]").all()
        assert len(radios) == 3
        for radio in radios:
            label = page.locator(f"label[for='{radio.get_attribute('id')}']")
            button, text = radio.bounding_box(), label.bounding_box()
            middle = button["y"] + button["height"] / 2
            assert text["y"] <= middle <= text["y"] + text["height"], (language, label.inner_text())
            assert 0 <= text["x"] - (button["x"] + button["width"]) < 20, (language, label.inner_text())
