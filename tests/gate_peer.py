"""
Another LMS process for the tests: the enrollment gate on the test's database and Redis, run on command.

Each line read is ``<user id> <course key>`` (the answer, one JSON line: the queries the gate made and
whether it refused) or ``setting <NAME>`` (the answer: the plugin setting's value and the queries made).
``python -m tests.gate_peer``, with the test's settings in its environment.
"""

import json
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings.test")
    import django

    django.setup()
    from crum import set_current_request
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from opaque_keys.edx.keys import CourseKey
    from openedx_filters.learning.filters import CourseEnrollmentStarted

    from riseup_stripe_plugin.enrollment.gate import PaidCourseEnrollmentGate

    step = PaidCourseEnrollmentGate(CourseEnrollmentStarted.filter_type, [])
    print("ready", flush=True)
    from riseup_stripe_plugin import conf

    for line in sys.stdin:
        first, second = line.split()
        if first == "setting":
            with CaptureQueriesContext(connection) as queries:
                value = conf.get(second)
            print(json.dumps({"value": value, "queries": len(queries)}), flush=True)
            continue
        user_id, course = first, second
        user = get_user_model().objects.get(pk=user_id)
        request = RequestFactory().post("/courses/enroll/")
        request.user = user
        set_current_request(request)  # the learner's own request: a self-enrollment
        with CaptureQueriesContext(connection) as queries:
            try:
                step.run_filter(user=user, course_key=CourseKey.from_string(course), mode="audit")
                refused = False
            except CourseEnrollmentStarted.PreventEnrollment:
                refused = True
        set_current_request(None)
        print(json.dumps({"queries": len(queries), "refused": refused}), flush=True)


if __name__ == "__main__":
    main()
