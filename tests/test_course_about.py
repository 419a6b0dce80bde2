"""
The course about page: the CourseAboutRenderStarted step, through the real openedx-filters pipeline.

The stand-in platform's ``course_about`` builds the legacy template's context and
runs the filter exactly as ``lms/djangoapps/courseware/views/views.py`` does.
"""

import types
from contextlib import contextmanager

import pytest
from crum import set_current_request
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openedx_filters.learning.filters import (
    CourseAboutRenderStarted,
    CourseEnrollmentAPIRenderStarted,
    CourseRunAPIRenderStarted,
)

from riseup_stripe_plugin.models import AudienceRule, Invoice, LearnerScope, Order
from riseup_stripe_plugin.states import OrderState
from sandbox.platform import enrollment

from . import factories

pytestmark = pytest.mark.django_db

STEP = "riseup_stripe_plugin.filters.CourseAboutPurchaseStep"


@contextmanager
def impersonate(user):
    """The current request of ``user`` (the platform's crum middleware does this for every request)."""
    request = RequestFactory().get("/")
    request.user = user
    set_current_request(request)
    try:
        yield request
    finally:
        set_current_request(None)


def _about(client, course, language="en"):
    client.cookies["django_language"] = language
    response = client.get(reverse("sandbox:about", args=[str(course.id)]))
    assert response.status_code == 200
    return response.content.decode().replace("\u202f", " ").replace("\xa0", " ")


def _order(learner, offer, state=OrderState.FULFILLED, suffix="x"):
    order = Order.objects.create(user=learner, course_key=offer.course_key, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_about")
    order.transition(OrderState.AWAITING_PAYMENT, checkout_session_id=f"cs_about_{suffix}")
    order.transition(OrderState.PAID, amount_paid=offer.price)
    if state == OrderState.FULFILLED:
        order.transition(OrderState.FULFILLED)
    return order


@pytest.fixture
def internal_rule():
    return AudienceRule.objects.create(domain="acme.example", scope="internal")


def test_steps_are_registered_for_the_three_render_filters(settings):
    config = settings.OPEN_EDX_FILTERS_CONFIG
    assert STEP in config[CourseAboutRenderStarted.filter_type]["pipeline"]
    assert "riseup_stripe_plugin.filters.DashboardCourseRunPriceStep" in \
        config[CourseRunAPIRenderStarted.filter_type]["pipeline"]
    assert "riseup_stripe_plugin.filters.DashboardEnrollmentInvoiceStep" in \
        config[CourseEnrollmentAPIRenderStarted.filter_type]["pipeline"]


@pytest.mark.parametrize("language,label,price", [
    ("en", "Buy – €49.00 incl. tax", "€49.00 incl. tax"),
    ("fr", "Acheter – 49,00 € TTC", "49,00 € TTC"),
])
def test_paid_course_shows_the_price_and_a_buy_link(client, language, label, price):
    learner = factories.user()
    course, _ = factories.paid_course(price=4900, currency="eur")
    client.force_login(learner)
    html = _about(client, course, language)
    purchase_url = reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})
    assert f'id="buy-link" href="{purchase_url}"' in html
    assert "add-to-cart" in html  # the legacy template's class for a checkout link
    assert f">{label}</a>" in html
    assert f'data-testid="about-price">{price}<' in html
    assert 'id="enroll"' not in html


def test_anonymous_visitor_sees_the_buy_link_of_a_public_course(client):
    course, _ = factories.paid_course()
    html = _about(client, course)
    assert 'id="buy-link"' in html
    # The purchase page it leads to asks them to sign in.
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})).content.decode()
    assert "Sign in to buy" in page


def test_enrolled_learner_gets_the_normal_view_course(client):
    learner = factories.user()
    course, _ = factories.paid_course()
    enrollment.enroll(learner, course.id)  # no request: a back-office enrollment
    client.force_login(learner)
    html = _about(client, course)
    assert 'id="view-course"' in html
    assert 'id="buy-link"' not in html and "Buy –" not in html


def test_learner_who_bought_is_not_offered_to_buy_again(client):
    learner = factories.user()
    course, offer = factories.paid_course()
    _order(learner, offer)  # bought, enrollment not made yet (or left): the normal enrollment button
    client.force_login(learner)
    html = _about(client, course)
    assert 'id="buy-link"' not in html
    assert 'id="enroll"' in html
    client.post(reverse("sandbox:enroll", args=[str(course.id)]))
    assert enrollment.is_enrolled(learner, course.id)
    assert 'id="view-course"' in _about(client, course)


def test_out_of_scope_learner_is_told_the_course_is_not_offered(client, internal_rule):
    learner = factories.user()  # @example.com: public
    course, offer = factories.paid_course()
    offer.scopes = "internal"
    offer.save()
    client.force_login(learner)
    html = _about(client, course)
    assert "This course is not offered to you." in html
    assert 'id="buy-link"' not in html and 'id="enroll"' not in html
    assert "Buy –" not in html and "€49.00" not in html
    assert "invitation only" not in html  # one message, not two that disagree


def test_payment_off_says_so_once(client, settings):
    settings.RISEUP_STRIPE_ENABLED = False
    course, _ = factories.paid_course()
    client.force_login(factories.user())
    html = _about(client, course)
    assert html.count("This course is not available for purchase right now.") == 1
    assert "Enrollment is Closed" not in html and 'id="buy-link"' not in html


def test_anonymous_visitor_is_not_offered_an_internal_course(client):
    course, offer = factories.paid_course()
    offer.scopes = "internal"
    offer.save()
    html = _about(client, course)
    assert "not offered to the public" in html
    assert 'id="buy-link"' not in html and 'id="enroll"' not in html


