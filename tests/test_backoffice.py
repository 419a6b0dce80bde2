"""Back-office enrollment never bills, on every path; learners paying nothing are still refused."""

import csv
import io

import pytest
from crum import impersonate, set_current_request
from django.test import RequestFactory, override_settings
from django.urls import reverse

from riseup_stripe_plugin.models import BackOfficeEnrollment, Invoice, Order
from sandbox.platform import enrollment
from sandbox.platform.models import CourseEnrollmentAllowed

from . import factories

pytestmark = pytest.mark.django_db

Path = BackOfficeEnrollment.Path


def _nothing_billed():
    assert not Order.objects.exists() and not Invoice.objects.exists()


def test_instructor_dashboard_path_is_recorded(client):
    learner, instructor = factories.user(), factories.user()
    course, _ = factories.paid_course()
    factories.role(instructor, course, "staff")
    client.force_login(instructor)
    client.post(reverse("sandbox:staff_enroll", args=[str(course.id)]), {"identifier": learner.username})
    assert enrollment.is_enrolled(learner, course.id)
    record = BackOfficeEnrollment.objects.get()
    assert (record.learner, record.actor, record.path) == (learner, instructor, Path.STAFF)
    assert record.request_path.endswith("/instructor/enroll/")
    _nothing_billed()


def test_api_or_support_tool_path_by_global_staff_is_allowed():
    # The enrollment API and the support tool call CourseEnrollment.enroll inside staff's own request.
    learner, staff = factories.user(), factories.user(is_staff=True)
    course, _ = factories.paid_course()
    request = RequestFactory().post("/api/enrollment/v1/enrollment")
    request.user = staff
    set_current_request(request)
    try:
        with impersonate(staff):
            enrollment.enroll(learner, course.id, mode="verified")
    finally:
        set_current_request(None)
    record = BackOfficeEnrollment.objects.get()
    assert (record.path, record.mode) == (Path.STAFF, "verified")
    assert record.request_path == "/api/enrollment/v1/enrollment"
    _nothing_billed()


