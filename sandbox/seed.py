"""Demo data: users, courses (free and paid in three currency classes), promotion codes, months of sales."""

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


#: Buyers of the demo's sales history (not users to sign in with), by email domain: their scope follows.
HISTORY_BUYERS = 40
HISTORY_DOMAINS = ["example.com", "example.com", "acme.example", "partner.example"]
HISTORY_COUNTRIES = ["FR", "FR", "FR", "DE", "BE", "ES", "US"]
#: How far back the history goes, in days.
HISTORY_DAYS = 120


def seed_sales(today=None):
    """
    A few months of sales, so the sales dashboard opens populated.

    The history lives in the LMS only (orders, invoices, credit notes, back-office enrollments written
    as the webhooks would have stored them); Stripe has none of it. Each buyer buys each course at most
    once; about one sale in twelve has a partial refund and one in twenty is cancelled. Seeded once.
    """
    import random
    from datetime import datetime, time, timedelta
    from decimal import ROUND_HALF_UP, Decimal

    from django.utils import timezone

    from riseup_stripe_plugin.catalog.audience import learner_scope
    from riseup_stripe_plugin.catalog.scopes import split_scopes
    from riseup_stripe_plugin.models import BackOfficeEnrollment, CreditNote, Invoice, Order
    from sandbox.platform.models import CourseEnrollment

    if Invoice.objects.filter(stripe_invoice_id__startswith="in_demo_").exists():
        return
    User = get_user_model()
    rng = random.Random(2026)
    zone = timezone.get_default_timezone()
    today = today or timezone.localdate()
    buyers = []
    for n in range(1, HISTORY_BUYERS + 1):
        user, _ = User.objects.get_or_create(
            username=f"buyer{n:02d}",
            defaults={"email": f"buyer{n:02d}@{HISTORY_DOMAINS[n % len(HISTORY_DOMAINS)]}",
                      "first_name": f"Buyer {n:02d}"})
        buyers.append(user)
    offers = list(CourseOffer.objects.filter(is_paid=True).order_by("course_key"))
    admin = User.objects.filter(is_superuser=True).first()
    number = 0
    for user in buyers:
        scope = learner_scope(user)
        for offer in offers:
            if rng.random() > 0.35 or scope not in split_scopes(offer.scopes):
                continue
            number += 1
            day = today - timedelta(days=rng.randrange(HISTORY_DAYS))
            issued = datetime.combine(day, time(rng.randrange(7, 23), rng.randrange(60)), tzinfo=zone)
            code = "WELCOME10" if rng.random() < 0.25 else ""
            discount = offer.price // 10 if code else 0
            total = offer.price - discount
            # 20 % VAT included in the price of euro sales; none elsewhere.
            tax = int(total - (Decimal(total) / Decimal("1.2")).quantize(Decimal(1), ROUND_HALF_UP)) \
                if offer.currency == "eur" else 0
            fate = rng.random()
            cancelled = fate < 0.05
            order = Order.objects.create(
                user=user, course_key=offer.course_key, offer=offer, amount=offer.price, currency=offer.currency,
                stripe_price_id=offer.stripe_price_id or "price_demo_history",
                state="cancelled" if cancelled else "fulfilled", amount_paid=total, amount_discount=discount,
                promotion_code=code, promotion_code_id=f"promo_demo_{code}" if code else "", audience_scope=scope,
                payment_intent_id=f"pi_demo_{number:04d}", stripe_invoice_id=f"in_demo_{number:04d}",
                paid_at=issued, fulfilled_at=issued, cancelled_at=issued + timedelta(days=3) if cancelled else None)
            refund = total if cancelled else (total // 4 if fate > 0.92 else 0)
            status = "cancelled" if cancelled else ("partially_refunded" if refund else "paid")
            invoice = Invoice.objects.create(
                order=order, user=user, course_key=offer.course_key, stripe_invoice_id=order.stripe_invoice_id,
                number=f"DEMO-{number:04d}", status=status, stripe_status="paid",
                currency=offer.currency, subtotal=offer.price, tax=tax, discount=discount, total=total,
                amount_paid=total, amount_refunded=refund, customer_email=user.email, customer_name=user.first_name,
                buyer_country=rng.choice(HISTORY_COUNTRIES), issued_at=issued, paid_at=issued,
                cancelled_at=issued + timedelta(days=3) if cancelled else None)
            if not cancelled:
                CourseEnrollment.objects.get_or_create(user=user, course_id=offer.course_key,
                                                       defaults={"mode": offer.enrollment_mode or "audit"})
            if refund:
                note_tax = tax * refund // total if total else 0
                CreditNote.objects.create(
                    invoice=invoice, stripe_credit_note_id=f"cn_demo_{number:04d}", number=f"DEMO-{number:04d}-CN",
                    amount=refund, tax=note_tax, currency=offer.currency,
                    source="admin" if cancelled else "refund", created_by=admin if cancelled else None,
                    issued_at=issued + timedelta(days=3))
    for user, offer in zip(buyers[::9], offers, strict=False):
        if not CourseEnrollment.objects.filter(user=user, course_id=offer.course_key).exists():
            CourseEnrollment.objects.create(user=user, course_id=offer.course_key, mode="audit")
            BackOfficeEnrollment.objects.create(learner=user, course_key=offer.course_key, actor=admin,
                                                path="admin_action", mode="audit")
