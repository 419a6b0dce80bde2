"""
The learner pages in a real browser (Debian's Chromium driven by Playwright): what they say after the fact.

A purchase paid then cancelled by an administrator, seen again from its old return address.
"""

import pytest
from django.template.defaultfilters import date as date_format
from django.utils.timezone import localtime

from riseup_stripe_plugin.billing.cancellation import cancel_invoice

from . import factories
from .purchases import paid_purchase
from .test_browser import browser, page, sign_in  # noqa: F401  (fixtures and helper shared with the purchase test)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
