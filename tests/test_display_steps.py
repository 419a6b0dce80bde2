"""Display steps never break a page: an error is logged once and the page renders as the platform made it."""

import logging

import pytest
from django.urls import reverse
from openedx_filters.learning.filters import CourseEnrollmentAPIRenderStarted, CourseRunAPIRenderStarted

from sandbox.platform import backend

from . import factories

pytestmark = pytest.mark.django_db


def _broken(*args, **kwargs):
    raise RuntimeError("platform down")


def _step_errors(caplog):
    return [r for r in caplog.records if r.name == "riseup_stripe_plugin.web.steps" and r.levelno == logging.ERROR]


def test_a_broken_boundary_leaves_the_about_page_as_the_platform_made_it(client, monkeypatch, caplog):
    course, _ = factories.paid_course()
    client.force_login(factories.user())
    monkeypatch.setattr(backend, "get_current_user", _broken)
    response = client.get(reverse("sandbox:about", args=[str(course.id)]))
    assert response.status_code == 200
    page = response.content.decode().replace("\xa0", " ")
    assert "incl. tax" not in page and "Buy –" not in page  # nothing of the plugin, the platform's page
    errors = _step_errors(caplog)
    assert len(errors) == 1 and "CourseAboutPurchaseStep" in errors[0].getMessage() and errors[0].exc_info


def test_a_broken_boundary_leaves_the_dashboard_data_unchanged(monkeypatch, caplog):
    course, _ = factories.paid_course()
    monkeypatch.setattr(backend, "get_current_request", _broken)
    run = CourseRunAPIRenderStarted.run_filter(serialized_courserun={"courseId": str(course.id)})
    assert run == {"courseId": str(course.id)}
    monkeypatch.setattr(backend, "get_current_user", _broken)
    _key, data = CourseEnrollmentAPIRenderStarted.run_filter(course_key=course.id,
                                                             serialized_enrollment={"mode": "audit"})
    assert data == {"mode": "audit"}
    names = [r.getMessage().split(" ")[0] for r in _step_errors(caplog)]
    assert names == ["DashboardCourseRunPriceStep", "DashboardEnrollmentInvoiceStep"]


def test_the_enrollment_gate_still_fails_closed(client, monkeypatch):
    course, _ = factories.paid_course()
    learner = factories.user()
    client.force_login(learner)
    monkeypatch.setattr(backend, "get_current_request", _broken)
    with pytest.raises(RuntimeError):
        client.post(reverse("sandbox:enroll", args=[str(course.id)]))
    from sandbox.platform.models import CourseEnrollment

    assert not CourseEnrollment.objects.filter(user=learner).exists()
