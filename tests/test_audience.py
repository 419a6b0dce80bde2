"""Audience scopes: how a learner's scope is decided, and every place that refuses out-of-scope learners."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from riseup_stripe_plugin.catalog import audience
from riseup_stripe_plugin.exceptions import PurchaseRefused
from riseup_stripe_plugin.models import (
    AudienceRule,
    BackOfficeEnrollment,
    CourseOffer,
    LearnerScope,
    Order,
    StripeCustomer,
)
from riseup_stripe_plugin.orders.purchase import check_can_buy
from sandbox.platform import enrollment
from sandbox.platform.models import CourseEnrollment

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_stripe(settings):
    # Nothing listens there: a Stripe call would fail the test with a 503.
    settings.RISEUP_STRIPE_API_BASE = "http://127.0.0.1:9"


@pytest.fixture
def rules():
    AudienceRule.objects.create(domain="acme.com", scope="internal")
    AudienceRule.objects.create(domain="partner.org", scope="partner")


@pytest.fixture
def internal_course():
    course, offer = factories.paid_course()
    offer.scopes = "internal"
    offer.save()
    return course, offer


# --- Who belongs where ------------------------------------------------------------------------------------------

def test_default_is_public_and_anonymous_is_public(rules):
    from django.contrib.auth.models import AnonymousUser

    assert audience.learner_scope(factories.user(email="someone@elsewhere.net")) == "public"
    assert audience.learner_scope(AnonymousUser()) == "public"
    assert audience.learner_scope(None) == "public"


def test_email_domain_rules(rules):
    assert audience.learner_scope(factories.user(email="ann@acme.com")) == "internal"
    assert audience.learner_scope(factories.user(email="Bob@ACME.com")) == "internal"
    assert audience.learner_scope(factories.user(email="eve@eu.acme.com")) == "internal"  # subdomain
    assert audience.learner_scope(factories.user(email="pat@partner.org")) == "partner"
    assert audience.learner_scope(factories.user(email="x@notacme.com")) == "public"  # not a subdomain


def test_inactive_rules_do_not_count(rules):
    AudienceRule.objects.filter(domain="acme.com").update(active=False)
    assert audience.learner_scope(factories.user(email="ann@acme.com")) == "public"


def test_rule_priority_then_the_most_specific_domain():
    AudienceRule.objects.create(domain="acme.com", scope="internal", priority=100)
    AudienceRule.objects.create(domain="contractors.acme.com", scope="partner", priority=100)
    user = factories.user(email="c@contractors.acme.com")
    assert audience.learner_scope(user) == "partner"  # same priority: the more specific domain
    AudienceRule.objects.filter(domain="acme.com").update(priority=1)
    assert audience.learner_scope(user) == "internal"  # a lower number wins


def test_explicit_assignment_beats_rule_beats_default(rules):
    user = factories.user(email="ann@acme.com")
    assert (audience.learner_scope(user), audience.scope_source(user)) == ("internal", "rule")
    LearnerScope.objects.create(user=user, scope="partner")
    assert (audience.learner_scope(user), audience.scope_source(user)) == ("partner", "assignment")
    other = factories.user(email="z@example.net")
    assert (audience.learner_scope(other), audience.scope_source(other)) == ("public", "default")


def test_scope_resolution_costs_at_most_two_queries(rules, django_assert_max_num_queries):
    user = factories.user(email="ann@acme.com")
    offers = [factories.paid_course(price=100 + i)[1] for i in range(20)]
    with django_assert_max_num_queries(2):
        visible = audience.visible_offers(user, offers)
    assert len(visible) == 20


def test_domain_rules_are_normalised():
    rule = AudienceRule.objects.create(domain=" @Acme.COM. ", scope="internal")
    assert rule.domain == "acme.com"


def test_offer_scopes_default_to_public_and_free_courses_are_open(internal_course):
    course, offer = factories.paid_course()
    assert offer.scopes == "public"
    assert audience.offer_visible_to(None, offer)
    assert not audience.offer_visible_to(None, internal_course[1])
    free = CourseOffer.objects.create(course_key=factories.course().id, is_paid=False, scopes="internal")
    assert audience.offer_visible_to(None, free)


# --- Enforcement: the purchase (page, POST, API) ----------------------------------------------------------------

def test_check_can_buy_refuses_out_of_scope(internal_course):
    course, offer = internal_course
    with pytest.raises(PurchaseRefused) as refused:
        check_can_buy(factories.user(), course.id, offer)
    assert refused.value.code == "out_of_scope" and refused.value.status == 403


def test_purchase_page_says_not_offered(client, internal_course):
    course, _ = internal_course
    client.force_login(factories.user())
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})).content.decode()
    assert "This course is not offered to you." in page
    assert 'id="buy"' not in page and 'data-testid="price"' not in page


def test_purchase_post_is_refused_before_any_stripe_call(client, internal_course):
    course, _ = internal_course
    client.force_login(factories.user())
    response = client.post(reverse("riseup_stripe:start_purchase", kwargs={"course_id": str(course.id)}))
    assert response.status_code == 403
    assert "This course is not offered to you." in response.content.decode()
    assert not Order.objects.exists() and not StripeCustomer.objects.exists()


def test_purchase_api_is_refused(client, internal_course):
    course, _ = internal_course
    client.force_login(factories.user())
    response = client.post(reverse("riseup_stripe:api_purchase"), {"course_id": str(course.id)},
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"error": "out_of_scope", "message": "This course is not offered to you."}
    assert not Order.objects.exists()


def test_in_scope_learner_passes_the_check(rules, internal_course):
    course, offer = internal_course
    assert check_can_buy(factories.user(email="ann@acme.com"), course.id, offer) == offer


# --- Enforcement: enrollment gating -----------------------------------------------------------------------------

def test_out_of_scope_self_enrollment_is_refused_as_not_offered(client, internal_course):
    course, _ = internal_course
    learner = factories.user()
    client.force_login(learner)
    response = client.post(reverse("sandbox:enroll", args=[str(course.id)]), follow=True)
    assert not CourseEnrollment.objects.filter(user=learner, course_id=course.id).exists()
    page = response.content.decode()
    assert "This course is not offered to you." in page
    assert "Buy it to enroll" not in page


def test_in_scope_self_enrollment_without_purchase_points_to_the_purchase(client, rules, internal_course):
    course, _ = internal_course
    learner = factories.user(email="ann@acme.com")
    client.force_login(learner)
    page = client.post(reverse("sandbox:enroll", args=[str(course.id)]), follow=True).content.decode()
    assert not CourseEnrollment.objects.filter(user=learner, course_id=course.id).exists()
    assert reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)}) in page


def test_back_office_enrollment_of_an_out_of_scope_learner_still_works(client, internal_course):
    course, _ = internal_course
    learner = factories.user()
    staff = factories.user("scopestaff", is_staff=True)
    client.force_login(staff)
    client.post(reverse("sandbox:staff_enroll", args=[str(course.id)]), {"identifier": learner.username})
    assert enrollment.is_enrolled(learner, course.id)
    assert BackOfficeEnrollment.objects.filter(learner=learner, course_key=course.id).exists()


# --- Administration: CSV import and the offer's scopes ----------------------------------------------------------

def test_csv_import_applies_and_refuses_row_by_row(rules):
    admin_user = factories.user("importer", is_staff=True)
    ann = factories.user("ann", email="ann@example.com")
    bob = factories.user("bob", email="bob@example.com")
    LearnerScope.objects.create(user=bob, scope="public")
    factories.user("dup1", email="dup@example.com")
    factories.user("dup2", email="dup@example.com")
    text = ("username,scope\n"
            "ann,internal\n"
            "bob@example.com,Partner\n"
            "nobody,public\n"
            "ann,galactic\n"
            "justone\n"
            "dup@example.com,public\n"
            "\n# a comment\n")
    report = audience.import_learner_scopes(text, actor=admin_user)
    assert [(line, user.username, scope, created) for line, user, scope, created in report.applied] == [
        (2, "ann", "internal", True), (3, "bob", "partner", False)]
    reasons = {line: reason for line, _text, reason in report.refused}
    assert set(reasons) == {4, 5, 6, 7}
    assert "No account" in reasons[4] and "Unknown scope" in reasons[5]
    assert "two columns" in reasons[6] and "Several accounts" in reasons[7]
    assert LearnerScope.objects.get(user=ann).set_by == admin_user
    assert audience.learner_scope(bob) == "partner"


def test_admin_csv_import_page_reports(admin_client):
    factories.user("carol")
    upload = SimpleUploadedFile("scopes.csv", b"carol,internal\nghost,partner\n", content_type="text/csv")
    url = reverse("admin:riseup_stripe_plugin_learnerscope_import")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"csv_file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="applied-rows"' in html and "carol" in html
    assert 'id="refused-rows"' in html and "ghost" in html and "No account" in html
    assert LearnerScope.objects.get(user__username="carol").scope == "internal"
    assert admin_client.get(reverse("admin:riseup_stripe_plugin_learnerscope_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:riseup_stripe_plugin_audiencerule_changelist")).status_code == 200


def test_admin_offer_form_sets_the_scopes(admin_client):
    course, offer = factories.paid_course()
    url = reverse("admin:riseup_stripe_plugin_courseoffer_change", args=[offer.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="scopes" value="internal"' in page and 'name="scopes_shown"' in page
    form = {"is_paid": "on", "price_major": "49.00", "currency": "eur", "active": "on", "enrollment_mode": "",
            "scopes_shown": "1", "scopes": ["internal", "partner"], **factories.OFFER_CHANGES_INLINE}
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    offer.refresh_from_db()
    assert offer.scopes == "internal,partner"
    # Every box unticked: refused, not silently public.
    response = admin_client.post(url, {**form, "scopes": []})
    assert response.status_code == 200 and "Choose at least one audience scope." in response.content.decode()
    offer.refresh_from_db()
    assert offer.scopes == "internal,partner"


def test_gate_costs_one_query_on_allowed_paths_and_a_few_more_to_refuse(internal_course):
    from crum import set_current_request
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from openedx_filters.learning.filters import CourseEnrollmentStarted

    from riseup_stripe_plugin.enrollment.gate import PaidCourseEnrollmentGate
    from riseup_stripe_plugin.states import OrderState

    course, offer = internal_course
    step = PaidCourseEnrollmentGate(CourseEnrollmentStarted.filter_type, [])
    buyer = factories.user()  # out of scope now, but bought it (e.g. before the scope changed)
    order = Order.objects.create(user=buyer, course_key=course.id, offer=offer, amount=offer.price,
                                 currency=offer.currency, stripe_price_id="price_g")
    order.transition(OrderState.AWAITING_PAYMENT, checkout_session_id="cs_g")
    order.transition(OrderState.PAID)
    learner = factories.user()
    request = RequestFactory().post("/")
    request.user = learner
    set_current_request(request)
    try:
        with CaptureQueriesContext(connection) as allowed:
            assert step.run_filter(user=buyer, course_key=course.id, mode="audit") == {}
        with CaptureQueriesContext(connection) as refused, \
                pytest.raises(CourseEnrollmentStarted.PreventEnrollment, match="not offered to you"):
            step.run_filter(user=learner, course_key=course.id, mode="audit")
    finally:
        set_current_request(None)
    assert len(allowed) == 1
    assert len(refused) <= 6
    print(f"gate queries: allowed {len(allowed)}, out-of-scope refusal {len(refused)}")
