"""
The catalog's read model (``CatalogCourse``): kept in step with the offers and the platform's courses in
the transaction that changes them, rebuilt by its command, its drift reported; the listing reads it in a
constant number of queries.
"""

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey

from riseup_stripe_plugin.catalog import index
from riseup_stripe_plugin.models import AudienceRule, CatalogCourse, CourseOffer
from sandbox.platform import enrollment
from sandbox.platform.models import Course
from sandbox.platform.studio import publish_course

from . import factories

pytestmark = pytest.mark.django_db

API = "/riseup-stripe/api/v1/catalog/"
STOREFRONT = "/riseup-stripe/api/v1/storefront/"


def _row(course):
    return CatalogCourse.objects.get(course_id=str(course.id))


def _titles(client, **params):
    response = client.get(API, params)
    assert response.status_code == 200, response.content[:300]
    return [row["title"] for row in response.json()["results"]]


# --- Kept in step ------------------------------------------------------------------------------------------------

def test_a_new_course_and_its_offer_are_in_the_table():
    course = factories.course(name="Data Literacy")
    row = _row(course)
    assert (row.title, row.title_lower, row.listed, row.is_paid, row.offer_key) == (
        "Data Literacy", "data literacy", True, False, str(course.id))
    factories.offer(course, price=5000, currency="jpy")
    row = _row(course)
    assert (row.is_paid, row.on_sale, row.price, row.currency, row.price_thousandths, row.scopes) == (
        True, True, 5000, "jpy", 5_000_000, "public")


def test_an_offer_saved_or_deleted_reaches_the_catalog(client):
    course, offer = factories.paid_course(name="Selling Courses", price=4900)
    assert client.get(API).json()["results"][0]["price"] == 4900
    offer.price, offer.currency, offer.scopes = 1234, "kwd", "internal"
    offer.save()
    row = _row(course)
    assert (row.price, row.currency, row.price_thousandths, row.scopes) == (1234, "kwd", 1234, "internal")
    assert _titles(client) == []  # internal only: not offered to anonymous visitors
    offer.active = False
    offer.scopes = "public"
    offer.save()
    assert _row(course).on_sale is False
    assert client.get(API).json()["results"][0]["reason"] == "not_on_sale"
    offer.delete()
    assert (_row(course).is_paid, _row(course).price, _row(course).currency) == (False, 0, "")
    assert client.get(API).json()["results"][0]["is_paid"] is False


def test_a_ccx_row_follows_its_master_offer(client):
    master, offer = factories.paid_course(name="Master", price=4900)
    ccx = Course.objects.create(id=CourseKey.from_string(f"ccx-v1:{master.id.org}+{master.id.course}+"
                                                         f"{master.id.run}+ccx@3"), display_name="Its CCX", org="X")
    assert (_row(ccx).offer_key, _row(ccx).price) == (str(master.id), 4900)
    offer.price = 9900
    offer.save()
    assert _row(ccx).price == 9900
    rows = {row["title"]: row for row in client.get(API).json()["results"]}
    assert rows["Its CCX"]["price"] == rows["Master"]["price"] == 9900


def test_a_course_published_renamed_or_hidden_reaches_the_catalog(client, django_capture_on_commit_callbacks):
    course = factories.course(name="Old Name")
    with django_capture_on_commit_callbacks(execute=True):
        publish_course(course, display_name="New Name")
    assert _titles(client) == ["New Name"]
    assert _titles(client, q="new") == ["New Name"] and _titles(client, q="old") == []
    course.catalog_visibility = "about"
    with django_capture_on_commit_callbacks(execute=True):
        publish_course(course)
    assert _titles(client) == [] and _row(course).listed is False
    course.catalog_visibility = "both"
    course.save()
    assert _titles(client) == ["New Name"]
    course.delete()
    assert not CatalogCourse.objects.filter(course_id=str(course.id)).exists()
    assert _titles(client) == []


def test_currencies_follow_a_course_hidden_at_once(client):
    course, _ = factories.paid_course(price=5000, currency="jpy")
    factories.paid_course(price=4900, currency="eur")
    assert client.get(API).json()["currencies"] == ["eur", "jpy"]
    course.catalog_visibility = "none"
    course.save()
    assert client.get(API).json()["currencies"] == ["eur"]


# --- Drift and rebuild -----------------------------------------------------------------------------------------

def _bulk(count):
    keys = [CourseKey.from_string(f"course-v1:Bulk+D{i}+2026") for i in range(count)]
    Course.objects.bulk_create([Course(id=key, display_name=f"Bulk {i}", org="Bulk") for i, key in enumerate(keys)])
    CourseOffer.objects.bulk_create([CourseOffer(course_key=key, is_paid=True, price=1000, currency="eur")
                                     for key in keys[::2]])
    return keys


def test_bulk_created_courses_are_found_missing_then_rebuilt(client):
    kept = factories.course(name="Kept")
    _bulk(4)  # no signal: the table does not know them
    assert _titles(client) == ["Kept"]
    drift = index.drift()
    assert sorted(drift.missing) == [f"course-v1:Bulk+D{i}+2026" for i in range(4)] and not drift.different
    with pytest.raises(CommandError, match="4 missing"):
        call_command("riseup_stripe_rebuild_catalog", "--check")
    done = index.rebuild()
    assert (done.created, done.updated, done.deleted) == (4, 0, 0)
    assert _titles(client) == ["Bulk 0", "Bulk 1", "Bulk 2", "Bulk 3", "Kept"]
    assert [row["is_paid"] for row in client.get(API).json()["results"]][:4] == [True, False, True, False]
    assert not index.drift() and index.rebuild().created == 0
    assert _row(kept).title == "Kept"