def test_admin_action_enroll_without_payment(client):
    learner = factories.user(email="someone@example.org")
    course, _ = factories.paid_course()
    client.force_login(factories.user("boss", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:riseup_stripe_plugin_backofficeenrollment_changelist"))
    assert "Enroll without payment" in page.content.decode()
    url = reverse("admin:riseup_stripe_plugin_backofficeenrollment_enroll")
    response = client.post(url, {"learner": "someone@example.org", "course_id": str(course.id)})
    assert response.status_code == 302
    assert enrollment.is_enrolled(learner, course.id)
    assert BackOfficeEnrollment.objects.get().path == Path.ADMIN_ACTION
    # Again: a clear message, nothing new.
    response = client.post(url, {"learner": learner.username, "course_id": str(course.id)})
    assert "already enrolled" in response.content.decode()
    response = client.post(url, {"learner": "nobody", "course_id": str(course.id)})
    assert "No single account matches nobody" in response.content.decode()
    response = client.post(url, {"learner": learner.username, "course_id": "course-v1:X+Y+Z"})
    assert "Unknown course" in response.content.decode()
    assert BackOfficeEnrollment.objects.count() == 1
    _nothing_billed()


def test_invitation_then_registration_enrolls_without_payment(client):
    staff = factories.user(is_staff=True)
    course, _ = factories.paid_course()
    CourseEnrollmentAllowed.objects.create(email="invited@example.com", course_id=course.id, auto_enroll=True,
                                           created_by=staff)
    response = client.post(reverse("sandbox:register"), {
        "username": "invited", "email": "invited@example.com",
        "password1": "a-Long-pass-123", "password2": "a-Long-pass-123"})
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    invited = get_user_model().objects.get(username="invited")
    assert enrollment.is_enrolled(invited, course.id)
    assert BackOfficeEnrollment.objects.get(learner=invited).path == Path.INVITATION
    _nothing_billed()


def test_invitation_without_auto_enroll_lets_the_learner_click_enroll(client):
    staff = factories.user(is_staff=True)
    course, _ = factories.paid_course()
    invited, stranger = factories.user(), factories.user()
    CourseEnrollmentAllowed.objects.create(email=invited.email, course_id=course.id, auto_enroll=False,
                                           created_by=staff)
    client.force_login(invited)
    response = client.post(reverse("sandbox:enroll", args=[str(course.id)]))
    assert response["Location"] == reverse("sandbox:courseware", args=[str(course.id)])
    assert enrollment.is_enrolled(invited, course.id)
    record = BackOfficeEnrollment.objects.get(learner=invited)
    assert record.path == Path.INVITATION_ENROLL and record.actor is None
    client.force_login(stranger)  # the invitation is for its own email only
    client.post(reverse("sandbox:enroll", args=[str(course.id)]))
    assert not enrollment.is_enrolled(stranger, course.id)
    _nothing_billed()


@pytest.mark.parametrize("role", ["instructor", "staff"])
def test_course_team_enrolls_itself_into_its_own_paid_course(client, role):
    course, _ = factories.paid_course()
    other, _ = factories.paid_course()
    member = factories.user()
    factories.role(member, course, role)
    client.force_login(member)
    client.post(reverse("sandbox:enroll", args=[str(course.id)]))
    assert enrollment.is_enrolled(member, course.id)
    record = BackOfficeEnrollment.objects.get(learner=member)
    assert record.path == Path.COURSE_TEAM and record.actor == member
    client.post(reverse("sandbox:enroll", args=[str(other.id)]))  # not their course: pays like anyone
    assert not enrollment.is_enrolled(member, other.id)
    _nothing_billed()


def test_registration_without_invitation_gets_nothing_for_free(client):
    course, _ = factories.paid_course()
    client.post(reverse("sandbox:register"), {
        "username": "walkin", "email": "walkin@example.com",
        "password1": "a-Long-pass-123", "password2": "a-Long-pass-123"})
    response = client.post(reverse("sandbox:enroll", args=[str(course.id)]))
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    assert not enrollment.is_enrolled(get_user_model().objects.get(username="walkin"), course.id)
    assert not BackOfficeEnrollment.objects.exists()


def test_requestless_enrollment_is_recorded_and_can_be_refused():
    learner = factories.user()
    course, _ = factories.paid_course()
    enrollment.enroll(learner, course.id)
    assert BackOfficeEnrollment.objects.get().path == Path.NO_REQUEST
    with override_settings(RISEUP_STRIPE_ALLOW_REQUESTLESS_ENROLLMENT=False):
        with pytest.raises(enrollment.EnrollmentNotAllowed):
            enrollment.enroll(factories.user(), course.id)


def test_learner_self_enrollment_is_refused_on_every_learner_path(client):
    learner = factories.user()
    course, _ = factories.paid_course()
    client.force_login(learner)
    client.post(reverse("sandbox:enroll", args=[str(course.id)]))  # the course page's button
    request = RequestFactory().post("/api/enrollment/v1/enrollment")  # the enrollment API, as themselves
    request.user = learner
    set_current_request(request)
    try:
        with impersonate(learner), pytest.raises(enrollment.EnrollmentNotAllowed):
            enrollment.enroll(learner, course.id)
    finally:
        set_current_request(None)
    # The instructor-dashboard URL refuses a learner outright.
    other = factories.user()
    response = client.post(reverse("sandbox:staff_enroll", args=[str(course.id)]), {"identifier": other.username})
    assert response.status_code == 403
    assert not enrollment.is_enrolled(learner, course.id) and not enrollment.is_enrolled(other, course.id)
    assert not BackOfficeEnrollment.objects.exists()


def test_free_course_enrollments_are_not_recorded(client):
    learner, staff = factories.user(), factories.user(is_staff=True)
    course = factories.course()
    client.force_login(staff)
    client.post(reverse("sandbox:staff_enroll", args=[str(course.id)]), {"identifier": learner.username})
    assert enrollment.is_enrolled(learner, course.id)
    assert not BackOfficeEnrollment.objects.exists()


def test_back_office_enrollments_export_to_csv(client):
    learner, staff = factories.user(), factories.user(is_staff=True)
    course, _ = factories.paid_course()
    client.force_login(staff)
    client.post(reverse("sandbox:staff_enroll", args=[str(course.id)]), {"identifier": learner.username})
    client.force_login(factories.user("auditor", is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:riseup_stripe_plugin_backofficeenrollment_changelist"), {
        "action": "export_csv", "_selected_action": [r.pk for r in BackOfficeEnrollment.objects.all()]})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "learner", "email", "course", "enrolled_by", "path", "mode"]
    assert rows[1][1:] == [learner.username, learner.email, str(course.id), staff.username, "staff", ""]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_back_office_csv_cells_are_never_formulas(client, start):
    learner = factories.user(f"{start}cmd|' /C calc'!A0", email=f"{start}1+1@example.com")
    course, _ = factories.paid_course()
    BackOfficeEnrollment.objects.create(learner=learner, course_key=course.id, path=Path.STAFF,
                                        mode=f"{start}HYPERLINK()")
    client.force_login(factories.user("auditor", is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:riseup_stripe_plugin_backofficeenrollment_changelist"), {
        "action": "export_csv", "_selected_action": [r.pk for r in BackOfficeEnrollment.objects.all()]})
    row = list(csv.reader(io.StringIO(response.content.decode())))[1]
    assert row[1] == "'" + learner.username and row[6] == f"'{start}HYPERLINK()"
