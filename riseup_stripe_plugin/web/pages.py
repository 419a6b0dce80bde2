"""Rendering a learner page inside the platform's own page (its header, footer and theme)."""

from __future__ import annotations

from django.shortcuts import render

from .. import edxapp_wrapper as platform


def render_page(request, template_name: str, context: dict, *, status: int = 200):
    """
    ``render`` with ``riseup_stripe_base``, the base the platform boundary names (the LMS's
    ``main_django.html`` in the platform), which ``riseup_stripe_plugin/base.html`` extends.
    """
    return render(request, template_name, {**context, "riseup_stripe_base": platform.learner_page_base()},
                  status=status)
