"""Small builders for test data (plain functions: no factory library needed)."""

import itertools

from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey

from riseup_stripe_plugin.models import CourseOffer
from sandbox.platform.models import Course, CourseAccessRole

_seq = itertools.count(1)


def user(username=None, **extra):
    n = next(_seq)
    username = username or f"learner{n}"
    return get_user_model().objects.create_user(
        username=username, email=extra.pop("email", f"{username}@example.com"), password="pass", **extra,
    )


def course(course_id=None, name=None, **extra):
    n = next(_seq)
    key = CourseKey.from_string(course_id or f"course-v1:RiseUp+C{n}+2026")
    return Course.objects.create(id=key, display_name=name or f"Course {n}", org=key.org, **extra)


def offer(course_obj, price=4900, currency="eur", **extra):
    return CourseOffer.objects.create(course_key=course_obj.id, is_paid=True, price=price, currency=currency, **extra)


def paid_course(price=4900, currency="eur", **extra):
    c = course(**extra)
    return c, offer(c, price=price, currency=currency)


def sold_course(price=4900, currency="eur", **extra):
    """A paid course priced as the admin and Studio do it: saving the offer syncs its Stripe Product and Price."""
    from riseup_stripe_plugin.catalog.offers import sync_offer

    c, o = paid_course(price=price, currency=currency, **extra)
    return c, sync_offer(o)


def role(user_obj, course_obj, name="instructor"):
    return CourseAccessRole.objects.create(user=user_obj, course_id=course_obj.id, role=name)


def promotion_code(stripe_client, code, percent_off):
    """A Stripe promotion code (vouchers live in Stripe, not in the LMS)."""
    coupon = stripe_client.v1.coupons.create(params={"percent_off": str(percent_off), "duration": "once"})
    return stripe_client.v1.promotion_codes.create(
        params={"promotion": {"type": "coupon", "coupon": coupon.id}, "code": code})


#: The management form of the offer page's read-only "changes" inline, which a browser always sends.
OFFER_CHANGES_INLINE = {"changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0",
                        "changes-MIN_NUM_FORMS": "0", "changes-MAX_NUM_FORMS": "1000"}
