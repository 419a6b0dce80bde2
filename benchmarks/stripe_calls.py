"""
Comparison 3: Stripe API calls per purchase, counted at the emulator (``GET /_test/requests/count``).

    python -m benchmarks.stripe_calls --db sqlite --size smoke|full --out FILE

The sandbox LMS is served over HTTP by a thread of this process so that the emulator's signed
webhooks reach it, as Stripe's would. A purchase: the learner's *Buy* POST (counted alone), the
payment on the emulator's side (a test route, not an API call), the learner's return page, then
the webhooks until the order is fulfilled, the paid invoice stored and every delivered event
processed. Two purchases: a new learner on a course whose Product was never synced, and the same
learner (now a Stripe Customer) on a course already synced by an earlier purchase. The webhooks
are held back while the return page is answered, so that its calls are counted apart, then sent.
"""

from __future__ import annotations

import threading
import time

from .common import main, wait_until

BUY_URL = "/riseup-stripe/courses/{course_id}/buy/"
RETURN_URL = "/riseup-stripe/checkout/return/?session_id={session_id}"
WEBHOOK_PATH = "/riseup-stripe/webhook/"
#: The events the README says to register for the webhook endpoint.
WEBHOOK_EVENTS = [
    "checkout.session.completed", "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed", "checkout.session.expired", "invoice.finalized", "invoice.paid",
    "charge.refunded", "credit_note.created", "charge.dispute.created", "charge.dispute.closed",
]


class LMSServer:
    """The Django app on 127.0.0.1, served by threads of this process."""

    def __init__(self):
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self.server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
        self.server.set_app(get_wsgi_application())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self, **_kwargs):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def seed():
    from django.contrib.auth import get_user_model
    from opaque_keys.edx.keys import CourseKey

    from riseup_stripe_plugin.models import CourseOffer, PaymentConfiguration
    from sandbox.platform.models import Course

    PaymentConfiguration.objects.update_or_create(pk=1, defaults={"enabled": True, "default_currency": "eur"})
    courses = {}
    for name, price, currency in (("never-synced", 4900, "eur"), ("synced", 1999, "usd")):
        key = CourseKey.from_string(f"course-v1:Bench+{name.replace('-', '')}+2026")
        Course.objects.create(id=key, display_name=f"Course {name}", org="Bench")
        CourseOffer.objects.create(course_key=key, is_paid=True, price=price, currency=currency)
        courses[name] = key
    User = get_user_model()
    users = {name: User.objects.create_user(name, f"{name}@example.com", "pass") for name in ("first-buyer", "learner")}
    return users, courses


def settled(order_pk, emulator):
    """Fulfilled, paid invoice stored, every delivery answered and processed, nothing more coming."""
    from riseup_stripe_plugin.models import Invoice, Order, StripeEvent

    order = Order.objects.get(pk=order_pk)
    if order.state != "fulfilled" or not Invoice.objects.filter(order=order, stripe_status="paid").exists():
        return False
    deliveries = emulator.deliveries()
    if any(d.get("status") is None for d in deliveries):
        return False
    delivered = {d.get("event") for d in deliveries}
    stored = set(StripeEvent.objects.filter(event_id__in=delivered, processed=True).values_list("event_id",
                                                                                                flat=True))
    return delivered <= stored


def purchase(client, emulator, learner, course_key) -> dict:
    from riseup_stripe_plugin.models import Order

    client.force_login(learner)
    emulator.clear_requests()
    response = client.post(BUY_URL.format(course_id=course_key))
    if response.status_code != 303:
        raise RuntimeError(f"Buy answered {response.status_code}: {response.content[:300]!r}")
    buy = emulator.request_count()
    order = Order.objects.filter(user=learner, course_key=course_key).order_by("-pk").first()
    # Webhooks held back while the learner comes back, so that the return page's calls are its own;
    # then the held events are sent, in order, with their very payloads.
    held_before = len(emulator.webhook_status().get("held") or [])  # resuming does not empty the list
    emulator.pause_webhooks()
    try:
        emulator.pay(order.checkout_session_id)
        client.get(RETURN_URL.format(session_id=order.checkout_session_id))
        after_return = emulator.request_count()
    finally:
        held = (emulator.webhook_status().get("held") or [])[held_before:]
        emulator.resume_webhooks()
    if held:
        emulator.redeliver(*held)
    wait_until(lambda: settled(order.pk, emulator), timeout=30, interval=0.1, message="the order to settle")
    time.sleep(0.5)  # a late event would show up in the deliveries
    wait_until(lambda: settled(order.pk, emulator), timeout=10, interval=0.1, message="late events")
    total = emulator.request_count()
    events = sorted(d.get("type") or d.get("event") for d in emulator.deliveries())
    return {
        "buy_calls": buy["count"], "buy_by_endpoint": buy["by_endpoint"],
        "return_page_calls": after_return["count"] - buy["count"],
        "buy_to_enrolled_calls": total["count"], "buy_to_enrolled_by_endpoint": total["by_endpoint"],
        "events_delivered": events,
    }


def run(size, db, env, processes):
    from django.conf import settings
    from django.test import Client

    from .common import start_emulator

    emulator = start_emulator(processes, webhook_delay=0.05)
    settings.RISEUP_STRIPE_API_BASE = emulator.base_url
    users, courses = seed()
    server = processes.adopt("sandbox LMS (thread)", LMSServer().start())
    emulator.configure_webhook(server.url + WEBHOOK_PATH, settings.RISEUP_STRIPE_WEBHOOK_SECRET,
                               events=WEBHOOK_EVENTS)
    client = Client()
    # Unmeasured: someone else's purchase syncs the second course's Product and Price.
    purchase(client, emulator, users["first-buyer"], courses["synced"])
    rows = []
    for label, course in (("new learner, Product not synced yet", "never-synced"),
                          ("repeat learner, course synced", "synced")):
        emulator.request("DELETE", "/_test/deliveries")
        rows.append({"case": label, **purchase(client, emulator, users["learner"], courses[course])})
    return {"comparison": "stripe_calls", "db": db, "rows": rows,
            "note": "Buy to enrolled includes the learner's return page and every webhook delivered."}


if __name__ == "__main__":
    main(run, "stripe_calls", databases=("sqlite",))
