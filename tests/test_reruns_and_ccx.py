"""
A course is never free by accident: a Studio re-run inherits its source's offer (off sale), and a CCX
is sold at its master course's offer everywhere an offer is looked up.
"""

import pytest
from django.urls import reverse
from opaque_keys.edx.keys import CourseKey
from openedx_filters.learning.filters import CourseRunAPIRenderStarted

from riseup_stripe_plugin.catalog.offers import get_offer, offer_course_key, offers_for
from riseup_stripe_plugin.models import CourseOffer, OfferChange, Order
from sandbox.platform import enrollment
from sandbox.platform.models import CourseEnrollment
from sandbox.platform.reruns import rerun_course

from . import factories

pytestmark = pytest.mark.django_db

RERUN = CourseKey.from_string("course-v1:RiseUp+Rerun+2027")


def _self_enroll(client, learner, course_key):
    client.force_login(learner)
    return client.post(reverse("sandbox:enroll", args=[str(course_key)]))


# --- Re-runs -------------------------------------------------------------------------------------------------

def test_rerun_of_a_paid_course_is_paid_at_the_same_terms_and_not_on_sale(client):
    source, offer = factories.paid_course(price=12340, currency="usd")
    offer.scopes, offer.enrollment_mode = "internal,partner", "verified"
    offer.save()
    author = factories.user("author")
    rerun_course(source.id, RERUN, author)  # the platform's task: CourseRerunState, then COURSE_RERUN_COMPLETED

    inherited = CourseOffer.objects.get(course_key=RERUN)
    assert (inherited.is_paid, inherited.price, inherited.currency, inherited.scopes, inherited.enrollment_mode) == \
        (True, 12340, "usd", "internal,partner", "verified")
    assert inherited.active is False and not inherited.purchasable
    change = OfferChange.objects.get(offer=inherited)
    assert change.source == OfferChange.Source.RERUN and change.actor == author
    assert change.before == {} and change.after["price"] == 12340 and change.after["active"] is False

    learner = factories.user()
    _self_enroll(client, learner, RERUN)
    assert not CourseEnrollment.objects.filter(user=learner, course_id=RERUN).exists()
    page = client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(RERUN)})).content.decode()
    assert "not available for purchase" in page


def test_rerun_of_a_free_course_stays_free_and_an_existing_offer_is_kept():
    free = factories.course()
    rerun_course(free.id, RERUN, factories.user())
    assert not CourseOffer.objects.filter(course_key=RERUN).exists()

    source, _ = factories.paid_course(price=4900)
    target = CourseKey.from_string("course-v1:RiseUp+Priced+2027")
    factories.course(course_id=str(target))
    CourseOffer.objects.create(course_key=target, is_paid=True, price=9900, currency="eur")
    from riseup_stripe_plugin.receivers import course_rerun_completed
    from sandbox.platform.models import CourseRerunState

    CourseRerunState.objects.create(course_key=target, source_course_key=source.id, state="succeeded")
    course_rerun_completed(target)
    course_rerun_completed(target)  # the event delivered twice
    assert CourseOffer.objects.get(course_key=target).price == 9900
    assert not OfferChange.objects.filter(course_key=target).exists()


# --- CCX -----------------------------------------------------------------------------------------------------

@pytest.fixture
def ccx():
    master, offer = factories.paid_course(price=4900, currency="eur")
    key = CourseKey.from_string(f"ccx-v1:{master.id.org}+{master.id.course}+{master.id.run}+ccx@7")
    course = factories.course(course_id=str(key), name="Coached run")
    return master, offer, course


def test_a_ccx_resolves_to_its_master_offer(ccx):
    master, offer, course = ccx
    assert offer_course_key(course.id) == master.id
    assert get_offer(course.id) == offer
    assert offers_for([course.id, master.id]) == {course.id: offer, master.id: offer}


def test_self_enrollment_into_a_ccx_of_a_paid_course_is_refused(client, ccx):
    _, _, course = ccx
    learner = factories.user()
    _self_enroll(client, learner, course.id)
    assert not CourseEnrollment.objects.filter(user=learner, course_id=course.id).exists()
    with pytest.raises(enrollment.EnrollmentNotAllowed):
        from .test_course_about import impersonate

        with impersonate(learner):
            enrollment.enroll(learner, course.id)


def test_a_ccx_shows_and_sells_its_master_price(client, ccx, stripe, settings):
    _, offer, course = ccx
    page = client.get(reverse("sandbox:about", args=[str(course.id)])).content.decode()
    assert "€49.00 incl. tax" in page.replace("\xa0", " ")
    catalog = client.get(reverse("riseup_stripe:api_catalog")).json()["results"]
    row = next(r for r in catalog if r["course_id"] == str(course.id))
    assert row["is_paid"] is True and row["price"] == 4900
    run = CourseRunAPIRenderStarted.run_filter(serialized_courserun={"courseId": str(course.id)})
    assert run["riseupStripe"]["price"] == 4900

    learner = factories.user()
    client.force_login(learner)
    response = client.post(reverse("riseup_stripe:api_purchase"), {"course_id": str(course.id)},
                           content_type="application/json")
    assert response.status_code in (200, 201), response.content
    order = Order.objects.get(user=learner)
    assert order.course_key == course.id and order.offer == offer and order.amount == 4900
    session = stripe.client().v1.checkout.sessions.retrieve(order.checkout_session_id)
    assert session.amount_total == 4900


def test_a_ccx_cannot_be_priced_apart_from_its_master(client, ccx):
    master, _, course = ccx
    client.force_login(factories.user(is_staff=True))
    response = client.put(reverse("riseup_stripe:api_offer", kwargs={"course_id": str(course.id)}),
                          {"is_paid": False}, content_type="application/json")
    assert response.status_code == 400 and str(master.id) in response.json()["course_id"][0]
    assert not CourseOffer.objects.filter(course_key=course.id).exists()
    assert client.get(reverse("riseup_stripe:api_offer",
                              kwargs={"course_id": str(course.id)})).json()["price_minor"] == 4900
