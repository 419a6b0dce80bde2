"""
The sandbox platform, except for the base of the learner pages, which is the Open edX backend's
(``main_django.html``): lets a test render the plugin's pages inside a stand-in of the LMS's own base.
"""

from riseup_stripe_plugin.edxapp_wrapper.backends import openedx
from sandbox.platform.backend import *  # noqa: F401,F403

learner_page_base = openedx.learner_page_base
