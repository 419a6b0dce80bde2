"""
Accessibility of the plugin's pages in a real browser: axe-core finds no serious or critical violation on
the learner pages (catalog, purchase, return, My invoices) and the admin pages the plugin adds (Django
admin's own markup aside), and a learner can find and buy a course with the keyboard alone.
"""

import pytest
from django.urls import reverse

from riseup_stripe_plugin.billing.cancellation import cancel_invoice
from riseup_stripe_plugin.models import CreditNote, InvoiceStatus, Order
from riseup_stripe_plugin.states import OrderState

from . import factories
from .accessibility import DJANGO_ADMIN_CHROME, violations
from .purchases import paid_purchase
from .test_browser import browser, page, sign_in  # noqa: F401  (fixtures and helper shared with the purchase test)
from .test_invoice_admin import make_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_learner_pages_have_no_serious_accessibility_violation(client, lms, stripe, page, language):  # noqa: F811
    learner = factories.user()
    admin = factories.user(is_staff=True, is_superuser=True)
    factories.course(name="Open Learning 101")
    course, _ = factories.paid_course(price=4900, currency="eur", name="Selling Courses with Stripe")
    refunded_course, _ = factories.paid_course(price=1999, currency="usd", name="Data Literacy")
    order, _ = paid_purchase(client, stripe, learner, course)
    refunded, invoice = paid_purchase(client, stripe, learner, refunded_course)
    cancel_invoice(invoice, actor=admin, reason="Bought by mistake", stripe_reason="order_change")
    other, _ = factories.paid_course(price=2900, currency="eur", name="Partner Sales Academy")

    page.context.add_cookies([{"name": "django_language", "value": language, "url": lms.url}])
    sign_in(page, lms.url, learner.username)
    pages = {
        "catalog": "/riseup-stripe/catalog/",
        "catalog with a filter error": "/riseup-stripe/catalog/?min_price=abc",
        "purchase": f"/riseup-stripe/courses/{other.id}/",
        "purchase, bought": f"/riseup-stripe/courses/{course.id}/",
        "return, fulfilled": f"/riseup-stripe/checkout/return/?session_id={order.checkout_session_id}",
        "return, refunded": f"/riseup-stripe/checkout/return/?session_id={refunded.checkout_session_id}",
        "my invoices": "/riseup-stripe/invoices/",
    }
    found = {}
    for name, path in pages.items():
        page.goto(lms.url + path)
        found[name] = violations(page)
    assert found == {name: [] for name in pages}


def test_admin_pages_of_the_plugin_have_no_serious_accessibility_violation(lms, page):  # noqa: F811
    factories.user("admin", is_staff=True, is_superuser=True)
    learner = factories.user(first_name="Ada", last_name="Lovelace")
    _, paid = make_invoice(learner, price=4900, discount=490, promotion_code="promo_W10", code="WELCOME10")
    _, cancelled = make_invoice(learner, price=1999, currency="usd", status=InvoiceStatus.CANCELLED)
    CreditNote.objects.create(invoice=cancelled, stripe_credit_note_id="cn_axe_1", number="INV-CN-01",
                              amount=1999, currency="usd", reason="order_change")
    sign_in(page, lms.url, "admin")
    pages = {
        "invoices": reverse("admin:riseup_stripe_plugin_invoice_changelist"),
        "invoice": reverse("admin:riseup_stripe_plugin_invoice_change", args=[cancelled.pk]),
        "cancel confirmation": reverse("admin:riseup_stripe_plugin_invoice_cancel", args=[paid.pk]),
        "credit notes": reverse("admin:riseup_stripe_plugin_creditnote_changelist"),
        "orders": reverse("admin:riseup_stripe_plugin_order_changelist"),
        "enroll without payment": reverse("admin:riseup_stripe_plugin_backofficeenrollment_enroll"),
        "back-office enrollments": reverse("admin:riseup_stripe_plugin_backofficeenrollment_changelist"),
        "learner scopes import": reverse("admin:riseup_stripe_plugin_learnerscope_import"),
        "course offers": reverse("admin:riseup_stripe_plugin_courseoffer_changelist"),
        "payment settings": reverse("admin:riseup_stripe_plugin_paymentconfiguration_changelist"),
    }
    found = {}
    for name, path in pages.items():
        page.goto(lms.url + path)
        found[name] = violations(page, exclude=DJANGO_ADMIN_CHROME)
    assert found == {name: [] for name in pages}


def press_tab_until(browser_page, selector, limit=60):
    """Tab through the page, as a keyboard user does, until ``selector`` has the focus."""
    for _ in range(limit):
        browser_page.keyboard.press("Tab")
        if browser_page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def test_the_check_finds_what_it_must(page):  # noqa: F811
    """The check itself: an image without a text alternative and an unlabelled field are refused."""
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
    found = violations(page)
    assert [line.split(" ")[0] for line in found] == ["image-alt", "label"]


def test_a_learner_finds_and_buys_a_course_with_the_keyboard_alone(lms, page):  # noqa: F811
    learner = factories.user()
    factories.course(name="Open Learning 101")
    course, _ = factories.paid_course(price=4900, currency="eur", name="Selling Courses with Stripe")
    sign_in(page, lms.url, learner.username)
    page.goto(f"{lms.url}/riseup-stripe/catalog/")

    press_tab_until(page, "#price-all")  # Tab enters the price filter's radio group on its checked button
    page.keyboard.press("ArrowRight")  # arrows choose within the group
    page.keyboard.press("ArrowRight")
    assert page.is_checked("#price-paid")
    press_tab_until(page, "#apply-filters")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "price=paid" in url)
    assert page.locator("#catalog-results h2").all_inner_texts() == ["Selling Courses with Stripe"]

    press_tab_until(page, "#catalog-results a.see-more")
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none"  # the focus is visible
    page.goto(f"{lms.url}/riseup-stripe/courses/{course.id}/")
    press_tab_until(page, "#buy")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/pay/" in url)
    assert Order.objects.get(user=learner).state == OrderState.AWAITING_PAYMENT
