"""After a run: what dj-stripe stored and processed (``python -m benchmarks.djstripe_site.check``)."""

import json
import os

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.djstripe_site.settings")
    django.setup()
    from importlib.metadata import version

    import stripe
    from djstripe.models import Event, Session, WebhookEventTrigger

    triggers = WebhookEventTrigger.objects.all()
    failed = triggers.exclude(exception="")
    print(json.dumps({
        "djstripe_version": version("dj-stripe"),
        "stripe_python_version": stripe.VERSION,
        "triggers": triggers.count(),
        "valid_and_processed": triggers.filter(valid=True, processed=True).count(),
        "events": Event.objects.count(),
        "sessions": Session.objects.count(),
        "first_exception": failed.values_list("exception", flat=True).first() or "",
    }))


if __name__ == "__main__":
    main()
