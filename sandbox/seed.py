"""Demo data: users, courses (free and paid in three currency classes), promotion codes."""

from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey

from riseup_stripe_plugin.models import AudienceRule, CourseOffer, PaymentConfiguration
from sandbox.platform.models import Course, CourseAccessRole

USERS = [
    # username, password, role
    ("learner", "learner-pass", "learner"),
    ("learner2", "learner2-pass", "learner"),
    ("instructor", "instructor-pass", "course staff"),
    ("admin", "admin-pass", "administrator"),
    ("internal", "internal-pass", "learner, internal scope (@acme.example)"),
    ("partner", "partner-pass", "learner, partner scope (@partner.example)"),
]

#: Email addresses other than "<username>@example.com" (whose scope is then public).
EMAILS = {
    "internal": "internal@acme.example",
    "partner": "partner@partner.example",
}

AUDIENCE_RULES = [
    # email domain, scope
    ("acme.example", "internal"),
    ("partner.example", "partner"),
]

COURSES = [
    # course id, title, price in minor units (None = free), currency
    ("course-v1:RiseUp+FREE101+2026", "Open Learning 101", None, ""),
    ("course-v1:RiseUp+STRIPE201+2026", "Selling Courses with Stripe", 4900, "eur"),
    ("course-v1:RiseUp+JP301+2026", "Japanese for Business", 5000, "jpy"),
    ("course-v1:RiseUp+DATA401+2026", "Data Literacy", 1999, "usd"),
    ("course-v1:RiseUp+INT501+2026", "Internal Onboarding", 9900, "eur"),
    ("course-v1:RiseUp+PART601+2026", "Partner Sales Academy", 2900, "eur"),
]

#: Audience scopes of the paid courses; the others are public.
COURSE_SCOPES = {
    "course-v1:RiseUp+INT501+2026": "internal",
    "course-v1:RiseUp+PART601+2026": "partner,public",
}

PROMOTION_CODES = [
    # code, percent off
    ("WELCOME10", "10"),
    ("FREECOURSE", "100"),
]

#: The courses the demo's ``instructor`` teaches (course team role ``instructor``): every demo course.
INSTRUCTOR_COURSES = [course_id for course_id, *_ in COURSES]


def promotion_code_effect(percent: str) -> str:
    """What a demo promotion code does, as the startup lines say it."""
    return "100% off: the course is free, no card asked" if percent == "100" else f"{percent}% off"


def seed_platform():
    PaymentConfiguration.objects.update_or_create(pk=1, defaults={"enabled": True, "default_currency": "eur"})
    User = get_user_model()
    for username, password, role in USERS:
        email = EMAILS.get(username, f"{username}@example.com")
        user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
        user.set_password(password)
        user.first_name = username.capitalize()
        user.is_staff = role == "administrator"
        user.is_superuser = role == "administrator"
        user.save()
    instructor = User.objects.get(username="instructor")
    for course_id, title, price, currency in COURSES:
        key = CourseKey.from_string(course_id)
        Course.objects.update_or_create(id=key, defaults={"display_name": title, "org": key.org})
        if course_id in INSTRUCTOR_COURSES:
            CourseAccessRole.objects.get_or_create(user=instructor, course_id=key, role="instructor")
        if price is not None:
            CourseOffer.objects.update_or_create(
                course_key=key, defaults={"is_paid": True, "price": price, "currency": currency, "active": True,
                                          "scopes": COURSE_SCOPES.get(course_id, "public")},
            )
    seed_audience()


def seed_audience():
    """The rules that give learners their scope, by the domain of their email address."""
    for domain, scope in AUDIENCE_RULES:
        AudienceRule.objects.update_or_create(domain=domain, defaults={"scope": scope, "active": True})


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
