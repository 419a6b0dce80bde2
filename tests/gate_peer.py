"""
Another LMS process for the tests: the enrollment gate on the test's database and Redis, run on command.

Each line read is ``<user id> <course key>`` (the answer, one JSON line: the queries the gate made and
whether it refused, and whether the process now holds the course's paid-or-free answer in memory) or
``setting <NAME>`` (the answer: the plugin setting's value, the queries made, and whether the payment
settings are held in memory).
``python -m tests.gate_peer``, with the test's settings in its environment.
"""

import json
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings.test")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from opaque_keys.edx.keys import CourseKey

    from riseup_stripe_plugin import conf
    from riseup_stripe_plugin.local_answers import answers
    from tests.gate_run import run_gate

    print("ready", flush=True)
    for line in sys.stdin:
        first, second = line.split()
        if first == "setting":
            with CaptureQueriesContext(connection) as queries:
                value = conf.get(second)
            print(json.dumps({"value": value, "queries": len(queries),
                              "in_memory": answers.get(conf._LOCAL_KEY) is not None}), flush=True)
            continue
        queries, refused = run_gate(get_user_model().objects.get(pk=first), CourseKey.from_string(second))
        print(json.dumps({"queries": queries, "refused": refused,
                          "in_memory": answers.get(("paid", second)) is not None}), flush=True)


if __name__ == "__main__":
    main()
