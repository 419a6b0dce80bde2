"""
What the display steps share: a price that cannot be shown never breaks the page it is shown on.

``fail_silently`` is set per filter type, for every plugin's steps in that pipeline, so the plugin does
not change it; each display step catches its own errors instead. Only the enrollment gate fails closed.
"""

from __future__ import annotations

import functools
import logging

from openedx_filters.exceptions import OpenEdxFilterException

log = logging.getLogger(__name__)


def leaves_page_unchanged(run_filter):
    """
    Wrap a display step's ``run_filter``: on an error, log it once (with its traceback) and change nothing.

    A step returning ``{}`` leaves the pipeline's values as they were; the filters' own exceptions
    (a redirect, a custom response) still go through.
    """
    @functools.wraps(run_filter)
    def wrapper(self, *args, **kwargs):
        try:
            return run_filter(self, *args, **kwargs)
        except OpenEdxFilterException:
            raise
        except Exception:  # noqa: BLE001 - any error: the page is shown as the platform made it
            log.exception("%s failed; the page is shown without the plugin's additions.", type(self).__name__)
            return {}
    return wrapper
