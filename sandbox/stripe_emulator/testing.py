"""Test-only routes under ``/_test/`` (no API key, like localstripe's ``/_config/``).

They let a test do what a customer, a bank or Stripe's infrastructure would
do: pay a session without a browser, settle a delayed payment, open and close
a dispute, hold webhooks back and deliver them in a chosen order, make some
API calls fail, move the clock, and read the log of API calls received.
"""

import json
import time

from aiohttp import web

from . import idempotency, middleware, state
from ._localstripe import UserError, get_post_data, store
from .base import random_id
from .checkout import OUTCOMES, expire_due_sessions, pay
from .errors import invalid
from .params import Bool, Enum, Int, ListOf, Number, Required, Str, clean_fields
from .payments import Refund, close_test_dispute, open_test_dispute
from .webhooks import (
    dispatcher,
    register_config_endpoint,
    snapshot_endpoints,
    unregister_config_endpoint,
)


def json_response(data, status=200):
    return web.json_response(
        data, status=status, dumps=lambda value: json.dumps(value, indent=2, sort_keys=True) + "\n"
    )


async def params_of(request, fields):
    data = await get_post_data(request) or {}
    if not isinstance(data, dict):
        data = dict(data)
    return clean_fields(data, fields)


def handler(fields=None):
    """Wrap a test route: parse and check params, turn errors into JSON."""

    def decorate(func):
        async def wrapped(request):
            try:
                params = await params_of(request, fields or {}) if request.method != "GET" else {}
                result = func(request, **params)
                if hasattr(result, "__await__"):
                    result = await result
                if hasattr(result, "_export"):
                    result = result._export()
                return json_response(result)
            except UserError as error:
                return error.to_response()

        return wrapped

    return decorate


@handler({"promotion_code": Str(), "outcome": Enum(*OUTCOMES), "email": Str(), "name": Str()})
def pay_session(request, promotion_code=None, outcome=None, email=None, name=None):
    return pay(
        request.match_info["id"],
        email=email,
        name=name,
        promotion_code=promotion_code,
        outcome=outcome or "paid",
    )


def _event(event_id):
    event = store.get(f"event:{event_id}")
    if event is None:
        raise invalid(f"No such event: '{event_id}'", param="id", code="resource_missing", status=404)
    return event


@handler({"times": Int(1, 100)})
async def redeliver_one(request, times=None):
    event = _event(request.match_info["id"])
    return {"deliveries": await deliver(event, times or 1)}


@handler({"ids": Required(ListOf(Str())), "times": Int(1, 100)})
async def redeliver_many(request, ids, times=None):
    events = [_event(event_id) for event_id in ids]
    deliveries = []
    for event in events:
        deliveries += await deliver(event, times or 1)
    return {"deliveries": deliveries}


async def deliver(event, times):
    """Send ``event`` now, ``times`` times in a row; it is no longer held."""
    if event.id in dispatcher.held:
        dispatcher.held.remove(event.id)
    deliveries = []
    for _ in range(times):
        deliveries += await dispatcher.deliver(event)
    return deliveries


@handler({"ids": ListOf(Str()), "times": Int(1, 100)})
async def deliver_held(request, ids=None, times=None):
    """Send held events now: the given ones in that order, or all in creation order."""
    if ids:
        unknown = [event_id for event_id in ids if event_id not in dispatcher.held]
        if unknown:
            raise invalid(f"Not held: {', '.join(unknown)}", param="ids")
    events = [_event(event_id) for event_id in (ids or list(dispatcher.held))]
    deliveries = []
    for event in events:
        deliveries += await deliver(event, times or 1)
    return {"deliveries": deliveries, "held": list(dispatcher.held)}


def webhook_status():
    return {
        "paused": dispatcher.paused,
        "held": list(dispatcher.held),
        "delay": dispatcher.delay,
        "endpoints": snapshot_endpoints(),
    }


@handler()
def pause_webhooks(request):
    dispatcher.paused = True
    return webhook_status()


@handler()
def resume_webhooks(request):
    dispatcher.paused = False
    return webhook_status()


@handler()
def get_webhooks(request):
    return webhook_status()


@handler({"seconds": Required(Number(0, 60))})
def set_webhook_delay(request, seconds):
    dispatcher.delay = float(seconds)
    return webhook_status()


def log_routes(log):
    """GET and DELETE handlers of a recorded list; ``log()`` finds it (a reset may replace it)."""

    @handler()
    def get(request):
        return {"data": list(log())}

    async def clear(request):
        log().clear()
        return json_response({"data": []})

    return get, clear


get_deliveries, clear_deliveries = log_routes(lambda: dispatcher.log)
get_requests, clear_requests = log_routes(lambda: middleware.request_log)


@handler()
def count_requests(request):
    """How many API calls were received since the last flush or clear, in all and per endpoint."""
    by_endpoint = {}
    for entry in middleware.request_log:
        endpoint = f"{entry['method']} {middleware.endpoint_of(entry['path'])}"
        by_endpoint[endpoint] = by_endpoint.get(endpoint, 0) + 1
    return {"count": len(middleware.request_log), "by_endpoint": dict(sorted(by_endpoint.items()))}


@handler(
    {
        "path_prefix": Required(Str()),
        "status": Int(400, 599),
        "count": Int(1),
        "method": Enum("GET", "POST", "DELETE", "get", "post", "delete"),
        "should_retry": Bool(),
        "action": Enum("error", "disconnect"),
    }
)
def add_fault(request, path_prefix, status=None, count=None, method=None, should_retry=None, action=None):
    action = action or "error"
    if action == "error" and status is None:
        raise invalid("Missing required param: status.", param="status", code="parameter_missing")
    return middleware.add_fault(path_prefix, status, count, method, should_retry, action)


