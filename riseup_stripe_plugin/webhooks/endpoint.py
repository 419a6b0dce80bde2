"""
The Stripe webhook endpoint: verify on the raw body, store each event once, then process it.

An event's signature is checked before anything is stored: storing unverified
bodies under their claimed id would let a forger pre-claim a real event id and
make us ignore the genuine delivery.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import edxapp_wrapper as platform
from ..exceptions import WebhookVerificationError
from ..models import StripeEvent
from ..orders.customers import details_deferred
from ..stripe_gateway import StripeGateway
from .dispatch import queue_event, webhook_mode
from .processing import run_event

log = logging.getLogger(__name__)

def store_event(event: dict, raw_body: bytes) -> StripeEvent:
    """Store a verified event once, by its Stripe id."""
    obj = (event.get("data") or {}).get("object") or {}
    try:
        with transaction.atomic():
            return StripeEvent.objects.create(
                event_id=event["id"], type=str(event.get("type", ""))[:255],
                api_version=str(event.get("api_version") or "")[:64], livemode=bool(event.get("livemode")),
                object_id=str(obj.get("id") or "")[:255], raw_body=raw_body.decode("utf-8"), verified=True,
            )
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event["id"])

@csrf_exempt
@transaction.non_atomic_requests  # it calls Stripe: never inside ATOMIC_REQUESTS' transaction
@require_POST
def stripe_webhook(request):
    """
    The Stripe webhook endpoint: 400 for a bad signature, 500 to make Stripe retry, 200 otherwise.

    In Celery mode (:mod:`.dispatch`) it answers once the event is stored and queued, and a
    worker processes it. An event that retrying cannot fix is answered 200 too: it is kept, marked as needing
    attention, and processed again from the admin or ``riseup_stripe_process_events``.
    """
    gateway = StripeGateway()
    payload = request.body
    try:
        event = gateway.verify_event(payload, request.META.get("HTTP_STRIPE_SIGNATURE"))
    except WebhookVerificationError as exc:
        log.warning("Rejected a webhook call: %s", exc.detail)
        platform.set_custom_attributes(event_result="invalid_signature")
        return JsonResponse({"error": "invalid signature"}, status=400)
    record = store_event(event, payload)
    mode = webhook_mode()
    platform.set_custom_attributes(event_id=record.event_id, event_type=record.type, webhook_mode=mode)
    if mode == "celery" and not record.processed and queue_event(record):
        platform.set_custom_attributes(event_result="queued")
        return JsonResponse({"received": True, "queued": True})
    # The record was read (or written) by this request a moment ago: process_event need not ask again.
    # A new Customer's details are not this request's to send (customers.details_deferred).
    with details_deferred():
        run = run_event(record, gateway)
    if run.retry:
        return JsonResponse({"error": "temporarily unable to process; retry"}, status=500)
    if run.needs_attention:
        return JsonResponse({"received": True, "outcome": "needs attention"})
    log.info("Webhook %s %s: %s", event.get("type"), event.get("id"), run.outcome)
    return JsonResponse({"received": True, "outcome": run.outcome.split(":")[0]})