def test_internal_learner_may_buy_the_internal_course(client, internal_rule):
    learner = factories.user(email="ann@acme.example")
    course, offer = factories.paid_course()
    offer.scopes = "internal"
    offer.save()
    client.force_login(learner)
    assert 'id="buy-link"' in _about(client, course)


def test_course_not_on_sale_shows_no_buy_link(client):
    learner = factories.user()
    course, offer = factories.paid_course()
    offer.active = False
    offer.save()
    client.force_login(learner)
    html = _about(client, course)
    assert 'id="buy-link"' not in html and 'id="enroll"' not in html
    assert "not available for purchase" in html


def test_free_course_is_untouched(client):
    learner = factories.user()
    course = factories.course()
    client.force_login(learner)
    html = _about(client, course)
    assert 'id="enroll"' in html
    assert 'id="buy-link"' not in html and "data-testid=\"about-price\"" not in html


def _platform_context(course, **extra):
    """The context ``course_about`` gives the legacy template (the values the step reads or writes)."""
    return {
        "course": types.SimpleNamespace(id=course.id), "registered": False, "is_cosmetic_price_enabled": False,
        "course_price": "", "ecommerce_checkout": False, "ecommerce_checkout_link": "", "single_paid_mode": None,
        "show_courseware_link": False, "is_course_full": False, "can_enroll": True, "invitation_only": False,
        "active_reg_button": True, "is_shib_course": False, **extra,
    }


def test_step_sets_the_legacy_template_values():
    learner = factories.user()
    course, _ = factories.paid_course(price=1999, currency="usd")
    with impersonate(learner):
        context, template = CourseAboutRenderStarted.run_filter(
            context=_platform_context(course), template_name="courseware/course_about.html")
    assert template == "courseware/course_about.html"
    assert context["ecommerce_checkout"] is True
    assert context["ecommerce_checkout_link"] == f"/riseup-stripe/courses/{course.id}/"
    assert context["single_paid_mode"]  # "add-to-cart": no script turns the link into a self-enrollment
    assert context["is_cosmetic_price_enabled"] is True
    assert context["course_price"] == "$19.99 incl. tax"
    assert context["riseup_stripe"]["state"] == "buy"


def test_step_refuses_out_of_scope_with_the_legacy_template_values(internal_rule):
    learner = factories.user()
    course, offer = factories.paid_course()
    offer.scopes = "internal,partner"
    offer.save()
    with impersonate(learner):
        context, _template = CourseAboutRenderStarted.run_filter(
            context=_platform_context(course), template_name="courseware/course_about.html")
    assert context["can_enroll"] is False and context["active_reg_button"] is False
    assert context["ecommerce_checkout"] is False and not context["course_price"]
    assert context["riseup_stripe"]["state"] == "out_of_scope"
    # An explicit assignment opens it.
    LearnerScope.objects.create(user=learner, scope="partner")
    with impersonate(learner):
        context, _template = CourseAboutRenderStarted.run_filter(
            context=_platform_context(course), template_name="courseware/course_about.html")
    assert context["riseup_stripe"]["state"] == "buy"


def test_step_leaves_free_courses_alone(django_assert_num_queries):
    course = factories.course()
    original = _platform_context(course)
    with django_assert_num_queries(1):
        context, _template = CourseAboutRenderStarted.run_filter(context=dict(original), template_name="t.html")
    assert context == original


def test_step_costs_a_fixed_number_of_queries(internal_rule):
    learner = factories.user(email="bob@acme.example")
    counts = []
    for price in (100, 200, 300):  # the first one also reads the (cached) payment settings
        course, offer = factories.paid_course(price=price)
        offer.scopes = "internal"
        offer.save()
        with impersonate(learner), CaptureQueriesContext(connection) as queries:
            CourseAboutRenderStarted.run_filter(context=_platform_context(course), template_name="t.html")
        counts.append(len(queries))
    assert counts[1] == counts[2] <= 5, counts


def test_dashboard_steps_add_the_price_and_the_invoice():
    learner = factories.user()
    course, offer = factories.paid_course(price=4900, currency="eur")
    order = _order(learner, offer)
    Invoice.objects.create(order=order, user=learner, course_key=course.id, stripe_invoice_id="in_dash",
                           number="RS-0001", currency="eur", total=4900,
                           hosted_invoice_url="https://invoice.stripe.test/i/in_dash",
                           invoice_pdf_url="https://invoice.stripe.test/i/in_dash/pdf")
    free = factories.course()
    run = CourseRunAPIRenderStarted.run_filter(serialized_courserun={"courseId": str(course.id)})
    assert run["riseupStripe"]["priceDisplay"] == "€49.00 incl. tax" and run["riseupStripe"]["price"] == 4900
    assert "riseupStripe" not in CourseRunAPIRenderStarted.run_filter(serialized_courserun={"courseId": str(free.id)})
    with impersonate(learner):
        _key, data = CourseEnrollmentAPIRenderStarted.run_filter(course_key=course.id,
                                                                 serialized_enrollment={"mode": "audit"})
    assert data["riseupStripe"]["invoiceUrl"] == "https://invoice.stripe.test/i/in_dash"
    assert data["riseupStripe"]["invoiceNumber"] == "RS-0001"
    assert data["riseupStripe"]["invoicesUrl"] == reverse("riseup_stripe:my_invoices")
    with impersonate(learner):
        _key, data = CourseEnrollmentAPIRenderStarted.run_filter(course_key=free.id,
                                                                 serialized_enrollment={"mode": "audit"})
    assert "riseupStripe" not in data
