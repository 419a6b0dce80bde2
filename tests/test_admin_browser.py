"""
The administrators' journeys in a real browser (Debian's Chromium driven by Playwright).

Turn payment on and test the connection; price a course; find an invoice by the learner's email and
cancel it from its red icon; enroll a learner without payment; import audience scopes; open the
sales dashboard and change its period. Each step saves a screenshot in the test's folder
(``NN-step.png``); a step that fails saves the failing page (``NN-FAILED-step.png``).

``RISEUP_DOCS_IMAGES=docs/images`` also writes the README's two dashboard screenshots there.
"""

import os
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from riseup_stripe_plugin import conf
from riseup_stripe_plugin.models import BackOfficeEnrollment, CourseOffer, Invoice, InvoiceStatus, LearnerScope
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories
from .purchases import paid_purchase
from .test_browser import browser, sign_in  # noqa: F401  (the module's Chromium, started once)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "sk_test_browserJOURNEY0000001234"
WEBHOOK = "whsec_browserJOURNEY0000005678"


class Journey:
    """Numbered steps, each ending with a screenshot of the page; a failing step keeps the failing page."""

    def __init__(self, page, folder: Path):
        self.page, self.folder, self.files, self.count = page, folder, [], 0

    def shot(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.files.append(path)
        return path

    @contextmanager
    def step(self, name: str):
        try:
            yield
        except BaseException:
            self.shot(f"FAILED-{name}")
            raise
        self.shot(name)


@pytest.fixture
def journey(browser, tmp_path):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield Journey(page, tmp_path)
    context.close()
    for path in tmp_path.glob("*.png"):
        assert path.stat().st_size > 0


def admin(journey, base):
    boss = factories.user("boss", is_staff=True, is_superuser=True)
    sign_in(journey.page, base, boss.username)
    return boss


def test_turn_payment_on_and_test_the_connection(lms, journey, settings):
    for name in ("RISEUP_STRIPE_ENABLED", "RISEUP_STRIPE_SECRET_KEY", "RISEUP_STRIPE_WEBHOOK_SECRET",
                 "RISEUP_STRIPE_PUBLISHABLE_KEY"):
        delattr(settings, name)
    conf.forget_admin_values()
    page, base = journey.page, lms.url
    admin(journey, base)
    with journey.step("payment-settings"):
        page.goto(f"{base}/admin/riseup_stripe_plugin/paymentconfiguration/")
        assert not page.locator("#id_enabled").is_checked()
    with journey.step("payment-on"):
        page.check("#id_enabled")
        page.fill("#id_publishable_key", "pk_test_browserJOURNEY")
        page.fill("#id_secret_key", SECRET)
        page.fill("#id_webhook_secret", WEBHOOK)
        page.click("input[name=_continue]")
        page.wait_for_selector(".messagelist .success")
        assert SECRET not in page.content() and "…1234" in page.content()
    cfg = conf.stripe_settings()
    assert cfg.enabled and cfg.secret_key == SECRET and cfg.webhook_secret == WEBHOOK
    with journey.step("test-connection"):
        page.click("#test-connection")
        page.wait_for_selector(".messagelist")
        assert "Connected to Stripe account acct_" in page.inner_text(".messagelist")


def test_price_a_course(lms, journey):
    page, base = journey.page, lms.url
    course = factories.course(name="Priced in the Browser")
    admin(journey, base)
    with journey.step("offer-form"):
        page.goto(f"{base}/admin/riseup_stripe_plugin/courseoffer/add/")
        page.fill("#id_course_id", str(course.id))
        page.check("#id_is_paid")
        page.fill("#id_price_major", "49.00")
        currency = page.locator("#id_currency")
        if currency.evaluate("element => element.tagName") == "SELECT":
            currency.select_option("eur")
        else:
            currency.fill("eur")
    with journey.step("offer-saved"):
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success")
    offer = CourseOffer.objects.get(course_key=course.id)
    assert (offer.is_paid, offer.price, offer.currency) == (True, 4900, "eur") and offer.stripe_price_id
    with journey.step("course-page-shows-the-price"):
        page.goto(f"{base}/riseup-stripe/courses/{course.id}/")
        assert "€49.00" in page.inner_text("[data-testid=price]")


def test_cancel_an_invoice_found_by_email_then_the_learner_buys_again(lms, journey, client, stripe, browser):  # noqa: F811
    page, base = journey.page, lms.url
    learner = factories.user(email="ada.lovelace@example.org")
    course, _ = factories.paid_course(price=4900, name="Cancelled in the Browser")
    order, invoice = paid_purchase(client, stripe, learner, course)
    admin(journey, base)
    with journey.step("invoice-found-by-email"):
        page.goto(f"{base}/admin/riseup_stripe_plugin/invoice/")
        page.fill("#searchbar", "ada.lovelace@example.org")
        page.press("#searchbar", "Enter")
        page.wait_for_url(lambda url: "q=ada.lovelace" in url)
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 1 and invoice.number in rows.first.inner_text()
    with journey.step("cancel-confirmation"):
        page.click("#result_list a.riseup-cancel")
        page.wait_for_selector("#riseup-cancel-confirmation")
        assert "€49.00" in page.inner_text("#riseup-cancel-confirmation")
        page.fill("#id_reason", "Bought by mistake, asked by email")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID  # the confirmation page changes nothing
    with journey.step("credit-note"):
        page.click("#confirm-cancel")
        page.wait_for_selector(".messagelist .success")
        note = invoice.credit_notes.get()
        assert note.number in page.content() and "cancelled: credit note" in page.inner_text(".messagelist")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and not enrollment.is_enrolled(learner, course.id)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        learner_journey = Journey(context.new_page(), journey.folder / "learner")
        learner_journey.folder.mkdir()
        learner_page = learner_journey.page
        sign_in(learner_page, base, learner.username)
        with learner_journey.step("access-lost"):
            learner_page.goto(f"{base}/courses/{course.id}/courseware/")
            assert not learner_page.locator("#courseware").is_visible()
        with learner_journey.step("buys-again"):
            learner_page.goto(f"{base}/riseup-stripe/courses/{course.id}/")
            learner_page.click("#buy")
            learner_page.wait_for_url(lambda url: "/pay/" in url)
            learner_page.click("#pay")
            learner_page.wait_for_url(lambda url: "/riseup-stripe/checkout/return/" in url)
            assert learner_page.locator("[data-testid=outcome]").get_attribute("data-state") == "fulfilled"
        journey.files += learner_journey.files
    finally:
        context.close()
    assert enrollment.is_enrolled(learner, course.id)
    assert learner.riseup_stripe_orders.filter(state=OrderState.FULFILLED).exclude(pk=order.pk).exists()


def test_enroll_without_payment_and_find_the_audit_row(lms, journey):
    page, base = journey.page, lms.url
    learner = factories.user(email="grace@example.org")
    course, _ = factories.paid_course()
    boss = admin(journey, base)
    with journey.step("enroll-form"):
        page.goto(f"{base}/admin/riseup_stripe_plugin/backofficeenrollment/enroll/")
        page.fill("#id_learner", "grace@example.org")
        page.fill("#id_course_id", str(course.id))
    with journey.step("enrolled"):
        page.click("#enroll")
        page.wait_for_selector(".messagelist .success")
        assert "without payment" in page.inner_text(".messagelist")
    with journey.step("audit-row"):
        page.fill("#searchbar", learner.username)
        page.press("#searchbar", "Enter")
        page.wait_for_url(lambda url: "q=" in url)
        row = page.locator("#result_list tbody tr")
        assert row.count() == 1 and str(course.id) in row.first.inner_text() and boss.username in row.first.inner_text()
    record = BackOfficeEnrollment.objects.get()
    assert (record.learner, record.actor, record.course_key) == (learner, boss, course.id)
    assert enrollment.is_enrolled(learner, course.id) and not Invoice.objects.exists()


def test_import_audience_scopes_from_a_csv_and_read_the_report(lms, journey, tmp_path):
    page, base = journey.page, lms.url
    ann, bob = factories.user(email="ann@example.org"), factories.user()
    table = tmp_path / "scopes.csv"
    table.write_text(f"learner,scope\nann@example.org,internal\n{bob.username},partner\nnobody@example.org,public\n"
                     f"{bob.username},galactic\n")
    admin(journey, base)
    with journey.step("import-form"):
        page.goto(f"{base}/admin/riseup_stripe_plugin/learnerscope/")
        page.click("#import-learner-scopes")
        page.set_input_files("#id_csv_file", str(table))
    with journey.step("import-report"):
        page.click("#import")
        page.wait_for_selector("#import-report")
        assert page.locator("#applied-rows tbody tr").count() == 2
        assert page.locator("#refused-rows tbody tr").count() == 2
        assert "nobody@example.org" in page.inner_text("#refused-rows")
    assert dict(LearnerScope.objects.values_list("user__username", "scope")) == {
        ann.username: "internal", bob.username: "partner"}


def test_open_the_dashboard_and_change_its_period(lms, journey):
    from sandbox import seed

    seed.seed_platform()
    seed.seed_sales()
    page, base = journey.page, lms.url
    sign_in(page, base, "admin", "admin-pass")
    with journey.step("dashboard-default"):
        page.goto(f"{base}/admin/riseup_stripe_plugin/invoice/")
        page.click("#sales-dashboard")
        page.wait_for_selector("#dashboard-filters")
        assert page.locator("#id_granularity").input_value() == "day"
    with journey.step("dashboard-per-month"):
        start = (timezone.localdate() - timedelta(days=seed.HISTORY_DAYS + 10)).isoformat()
        page.fill("#id_start", start)
        page.select_option("#id_granularity", "month")
        page.click("#dashboard-apply")
        page.wait_for_url(lambda url: "granularity=month" in url)
        assert page.locator("svg.riseup-chart").count() == 3  # EUR, JPY, USD
        assert page.locator("#revenue-EUR table.riseup-sr-only tbody tr").count() >= 4
    with journey.step("dashboard-last-7-days"):
        page.click("text=Last 7 days")
        page.wait_for_url(lambda url: "granularity=day" in url)
        assert page.locator("#id_start").input_value() == (timezone.localdate() - timedelta(days=6)).isoformat()
    images = os.environ.get("RISEUP_DOCS_IMAGES")
    # Eight weeks against the eight before them: both periods have sales.
    recent = (timezone.localdate() - timedelta(days=55)).isoformat()
    for language in ("en", "fr"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        with journey.step(f"dashboard-{language}"):
            page.goto(f"{base}/admin/riseup_stripe_plugin/invoice/dashboard/?start={recent}&granularity=week")
            assert ("Net revenue" if language == "en" else "Chiffre d’affaires net") in page.content()
            assert page.locator("#id_end").input_value() == timezone.localdate().isoformat()  # in both languages
            if images:
                page.screenshot(path=str(Path(images) / f"sales-dashboard-{language}.png"))
