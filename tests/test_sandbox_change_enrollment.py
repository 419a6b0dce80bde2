"""The sandbox LMS's ``/change_enrollment``, the call the catalog MFE's Enroll button makes, through the real filter."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sandbox.platform import enrollment

from . import factories

pytestmark = pytest.mark.django_db

URL = "/change_enrollment"


def _post(client, course_id, action="enroll"):
    return client.post(URL, {"course_id": str(course_id), "enrollment_action": action})


def test_the_url_is_where_the_lms_has_it():
    assert reverse("change_enrollment") == URL


def test_free_course_enrolls_with_200(client):
    learner = factories.user()
    free = factories.course()
    client.force_login(learner)
    response = _post(client, free.id)
    assert response.status_code == 200
    assert enrollment.is_enrolled(learner, free.id)


def test_paid_course_not_bought_is_refused_with_the_plugins_message(client):
    learner = factories.user()
    course, _ = factories.paid_course()
    client.force_login(learner)
    response = _post(client, course.id)
    assert response.status_code == 400
    purchase = reverse("riseup_stripe:purchase", kwargs={"course_id": str(course.id)})
    assert response.content.decode() == f"This course is paid. Buy it to enroll: http://testserver{purchase}"
    assert not enrollment.is_enrolled(learner, course.id)


def test_anonymous_gets_403_and_nothing_changes(client):
    free = factories.course()
    response = _post(client, free.id)
    assert response.status_code == 403
    assert not enrollment.enrolled_course_keys(factories.user()).exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"enrollment_action": "enroll"}, "Course id not specified"),
    ({"course_id": "not a key", "enrollment_action": "enroll"}, "Invalid course id"),
    ({"course_id": "course-v1:Nobody+None+2026", "enrollment_action": "enroll"}, "Course id is invalid"),
])
def test_bad_or_unknown_course_is_400(client, data, message):
    learner = factories.user()
    client.force_login(learner)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert response.content.decode() == message
    assert not enrollment.enrolled_course_keys(learner).exists()


def test_other_actions_and_get_are_refused(client):
    learner = factories.user()
    free = factories.course()
    client.force_login(learner)
    assert _post(client, free.id, action="unenroll").status_code == 400
    assert client.get(URL, {"course_id": str(free.id), "enrollment_action": "enroll"}).status_code == 405
    assert not enrollment.is_enrolled(learner, free.id)


def test_closed_enrollment_is_400(client):
    learner = factories.user()
    closed = factories.course(enrollment_end=timezone.now() - timedelta(days=1))
    client.force_login(learner)
    response = _post(client, closed.id)
    assert response.status_code == 400
    assert response.content.decode() == "Enrollment is closed"
    assert not enrollment.is_enrolled(learner, closed.id)


def test_csrf_is_checked_and_the_token_api_satisfies_it():
    """As the MFEs do: the token from /csrf/api/v1/token in X-CSRFToken, the form as the body."""
    learner = factories.user()
    free = factories.course()
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert _post(client, free.id).status_code == 403  # no token
    assert not enrollment.is_enrolled(learner, free.id)
    token = client.get("/csrf/api/v1/token").json()["csrfToken"]
    response = client.post(URL, {"course_id": str(free.id), "enrollment_action": "enroll"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert enrollment.is_enrolled(learner, free.id)
