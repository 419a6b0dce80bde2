"""Settings every environment gets: the filter steps, appended to what is already there."""

#: Filter type → the steps this plugin appends to its pipeline.
FILTER_STEPS = {
    "org.openedx.learning.course.enrollment.started.v1": [
        "riseup_stripe_plugin.filters.PaidCourseEnrollmentGate",
    ],
    # CourseAboutRenderStarted: the price and the buy button on the course about page.
    "org.openedx.learning.course_about.render.started.v1": [
        "riseup_stripe_plugin.filters.CourseAboutPurchaseStep",
    ],
    # CourseRunAPIRenderStarted / CourseEnrollmentAPIRenderStarted: the learner dashboard MFE.
    "org.openedx.learning.home.courserun.api.rendered.started.v1": [
        "riseup_stripe_plugin.filters.DashboardCourseRunPriceStep",
    ],
    "org.openedx.learning.home.enrollment.api.rendered.v1": [
        "riseup_stripe_plugin.filters.DashboardEnrollmentInvoiceStep",
    ],
}


#: Filters whose failure must stop the action rather than let it through.
FAIL_CLOSED = ("org.openedx.learning.course.enrollment.started.v1",)
GATE_STEP = "riseup_stripe_plugin.filters.PaidCourseEnrollmentGate"


def add_filter_steps(settings, steps_by_filter=FILTER_STEPS):
    """
    Append our steps to ``OPEN_EDX_FILTERS_CONFIG`` without replacing anything.

    Another plugin's steps stay first; running this twice adds nothing twice.
    One exception to leaving things as they are: the enrollment filter is
    forced to ``fail_silently: False``, because a gate that fails open lets
    anyone into a paid course (an exception in a step would otherwise be
    swallowed and the enrollment would go through).
    """
    config = getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None) or {}
    for filter_type, steps in steps_by_filter.items():
        entry = config.setdefault(filter_type, {"fail_silently": False, "pipeline": []})
        pipeline = entry.setdefault("pipeline", [])
        if isinstance(pipeline, str):
            pipeline = entry["pipeline"] = [pipeline]
        for step in steps:
            if step not in pipeline:
                pipeline.append(step)
        if filter_type in FAIL_CLOSED:
            entry["fail_silently"] = False
    settings.OPEN_EDX_FILTERS_CONFIG = config


def plugin_settings(settings):
    add_filter_steps(settings)
