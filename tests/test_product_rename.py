"""
Course renames reach the Stripe Product: on Studio's COURSE_CATALOG_INFO_CHANGED (after the publish commits) and at
the next save of the offer, each rename under its own idempotency key naming the new name.
"""

import pytest
from django.db import transaction

from riseup_stripe_plugin.catalog.offers import sync_offer
from riseup_stripe_plugin.catalog.pricing import set_offer
from riseup_stripe_plugin.models import CourseOffer
from riseup_stripe_plugin.stripe_gateway import params_digest
from sandbox.platform.models import Course
from sandbox.platform.studio import publish_course

from . import factories

pytestmark = pytest.mark.django_db(transaction=True)


def product_updates(stripe, product_id):
    return [r for r in stripe.requests() if r["method"] == "POST" and r["path"] == f"/v1/products/{product_id}"]


def synced(name="Old name"):
    course, offer = factories.paid_course(name=name)
    return course, sync_offer(offer)


def test_a_rename_published_in_studio_renames_the_product_after_the_commit(stripe):
    course, offer = synced()
    product = stripe.client().v1.products.retrieve(offer.stripe_product_id)
    assert product.name == "Old name"
    stripe.clear_requests()
    with transaction.atomic():
        publish_course(course, display_name="New name")
        assert product_updates(stripe, offer.stripe_product_id) == []  # nothing at Stripe inside the publish
    (update,) = product_updates(stripe, offer.stripe_product_id)
    assert update["params"] == {"name": "New name"}
    assert update["idempotency_key"].endswith(f"-product-{offer.stripe_product_id}-name-v1-"
                                              f"{params_digest({'name': 'New name'})}")
    assert stripe.client().v1.products.retrieve(offer.stripe_product_id).name == "New name"
    offer.refresh_from_db()
    assert offer.stripe_product_name == "New name" and offer.product_name_version == 1

    # Published again with the same name: no call. Renamed back: a new rename, a new key.
    publish_course(Course.objects.get(pk=course.pk))
    assert len(product_updates(stripe, offer.stripe_product_id)) == 1
    publish_course(Course.objects.get(pk=course.pk), display_name="Old name")
    updates = product_updates(stripe, offer.stripe_product_id)
    assert len(updates) == 2 and len({u["idempotency_key"] for u in updates}) == 2
    assert stripe.client().v1.products.retrieve(offer.stripe_product_id).name == "Old name"


def test_a_course_without_a_product_costs_no_call(stripe):
    course = factories.course(name="Free course")
    stripe.clear_requests()
    publish_course(course, display_name="Still free")
    assert stripe.requests() == []


def test_the_next_offer_save_renames_a_product_left_behind(stripe):
    course, offer = synced()
    Course.objects.filter(pk=course.pk).update(display_name="Renamed while Stripe was down")
    stripe.clear_requests()
    set_offer(course.id, is_paid=True, price="49.00", currency="eur")
    assert stripe.client().v1.products.retrieve(offer.stripe_product_id).name == "Renamed while Stripe was down"
    assert CourseOffer.objects.get(pk=offer.pk).stripe_product_name == "Renamed while Stripe was down"
    assert [r["path"] for r in stripe.requests() if r["method"] == "POST"] == [
        f"/v1/products/{offer.stripe_product_id}"]


def test_stripe_down_during_the_rename_leaves_it_for_the_next_save(stripe):
    course, offer = synced()
    stripe.add_fault("/v1/products", status=503, method="POST")
    publish_course(course, display_name="New name")
    assert CourseOffer.objects.get(pk=offer.pk).stripe_product_name == "Old name"
    stripe.clear_faults()
    set_offer(course.id, is_paid=True, price="49.00", currency="eur")
    assert stripe.client().v1.products.retrieve(offer.stripe_product_id).name == "New name"
