"""
The openedx-filters pipeline steps, at the dotted paths ``OPEN_EDX_FILTERS_CONFIG`` names.

Sites copy these paths into their settings, so they stay here whatever module holds the code:
the enrollment gate is in ``enrollment.gate``, the course about page step in
``web.course_about``, the learner dashboard steps in ``web.dashboard``.
"""

from .enrollment.gate import PaidCourseEnrollmentGate
from .web.course_about import CourseAboutPurchaseStep
from .web.dashboard import DashboardCourseRunPriceStep, DashboardEnrollmentInvoiceStep

__all__ = ["CourseAboutPurchaseStep", "DashboardCourseRunPriceStep", "DashboardEnrollmentInvoiceStep",
           "PaidCourseEnrollmentGate"]
