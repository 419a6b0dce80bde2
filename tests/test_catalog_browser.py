"""
The catalog in a real browser: different catalogs per audience, the price filter, "see more", Buy, pay.

Debian's Chromium driven by Playwright, against the sandbox LMS and the Stripe emulator.
"""

import pytest

from riseup_stripe_plugin.models import AudienceRule, Order
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .test_browser import browser, page, sign_in  # noqa: F401  (fixtures and helper shared with the purchase test)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_catalog():
    AudienceRule.objects.create(domain="acme.example", scope="internal")
    free = factories.course(name="Open Learning 101")
    public, _ = factories.paid_course(price=4900, currency="eur", name="Selling Courses with Stripe")
    cheap, _ = factories.paid_course(price=1999, currency="usd", name="Data Literacy")
    internal, offer = factories.paid_course(price=9900, currency="eur", name="Internal Onboarding")
    offer.scopes = "internal"
    offer.save()
    return {"free": free, "public": public, "cheap": cheap, "internal": internal}


def _card_titles(browser_page):
    return browser_page.locator("#catalog-results h2").all_inner_texts()


def test_internal_and_public_learners_see_different_catalogs(lms, page, demo_catalog):  # noqa: F811
    public_learner = factories.user()
    factories.user("ann", email="ann@acme.example")
    sign_in(page, lms.url, public_learner.username)
    page.goto(f"{lms.url}/riseup-stripe/catalog/")
    assert _card_titles(page) == ["Data Literacy", "Open Learning 101", "Selling Courses with Stripe"]

    page.context.clear_cookies()
    sign_in(page, lms.url, "ann")
    page.click("#catalog-link")
    page.wait_for_url(lambda url: "/riseup-stripe/catalog/" in url)
    # Public courses are offered to everyone; the internal one only to the organisation's people.
    assert _card_titles(page) == ["Data Literacy", "Internal Onboarding", "Open Learning 101",
                                  "Selling Courses with Stripe"]

    # The public learner cannot buy the internal course by any URL either.
    page.context.clear_cookies()
    sign_in(page, lms.url, public_learner.username)
    internal = demo_catalog["internal"]
    page.goto(f"{lms.url}/courses/{internal.id}/about/")
    assert page.locator("#offer-message").inner_text() == "This course is not offered to you."
    assert page.locator("#buy-link").count() == 0 and page.locator("#enroll").count() == 0
    page.goto(f"{lms.url}/riseup-stripe/courses/{internal.id}/")
    assert "This course is not offered to you." in page.content()
    assert page.locator("#buy").count() == 0
    assert not Order.objects.exists()


def test_price_filter_see_more_buy_and_pay(lms, page, demo_catalog, tmp_path):  # noqa: F811
    learner = factories.user()
    sign_in(page, lms.url, learner.username)
    page.goto(f"{lms.url}/riseup-stripe/catalog/")
    assert page.locator("#price-filter").is_visible()

    # The filter is a plain GET form: keyboard only.
    page.focus("#price-paid")
    page.keyboard.press("Space")
    page.fill("#max_price", "-5")
    page.press("#max_price", "Enter")
    page.wait_for_load_state()
    assert page.locator("#filter-errors").is_visible()
    assert "cannot be negative" in page.inner_text("#filter-errors")

    page.fill("#max_price", "50")
    page.click("#apply-filters")
    page.wait_for_url(lambda url: "max_price=50" in url and "price=paid" in url)
    assert _card_titles(page) == ["Data Literacy", "Selling Courses with Stripe"]
    page.select_option("#sort", "-price")
    page.click("#apply-filters")
    page.wait_for_url(lambda url: "sort=-price" in url)
    assert _card_titles(page) == ["Selling Courses with Stripe", "Data Literacy"]
    card = page.locator("#catalog-results li", has_text="Selling Courses with Stripe")
    assert card.locator("[data-testid=card-price]").inner_text().replace("\xa0", " ") == "€49.00 incl. tax"
    page.screenshot(path=str(tmp_path / "catalog.png"), full_page=True)

    # See more → the course page with its price and the Buy link.
    card.locator("a.see-more").click()
    course = demo_catalog["public"]
    page.wait_for_url(lambda url: f"/courses/{course.id}/about/" in url)
    assert page.inner_text("[data-testid=about-price]").replace("\xa0", " ") == "€49.00 incl. tax"
    assert page.inner_text("#buy-link").replace("\xa0", " ") == "Buy – €49.00 incl. tax"
    page.click("#buy-link")
    page.click("#buy")

    page.wait_for_url(lambda url: "/pay/" in url)
    page.click("#pay")
    page.wait_for_url(lambda url: "/riseup-stripe/checkout/return/" in url)
    assert page.locator("[data-testid=outcome]").get_attribute("data-state") == "fulfilled"
    assert enrollment.is_enrolled(learner, course.id)
    assert Order.objects.get(user=learner).state == OrderState.FULFILLED

    # Back in the catalog, the course says so; its page offers "View course".
    page.goto(f"{lms.url}/riseup-stripe/catalog/?q=stripe")
    assert "Enrolled" in page.locator("#catalog-results li", has_text="Selling Courses").inner_text()
    page.goto(f"{lms.url}/courses/{course.id}/about/")
    assert page.locator("#view-course").is_visible() and page.locator("#buy-link").count() == 0
