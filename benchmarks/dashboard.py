"""
Comparison 6: the sales dashboard's time, as the number of invoices grows.

    python -m benchmarks.dashboard --db sqlite|mariadb --size smoke|full --out FILE

Seeds orders and their paid invoices over the last twelve months (three currencies, forty
courses, buyers in five countries, audience scopes, promotion codes), a credit note on one
invoice in ten (partial refunds and cancellations) and back-office enrollments, then times the
admin page signed in as a superuser through Django's test client: the last 30 days per day,
the last 12 months per month, one course, and the CSV of the 12 months. The figures are not
compared with a baseline (there is none in the platform): the report gives the times and the
query counts, which do not depend on the number of invoices.
"""

from __future__ import annotations

import time
from datetime import timedelta

from .common import interleaved, main, summary

URL = "/admin/riseup_stripe_plugin/invoice/dashboard/"
CURRENCIES = [("eur", 4900), ("usd", 1999), ("jpy", 5000), ("eur", 990)]
COUNTRIES = ["FR", "DE", "BE", "US", "JP"]
SCOPES = ["public", "internal", "partner", ""]
CODES = ["", "", "", "TEN", "SPRING", "Half50"]
COURSES = 40
BATCH = 5000


def seed(count: int) -> dict:
    """``count`` paid invoices (and their orders) over the last year; returns what the page is asked for."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from opaque_keys.edx.keys import CourseKey

    from riseup_stripe_plugin.models import BackOfficeEnrollment, CourseOffer, CreditNote, Invoice, Order
    from sandbox.platform.models import Course

    User = get_user_model()
    learners = User.objects.bulk_create([User(username=f"buyer{i}", email=f"buyer{i}@example.com")
                                         for i in range(max(1, min(count, 2000)))])
    learners = list(User.objects.filter(username__startswith="buyer").order_by("pk"))
    keys = [CourseKey.from_string(f"course-v1:Bench+S{i:02d}+2026") for i in range(COURSES)]
    Course.objects.bulk_create([Course(id=key, display_name=f"Sales course {i:02d}", org="Bench")
                                for i, key in enumerate(keys)])
    offers = CourseOffer.objects.bulk_create([
        CourseOffer(course_key=key, is_paid=True, price=CURRENCIES[i % len(CURRENCIES)][1],
                    currency=CURRENCIES[i % len(CURRENCIES)][0]) for i, key in enumerate(keys)])
    now = timezone.now()
    span = timedelta(days=365).total_seconds()
    made = 0
    while made < count:
        batch = range(made, min(count, made + BATCH))
        orders = []
        for n in batch:
            offer = offers[n % COURSES]
            code = CODES[n % len(CODES)]
            discount = offer.price // 10 if code else 0
            orders.append(Order(
                user=learners[n % len(learners)], course_key=offer.course_key, offer=offer, amount=offer.price,
                currency=offer.currency, stripe_price_id="price_bench", state="fulfilled",
                amount_paid=offer.price - discount, amount_discount=discount, promotion_code=code,
                promotion_code_id=f"promo_{code}" if code else "", audience_scope=SCOPES[n % len(SCOPES)],
                dispute_id="du_bench" if n % 97 == 0 else ""))
        orders = Order.objects.bulk_create(orders)
        invoices = []
        for n, order in zip(batch, orders, strict=True):
            issued = now - timedelta(seconds=span * ((n * 7919) % count) / count)
            total = order.amount - order.amount_discount
            invoices.append(Invoice(
                order=order, user_id=order.user_id, course_key=order.course_key, stripe_invoice_id=f"in_bench_{n}",
                number=f"B-{n:06d}", status="cancelled" if n % 20 == 0 else
                ("partially_refunded" if n % 20 == 10 else "paid"), stripe_status="paid", currency=order.currency,
                subtotal=order.amount, tax=total // 6, discount=order.amount_discount, total=total,
                amount_paid=total, buyer_country=COUNTRIES[n % len(COUNTRIES)], issued_at=issued, paid_at=issued,
                cancelled_at=issued + timedelta(days=2) if n % 20 == 0 else None))
        invoices = Invoice.objects.bulk_create(invoices)
        notes = []
        for n, invoice in zip(batch, invoices, strict=True):
            if n % 10 == 0:  # a cancellation (n % 20 == 0) or a partial refund
                amount = invoice.total if n % 20 == 0 else invoice.total // 4
                notes.append(CreditNote(
                    invoice=invoice, stripe_credit_note_id=f"cn_bench_{n}", amount=amount, tax=amount // 6,
                    currency=invoice.currency, source="admin" if n % 20 == 0 else "refund",
                    issued_at=invoice.issued_at + timedelta(days=2)))
        CreditNote.objects.bulk_create(notes)
        made += len(batch)
    BackOfficeEnrollment.objects.bulk_create([
        BackOfficeEnrollment(learner=learners[i % len(learners)], course_key=keys[i % COURSES], path="admin_action")
        for i in range(max(1, count // 100))])
    today = timezone.localdate()
    return {
        "last 30 days per day": {"start": (today - timedelta(days=29)).isoformat(), "end": today.isoformat(),
                                 "granularity": "day"},
        "last 12 months per month": {"start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat(),
                                     "granularity": "month"},
        "one course, 12 months per week": {"start": (today - timedelta(days=364)).isoformat(),
                                           "end": today.isoformat(), "granularity": "week",
                                           "course": str(keys[0])},
        "CSV, 12 months per month": {"start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat(),
                                     "granularity": "month", "format": "csv"},
    }


def query_count(client, query) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, query)
    if response.status_code != 200:
        raise RuntimeError(f"GET {URL} answered {response.status_code}")
    return len(captured)


def run(size, db, env, processes):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from riseup_stripe_plugin.models import Invoice

    count = size["dashboard_invoices"]
    started = time.monotonic()
    queries = seed(count)
    seeded = round(time.monotonic() - started, 1)
    admin = get_user_model().objects.create_superuser("bench-admin", "bench-admin@example.com", "pass")
    client = Client()
    client.force_login(admin)
    durations = interleaved({label: (lambda q=query: client.get(URL, q)) for label, query in queries.items()},
                            repeat=size["dashboard_repeat"], warmup=1, max_seconds=300)
    return {
        "comparison": "dashboard", "db": db, "invoices": Invoice.objects.count(), "seed_seconds": seeded,
        "rows": [{"view": label, **summary(durations[label]), "queries": query_count(client, query)}
                 for label, query in queries.items()],
    }


if __name__ == "__main__":
    main(run, "dashboard")
