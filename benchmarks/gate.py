"""
Comparison 2: the stand-in platform's ``enroll()`` with the plugin's step in the enrollment filter, and without.

    python -m benchmarks.gate --db sqlite|mariadb --size smoke|full --out FILE

``sandbox.platform.enrollment.enroll`` runs ``CourseEnrollmentStarted`` through openedx-filters,
configured by ``OPEN_EDX_FILTERS_CONFIG`` as the platform is; "without" is the same configuration
with ``PaidCourseEnrollmentGate`` taken out of that pipeline. Each enrollment is made inside the
learner's own request (crum), as a self-enrollment is. Cases: a free course and a paid course
the learner bought, first enrollment (the row deleted before each call, untimed) and already
enrolled; the calls with and without the step alternate one by one. The step's own queries are
counted too, by running it alone: once the process knows the course (and the learner's purchase),
and in a process that knows nothing yet. Django's cache is on Redis, as on Tutor
(``benchmarks.common.database_env``), so the step's in-memory answers hear changes as they would
there.
"""

from __future__ import annotations

import copy

from .common import interleaved, main, ratio, summary


def is_gate_step(path: str) -> bool:
    """Whether a pipeline entry names the plugin's gate (wherever the class lives now)."""
    from django.utils.module_loading import import_string

    from riseup_stripe_plugin.filters import PaidCourseEnrollmentGate

    try:
        step = import_string(path)
    except ImportError:
        return False
    return isinstance(step, type) and issubclass(step, PaidCourseEnrollmentGate)


def configurations():
    """``OPEN_EDX_FILTERS_CONFIG`` as the plugin leaves it, and the same without the gate step."""
    from django.conf import settings
    from openedx_filters.learning.filters import CourseEnrollmentStarted

    enrollment_filter = CourseEnrollmentStarted.filter_type
    with_gate = copy.deepcopy(settings.OPEN_EDX_FILTERS_CONFIG)
    pipeline = with_gate.get(enrollment_filter, {}).get("pipeline", [])
    if isinstance(pipeline, str):
        pipeline = [pipeline]
    if not any(is_gate_step(step) for step in pipeline):
        raise RuntimeError(f"no PaidCourseEnrollmentGate in the {enrollment_filter} pipeline: {pipeline}")
    without = copy.deepcopy(with_gate)
    without[enrollment_filter]["pipeline"] = [step for step in pipeline if not is_gate_step(step)]
    return {"with step": with_gate, "without step": without}


def seed():
    from django.contrib.auth import get_user_model
    from opaque_keys.edx.keys import CourseKey

    from riseup_stripe_plugin.models import CourseOffer, Order
    from sandbox.platform.models import Course

    learner = get_user_model().objects.create_user("gate-learner", "gate-learner@example.com", "pass")
    free = Course.objects.create(id=CourseKey.from_string("course-v1:Bench+FREE+2026"), display_name="Free",
                                 org="Bench")
    paid = Course.objects.create(id=CourseKey.from_string("course-v1:Bench+PAID+2026"), display_name="Paid",
                                 org="Bench")
    offer = CourseOffer.objects.create(course_key=paid.id, is_paid=True, price=4900, currency="eur")
    Order.objects.create(user=learner, course_key=paid.id, offer=offer, amount=4900, currency="eur",
                         stripe_price_id="price_bench", state="fulfilled")
    for i in range(200):  # offers of other courses around them
        key = CourseKey.from_string(f"course-v1:Bench+O{i:03d}+2026")
        Course.objects.create(id=key, display_name=f"Other {i}", org="Bench")
        CourseOffer.objects.create(course_key=key, is_paid=i % 2 == 0, price=1000 + i, currency="eur")
    return learner, {"free course": free.id, "paid course, bought": paid.id}


def learner_request(learner):
    from django.test import RequestFactory

    request = RequestFactory().post("/courses/enroll/")
    request.user = learner
    return request


class Switch:
    """Before each call: that call's filter configuration in force, and the row as its situation wants."""

    def __init__(self, configs, reset):
        self.configs, self.reset, self.current = configs, reset, None

    def __call__(self, name):
        from django.test import override_settings

        self.off()
        self.current = override_settings(OPEN_EDX_FILTERS_CONFIG=self.configs[name])
        self.current.enable()
        self.reset(name)

    def off(self):
        if self.current is not None:
            self.current.disable()
            self.current = None


def forget_everything():
    """What a new process knows: nothing in its memory, nothing in Django's cache."""
    import os

    from riseup_stripe_plugin.local_answers import answers

    from .common import REDIS_URL, remove_redis_keys

    answers.close()
    remove_redis_keys(REDIS_URL, os.environ["SANDBOX_CACHE_KEY_PREFIX"])  # this comparison's keys only


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def run(size, db, env, processes):
    from crum import set_current_request
    from django.conf import settings
    from django.test import override_settings
    from openedx_filters.learning.filters import CourseEnrollmentStarted

    from riseup_stripe_plugin.filters import PaidCourseEnrollmentGate
    from sandbox.platform import enrollment
    from sandbox.platform.models import CourseEnrollment

    learner, courses = seed()
    configs = configurations()
    set_current_request(learner_request(learner))
    step = PaidCourseEnrollmentGate(CourseEnrollmentStarted.filter_type, [])
    rows = []
    try:
        for course_name, course_key in courses.items():
            for situation in ("first enrollment", "already enrolled"):
                def reset(_name, key=course_key, first=situation == "first enrollment"):
                    if first:
                        CourseEnrollment.objects.filter(user=learner, course_id=key).delete()
                    elif not CourseEnrollment.objects.filter(user=learner, course_id=key).exists():
                        enrollment.enroll(learner, key)

                queries = {}
                # Call by call in turns (with, without, with...): the configuration switches, and the row is
                # reset, before each call, untimed; a machine whose speed drifts weighs on both alike.
                switch = Switch(configs, reset)
                try:
                    durations = interleaved(
                        {name: lambda key=course_key: enrollment.enroll(learner, key) for name in configs},
                        repeat=size["gate_repeat"], warmup=5, max_seconds=60, before=switch)
                finally:
                    switch.off()
                for name, config in configs.items():
                    with override_settings(OPEN_EDX_FILTERS_CONFIG=config):
                        reset(name)
                        queries[name] = count_queries(lambda key=course_key: enrollment.enroll(learner, key))
                reset("step")
                step_queries = count_queries(
                    lambda key=course_key: step.run_filter(user=learner, course_key=key, mode="audit"))
                # A process that knows nothing yet: its memory and Django's cache both empty.
                forget_everything()
                cold_queries = count_queries(
                    lambda key=course_key: step.run_filter(user=learner, course_key=key, mode="audit"))
                with_stats, without_stats = summary(durations["with step"]), summary(durations["without step"])
                rows.append({
                    "course": course_name, "situation": situation,
                    "with_step": with_stats, "without_step": without_stats,
                    "ratio": ratio(with_stats["median_ms"], without_stats["median_ms"]),
                    "queries_with_step": queries["with step"], "queries_without_step": queries["without step"],
                    "step_queries": step_queries, "step_queries_cold": cold_queries,
                    "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
                })
    finally:
        set_current_request(None)
    return {"comparison": "gate", "db": db, "rows": rows}


if __name__ == "__main__":
    main(run, "gate")