async def remove_fault(request):
    if not middleware.remove_fault(request.match_info["id"]):
        return invalid(f"No such fault: '{request.match_info['id']}'", param="id", status=404).to_response()
    return json_response({"data": list(middleware.faults)})


get_faults, clear_faults = log_routes(lambda: middleware.faults)


@handler(
    {
        "amount": Int(1),
        "reason": Enum(
            "bank_cannot_process",
            "credit_not_processed",
            "customer_initiated",
            "debit_not_authorized",
            "duplicate",
            "fraudulent",
            "general",
            "incorrect_account_details",
            "insufficient_funds",
            "product_not_received",
            "product_unacceptable",
            "subscription_canceled",
            "unrecognized",
        ),
    }
)
def dispute_charge(request, amount=None, reason=None):
    return open_test_dispute(request.match_info["id"], amount, reason or "fraudulent")


@handler({"amount": Int(1), "reason": Enum("duplicate", "fraudulent", "requested_by_customer")})
def refund_in_dashboard(request, amount=None, reason=None):
    """A refund someone made in the Stripe Dashboard, outside the plugin.

    Same effects and events as ``POST /v1/refunds`` (``charge.refunded``,
    ``refund.created``); the events' ``request`` is a Dashboard request (an
    id, no idempotency key), not one of the plugin's calls.
    """
    state.request_context.set({"id": "req_" + random_id(14), "idempotency_key": None})
    params = {"charge": request.match_info["id"], "amount": amount, "reason": reason}
    return Refund(**{key: value for key, value in params.items() if value is not None})


@handler({"status": Required(Enum("won", "lost"))})
def close_dispute(request, status):
    return close_test_dispute(request.match_info["id"], status)


@handler({"advance": Int(0), "set_offset": Int(), "freeze": Bool()})
def move_clock(request, advance=None, set_offset=None, freeze=None):
    """Move the emulated clock; ``freeze`` stops it (true) or lets it run
    again (false) so that only ``advance`` moves time, as on a test clock."""
    if freeze is True and state.frozen_at is None:
        state.frozen_at = int(time.time())
    elif freeze is False and state.frozen_at is not None:
        state.clock_offset += state.frozen_at - int(time.time())
        state.frozen_at = None
    if set_offset is not None:
        state.clock_offset = set_offset
    if advance:
        state.clock_offset += advance
    expire_due_sessions()
    return {"now": state.now(), "offset": state.clock_offset, "frozen": state.frozen_at is not None}


async def health(request):
    return json_response({"ok": True, "base_url": state.base_url})


# -- /_config/ (localstripe's configuration routes, extended) ----------------------
async def config_webhook(request):
    try:
        data = await get_post_data(request) or {}
        params = clean_fields(dict(data), {"url": Required(Str()), "secret": Required(Str()), "events": ListOf(Str())})
        if not params["url"].startswith(("http://", "https://")):
            raise invalid("url must start with http:// or https://", param="url")
    except UserError as error:
        return error.to_response()
    register_config_endpoint(request.match_info["id"], params["url"], params["secret"], params.get("events"))
    return json_response(webhook_status())


async def config_webhook_delete(request):
    unregister_config_endpoint(request.match_info["id"])
    return json_response(webhook_status())


def flush():
    """Forget all data: objects, events, idempotency, requests, faults, clock.

    Webhook endpoints configured through ``/_config/webhooks`` stay (they are
    configuration, as in localstripe); endpoints created through the API go.
    """
    store.clear()
    idempotency.reset()
    middleware.reset()
    dispatcher.reset()
    state.reset()


async def flush_data(request):
    flush()
    return web.Response()


def add_routes(router):
    router.add_post("/_test/checkout/sessions/{id}/pay", pay_session)
    router.add_post("/_test/events/redeliver", redeliver_many)
    router.add_post("/_test/events/{id}/redeliver", redeliver_one)
    router.add_get("/_test/webhooks", get_webhooks)
    router.add_post("/_test/webhooks/pause", pause_webhooks)
    router.add_post("/_test/webhooks/resume", resume_webhooks)
    router.add_post("/_test/webhooks/delay", set_webhook_delay)
    router.add_post("/_test/webhooks/deliver_held", deliver_held)
    router.add_get("/_test/deliveries", get_deliveries)
    router.add_delete("/_test/deliveries", clear_deliveries)
    router.add_get("/_test/requests", get_requests)
    router.add_get("/_test/requests/count", count_requests)
    router.add_delete("/_test/requests", clear_requests)
    router.add_post("/_test/faults", add_fault)
    router.add_get("/_test/faults", get_faults)
    router.add_delete("/_test/faults", clear_faults)
    router.add_delete("/_test/faults/{id}", remove_fault)
    router.add_post("/_test/charges/{id}/dispute", dispute_charge)
    router.add_post("/_test/charges/{id}/refund", refund_in_dashboard)
    router.add_post("/_test/disputes/{id}/close", close_dispute)
    router.add_post("/_test/clock", move_clock)
    router.add_get("/_test/health", health)
    router.add_post("/_config/webhooks/{id}", config_webhook)
    router.add_delete("/_config/webhooks/{id}", config_webhook_delete)
    router.add_delete("/_config/data", flush_data)
    router.add_delete("/_test/data", flush_data)
