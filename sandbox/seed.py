"""Demo data: users, courses (free and paid in three currency classes), promotion codes."""

from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey

from riseup_stripe_plugin.models import CourseOffer, PaymentConfiguration
from sandbox.platform.models import Course, CourseAccessRole

USERS = [
    # username, password, role
    ("learner", "learner-pass", "learner"),
    ("learner2", "learner2-pass", "learner"),
    ("instructor", "instructor-pass", "course staff"),
    ("admin", "admin-pass", "administrator"),
]

COURSES = [
    # course id, title, price in minor units (None = free), currency
    ("course-v1:RiseUp+FREE101+2026", "Open Learning 101", None, ""),
    ("course-v1:RiseUp+STRIPE201+2026", "Selling Courses with Stripe", 4900, "eur"),
    ("course-v1:RiseUp+JP301+2026", "Japanese for Business", 5000, "jpy"),
    ("course-v1:RiseUp+DATA401+2026", "Data Literacy", 1999, "usd"),
]

PROMOTION_CODES = [
    # code, percent off
    ("WELCOME10", "10"),
    ("FREECOURSE", "100"),
]


def seed_platform():
    PaymentConfiguration.objects.update_or_create(pk=1, defaults={"enabled": True, "default_currency": "eur"})
    User = get_user_model()
    for username, password, role in USERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        user.set_password(password)
        user.first_name = username.capitalize()
        user.is_staff = role == "administrator"
        user.is_superuser = role == "administrator"
        user.save()
    instructor = User.objects.get(username="instructor")
    for course_id, title, price, currency in COURSES:
        key = CourseKey.from_string(course_id)
        Course.objects.update_or_create(id=key, defaults={"display_name": title, "org": key.org})
        CourseAccessRole.objects.get_or_create(user=instructor, course_id=key, role="instructor")
        if price is not None:
            CourseOffer.objects.update_or_create(
                course_key=key, defaults={"is_paid": True, "price": price, "currency": currency, "active": True},
            )


def seed_stripe(client):
    """Promotion codes live in Stripe, not in the LMS: create them there."""
    existing = {p["code"] for p in client.v1.promotion_codes.list(params={"limit": 100}).to_dict()["data"]}
    for code, percent in PROMOTION_CODES:
        if code in existing:
            continue
        coupon = client.v1.coupons.create(params={"percent_off": percent, "duration": "once", "name": code},
                                          options={"idempotency_key": f"demo-coupon-{code}"})
        client.v1.promotion_codes.create(
            params={"promotion": {"type": "coupon", "coupon": coupon.id}, "code": code},
            options={"idempotency_key": f"demo-promo-{code}"},
        )
