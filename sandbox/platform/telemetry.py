"""
A monitoring backend for edx-django-utils that keeps what it is told, as New Relic or Datadog would receive it.

The tests name it in ``OPENEDX_TELEMETRY``; the plugin's calls go through the real
``edx_django_utils.monitoring.set_custom_attribute``.
"""

from contextlib import nullcontext

from edx_django_utils.monitoring import TelemetryBackend


class RecordingBackend(TelemetryBackend):
    #: Every (key, value) set, in order, across instances (edx-django-utils makes one per settings change).
    attributes: list = []

    @classmethod
    def clear(cls):
        cls.attributes.clear()

    @classmethod
    def values(cls, key):
        return [value for name, value in cls.attributes if name == key]

    def set_attribute(self, key, value):
        self.attributes.append((key, value))

    def record_exception(self):
        pass

    def create_span(self, name, operation_name=None):
        return nullcontext()

    def tag_root_span_with_error(self, exception):
        pass

    def set_local_root_span_name(self, name, group=None, priority=None):
        pass
