"""
The sandbox LMS's Celery app, set up as the platform sets up its own (``lms/celery.py``).

Its settings are the ``CELERY_*`` Django settings; it finds the plugin's tasks by
autodiscovery, as the platform's workers do. Without a broker
(``SANDBOX_CELERY_BROKER_URL`` unset) the plugin processes webhooks in the request.

    DJANGO_SETTINGS_MODULE=sandbox.settings.demo celery -A sandbox.celery worker --pool=solo \
        -Q edx.lms.core.default
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings.demo")

app = Celery("sandbox")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