def test_changes_around_the_orm_are_reported_and_repaired(client):
    course, offer = factories.paid_course(name="Priced", price=4900)
    gone = factories.course(name="Gone")
    CourseOffer.objects.filter(pk=offer.pk).update(price=2500)  # no signal
    Course.objects.filter(pk=course.pk).update(display_name="Renamed by SQL")
    with connection.cursor() as cursor:  # the platform's row removed around the ORM: its catalog row stays
        cursor.execute(f"DELETE FROM {Course._meta.db_table} WHERE id = %s", [str(gone.id)])
    drift = index.drift()
    assert (drift.different, drift.extra, drift.missing) == ([str(course.id)], [str(gone.id)], [])
    assert "1 different" in drift.summary() and "1 extra" in drift.summary()
    warnings = checks.run_checks(databases=["default"])
    assert [w.id for w in warnings if w.id == "riseup_stripe.W004"] == ["riseup_stripe.W004"]
    assert "riseup_stripe.W004" not in [w.id for w in checks.run_checks()]  # not at start-up: no database read
    out = __import__("io").StringIO()
    call_command("riseup_stripe_rebuild_catalog", stdout=out)
    assert "0 course(s) added, 1 rewritten, 1 removed" in out.getvalue()
    assert [(r["title"], r["price"]) for r in client.get(API).json()["results"]] == [("Renamed by SQL", 2500)]
    call_command("riseup_stripe_rebuild_catalog", "--check", stdout=out)
    assert "in step" in out.getvalue()
    assert "riseup_stripe.W004" not in [w.id for w in checks.run_checks(databases=["default"])]


def test_the_migration_backfills_existing_courses():
    import importlib

    from django.apps import apps

    _bulk(3)
    migration = importlib.import_module("riseup_stripe_plugin.migrations.0011_catalog_index")
    migration.backfill(apps, None)
    assert CatalogCourse.objects.filter(course_id__startswith="course-v1:Bulk+").count() == 3
    assert CatalogCourse.objects.get(course_id="course-v1:Bulk+D0+2026").price == 1000


# --- Queries ---------------------------------------------------------------------------------------------------

AUTH_TABLES = ("django_session", "auth_user")


def _view_queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]
    return [q for q in sql if not any(t in q for t in AUTH_TABLES)]


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_catalog_page_is_one_read_of_the_table_and_its_count(client, signed_in):
    AudienceRule.objects.create(domain="acme.example", scope="internal")
    learner = factories.user(email="ann@acme.example")
    courses = [factories.paid_course(name=f"Course {i:02d}", price=1000 + i)[0] for i in range(30)]
    enrollment.enroll(learner, courses[0].id)
    if signed_in:
        client.force_login(learner)
    client.get(API)  # warm-up: the cached currencies
    queries = _view_queries(client, API, {"price": "paid", "min_price": "10", "page_size": "25"})
    table = CatalogCourse._meta.db_table
    read = [q for q in queries if table in q]  # the count, then the page: this table alone
    assert len(read) == 2 and "COUNT(*)" in read[0] and "LIMIT 25" in read[1]
    assert all("JOIN" not in q and q.count("SELECT") == 1 for q in read)
    # Signed in: the learner's scope, their enrollments and their orders among the page's courses.
    assert len(queries) == (5 if signed_in else 2), queries
    page = client.get(API, {"page_size": "25"}).json()["results"]
    if signed_in:
        assert page[0]["enrolled"] is True and page[0]["reason"] == "already_enrolled"


def test_the_storefront_reads_the_table_and_asks_the_platform_only_for_what_it_lacks(client):
    known, _ = factories.paid_course(name="Known", price=4900)
    lagging = Course.objects.bulk_create([Course(id=CourseKey.from_string("course-v1:Lag+L1+2026"),
                                                 display_name="Not indexed yet", org="Lag")])[0]
    CourseOffer.objects.bulk_create([CourseOffer(course_key=lagging.id, is_paid=True, price=700, currency="usd")])
    ids = {"course_id": [str(known.id)]}
    assert len(_view_queries(client, STOREFRONT, ids)) == 1  # the table, with the offer's columns
    both = {"course_id": [str(known.id), str(lagging.id), "course-v1:No+Such+Course"]}
    body = client.get(STOREFRONT, both).json()
    assert body["courses"][str(lagging.id)]["price"]["amount"] == 700
    assert body["courses"][str(known.id)]["price"]["amount"] == 4900
    assert body["unknown"] == ["course-v1:No+Such+Course"]
    assert len(_view_queries(client, STOREFRONT, both)) == 3  # the table, then the platform's course and offer


def test_search_text_is_matched_literally_and_without_case(client):
    factories.course(name="Growth 100% Online")
    factories.course(name="Économie Générale")
    factories.course(name="Other 1000")
    assert _titles(client, q="100%") == ["Growth 100% Online"]  # "%" is a character, not a wildcard
    assert _titles(client, q="_") == []
    assert _titles(client, q="ÉCONOMIE générale") == ["Économie Générale"]  # lower-cased as Python does
    assert _titles(client, q="100") == ["Growth 100% Online", "Other 1000"]
