"""
Comparison 1: the catalog API against a bare DRF list of the same course rows.

    python -m benchmarks.catalog --db sqlite|mariadb --size smoke|full --out FILE

At each catalog size: about half the courses paid (EUR, USD, JPY), scopes mixed (public,
internal, partner), audience rules on, a few courses hidden from the catalog. Anonymous
visitor and signed-in learner (whose email domain makes them ``internal``, three enrollments
and one purchase). Requests go through the URLs with Django's test client; queries are counted
with ``CaptureQueriesContext``, those reading the session and the user apart.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from .common import interleaved, main, ratio, summary

CATALOG_URL = "/riseup-stripe/api/v1/catalog/?price=paid&min_price=10"
BARE_URL = "/bench/bare-catalog/"
STOREFRONT_URL = "/riseup-stripe/api/v1/storefront/"
CURRENCIES = [("eur", 4900), ("usd", 1999), ("jpy", 5000), ("eur", 990), ("usd", 12900)]
SCOPES = ["public", "internal", "partner,public", "internal,partner", "public"]
AUTH_TABLES = ("django_session", "auth_user")
TRANSACTION_STATEMENTS = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def seed(count: int):
    """``count`` catalog courses replacing the previous ones; returns (learner, storefront course ids)."""
    from django.contrib.auth import get_user_model
    from opaque_keys.edx.keys import CourseKey

    from riseup_stripe_plugin.models import AudienceRule, CourseOffer, Order, PaymentConfiguration
    from sandbox.platform.models import Course, CourseEnrollment

    Order.objects.all().delete()
    CourseEnrollment.objects.all().delete()
    CourseOffer.objects.all().delete()
    Course.objects.all().delete()
    PaymentConfiguration.objects.update_or_create(pk=1, defaults={"enabled": True, "default_currency": "eur"})
    for domain, scope, priority in (("acme.example", "internal", 10), ("partner.example", "partner", 20)):
        AudienceRule.objects.update_or_create(domain=domain, defaults={"scope": scope, "active": True,
                                                                       "priority": priority})
    words = ["Data", "Stripe", "Design", "Python", "Law", "Finance", "Japanese", "Onboarding"]
    courses, offers = [], []
    for i in range(count):
        key = CourseKey.from_string(f"course-v1:Bench{i % 7}+C{i:05d}+2026")
        visibility = "none" if i % 20 == 19 else "both"
        courses.append(Course(id=key, display_name=f"{words[i % len(words)]} {i:05d}", org=key.org,
                              catalog_visibility=visibility))
        if i % 2 == 0:  # paid
            currency, price = CURRENCIES[(i // 2) % len(CURRENCIES)]
            offers.append(CourseOffer(course_key=key, is_paid=True, price=price, currency=currency,
                                      scopes=SCOPES[(i // 2) % len(SCOPES)]))
        elif i % 4 == 1:  # an offer that is not paid
            offers.append(CourseOffer(course_key=key, is_paid=False, price=0, currency="eur"))
    Course.objects.bulk_create(courses, batch_size=1000)
    CourseOffer.objects.bulk_create(offers, batch_size=1000)
    rebuild_catalog()

    User = get_user_model()
    learner = User.objects.filter(username="bench-learner").first()
    if learner is None:
        learner = User.objects.create_user("bench-learner", "bench-learner@acme.example", "pass")
    for course in courses[1:6:2]:
        CourseEnrollment.objects.create(user=learner, course_id=course.id, mode="audit")
    bought = offers[0]
    Order.objects.create(user=learner, course_key=bought.course_key, offer=bought, amount=bought.price,
                         currency=bought.currency, stripe_price_id="price_bench", state="fulfilled")
    CourseEnrollment.objects.create(user=learner, course_id=bought.course_key, mode="audit")
    storefront = [str(offer.course_key) for offer in offers if offer.is_paid and offer.scopes == "public"][:20]
    return learner, storefront


def rebuild_catalog():
    """bulk_create sends no signal: the operator's backfill command fills the catalog's read model (untimed)."""
    from django.core.management import call_command, get_commands

    if "riseup_stripe_rebuild_catalog" in get_commands():
        call_command("riseup_stripe_rebuild_catalog", stdout=io.StringIO())


def query_count(client, url) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    auth = sum(1 for query in captured.captured_queries if any(t in query["sql"] for t in AUTH_TABLES))
    # The sandbox runs each request in a transaction (ATOMIC_REQUESTS): its BEGIN and COMMIT are no query.
    control = sum(1 for query in captured.captured_queries
                  if query["sql"].split(maxsplit=1)[0].upper() in TRANSACTION_STATEMENTS)
    return {"status": response.status_code, "queries": len(captured), "auth_queries": auth,
            "transaction_statements": control, "queries_excl_auth": len(captured) - auth - control}


def check(client, url) -> dict:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return response.json()


def measure_pair(clients: dict, urls: dict, repeat: int) -> dict:
    """Plugin and baseline, anonymous and signed in, in turns."""
    functions = {}
    for audience, client in clients.items():
        for which, url in urls.items():
            functions[f"{which}:{audience}"] = (lambda c=client, u=url: c.get(u))
    durations = interleaved(functions, repeat=repeat, warmup=2, max_seconds=240)
    rows = []
    for audience, client in clients.items():
        plugin, bare = summary(durations[f"plugin:{audience}"]), summary(durations[f"bare:{audience}"])
        plugin_queries, bare_queries = query_count(client, urls["plugin"]), query_count(client, urls["bare"])
        rows.append({
            "audience": audience,
            "plugin": plugin, "bare": bare,
            "ratio": ratio(plugin["median_ms"], bare["median_ms"]),
            "plugin_queries": plugin_queries, "bare_queries": bare_queries,
        })
    return rows


def run(size, db, env, processes):
    from django.test import Client

    results = {"comparison": "catalog", "db": db, "catalog_url": CATALOG_URL, "bare_url": BARE_URL, "sizes": []}
    for count in size["catalog_courses"]:
        learner, storefront_ids = seed(count)
        anonymous, signed_in = Client(), Client()
        signed_in.force_login(learner)
        clients = {"anonymous": anonymous, "signed in": signed_in}
        plugin_page, bare_page = check(anonymous, CATALOG_URL), check(anonymous, BARE_URL)
        entry = {
            "courses": count,
            "plugin_count_anonymous": plugin_page.get("count"),
            "plugin_count_signed_in": check(signed_in, CATALOG_URL).get("count"),
            "bare_count": bare_page.get("count"),
            "rows": measure_pair(clients, {"plugin": CATALOG_URL, "bare": BARE_URL}, size["catalog_repeat"]),
        }
        # Encoded: a course key's "+" would otherwise arrive as a space.
        query = "?" + urlencode([("course_id", str(course_id)) for course_id in storefront_ids])
        probe = anonymous.get(STOREFRONT_URL + query)
        if probe.status_code == 404:
            entry["storefront"] = {"skipped": f"GET {STOREFRONT_URL}?course_id=...x{len(storefront_ids)} "
                                              "answers 404: the storefront API is not there yet"}
        else:
            entry["storefront"] = {
                "courses_asked": len(storefront_ids),
                "first_status": probe.status_code,
                "rows": measure_pair(clients, {"plugin": STOREFRONT_URL + query, "bare": BARE_URL + query},
                                     size["catalog_repeat"]),
            }
        results["sizes"].append(entry)
    return results


if __name__ == "__main__":
    main(run, "catalog")
