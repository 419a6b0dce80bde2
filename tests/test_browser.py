"""
A learner buys a course in a real browser (Debian's Chromium driven by Playwright).

Sign in, open the course page, Buy, pay on the Stripe emulator's hosted page,
come back enrolled, find the invoice. The webhook and the return page race
for real here.
"""

import os
import shutil

import pytest

from riseup_stripe_plugin.models import Invoice, Order
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .conftest import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium chromium-driver)")
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def sign_in(page, base, username, password="pass"):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#signin")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("language,price_text,buy_text", [
    ("en", "€49.00 incl. tax", "Buy – €49.00 incl. tax"),
    ("fr", "49,00 € TTC", "Acheter – 49,00 € TTC"),
])
def test_learner_buys_a_course_in_the_browser(lms, page, tmp_path, language, price_text, buy_text):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900, currency="eur", name="Selling Courses with Stripe")
    base = lms.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    sign_in(page, base, learner.username)

    page.goto(f"{base}/courses/{course.id}/about/")
    page.click("#buy-link")
    assert page.inner_text("[data-testid=price]").replace("\u202f", " ").replace("\xa0", " ") == price_text
    assert page.inner_text("#buy").replace("\u202f", " ").replace("\xa0", " ") == buy_text
    page.click("#buy")

    # Stripe's (the emulator's) hosted payment page.
    page.wait_for_url(lambda url: "/pay/" in url)
    assert "4242" in page.input_value("#card_number")
    page.screenshot(path=str(tmp_path / "checkout.png"))
    page.click("#pay")

    page.wait_for_url(lambda url: "/riseup-stripe/checkout/return/" in url)
    outcome = page.locator("[data-testid=outcome]")
    assert outcome.get_attribute("data-state") == "fulfilled"
    page.screenshot(path=str(tmp_path / "return.png"))
    assert enrollment.is_enrolled(learner, course.id)
    order = Order.objects.get(user=learner)
    assert order.state == OrderState.FULFILLED

    invoice = wait_for(lambda: Invoice.objects.filter(order=order).first(), message="the invoice")
    page.goto(f"{base}/riseup-stripe/invoices/")
    assert invoice.number in page.content()

    page.goto(f"{base}/courses/{course.id}/courseware/")
    assert page.locator("#courseware").is_visible()


def test_learner_cancels_on_the_payment_page(lms, page):
    learner = factories.user()
    course, _ = factories.paid_course()
    sign_in(page, lms.url, learner.username)
    page.goto(f"{lms.url}/riseup-stripe/courses/{course.id}/")
    page.click("#buy")
    page.wait_for_url(lambda url: "/pay/" in url)
    page.click("#cancel")
    page.wait_for_url(lambda url: "cancelled=1" in url)
    assert "nothing was charged" in page.content()
    assert not enrollment.is_enrolled(learner, course.id)


def test_promotion_code_on_the_payment_page(lms, page, stripe):
    factories.promotion_code(stripe.client(), "BROWSERFREE", 100)
    learner = factories.user()
    course, _ = factories.paid_course()
    sign_in(page, lms.url, learner.username)
    page.goto(f"{lms.url}/riseup-stripe/courses/{course.id}/")
    page.click("#buy")
    page.wait_for_url(lambda url: "/pay/" in url)
    page.fill("#promotion_code", "BROWSERFREE")
    page.click("#pay")
    page.wait_for_url(lambda url: "/riseup-stripe/checkout/return/" in url)
    assert page.locator("[data-testid=outcome]").get_attribute("data-state") == "fulfilled"
    assert Order.objects.get(user=learner).amount_paid == 0
