"""The enrollment gate's step run alone, as the learner's own request: shared by the tests and ``tests.gate_peer``."""


def run_gate(learner, course_key) -> tuple[int, bool]:
    """(queries the step made, whether it refused)."""
    from crum import set_current_request
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from openedx_filters.learning.filters import CourseEnrollmentStarted

    from riseup_stripe_plugin.enrollment.gate import PaidCourseEnrollmentGate

    step = PaidCourseEnrollmentGate(CourseEnrollmentStarted.filter_type, [])
    request = RequestFactory().post("/courses/enroll/")
    request.user = learner
    set_current_request(request)  # a self-enrollment
    try:
        with CaptureQueriesContext(connection) as queries:
            try:
                step.run_filter(user=learner, course_key=course_key, mode="audit")
                refused = False
            except CourseEnrollmentStarted.PreventEnrollment:
                refused = True
    finally:
        set_current_request(None)
    return len(queries), refused
