"""The stand-in platform. Like the LMS, it sets up its Celery app when it is loaded."""

try:
    from .celery import app as celery_app
except ImportError:  # Celery not installed: webhooks are processed in the request
    celery_app = None

__all__ = ["celery_app"]
