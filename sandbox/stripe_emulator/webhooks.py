"""Events, webhook endpoints and signed delivery.

Stripe stores every event, signs each delivery with the endpoint's secret
(``Stripe-Signature: t=<ts>,v1=<hmac-sha256("<ts>.<payload>")>``), retries,
may deliver twice and never promises order. Tests need to reproduce all of
that on purpose, so deliveries go through one queue (in creation order, after
a configurable delay), can be paused, and any stored event can be sent again
with the very same payload, in any order.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import ClassVar

from . import API_VERSION, state
from ._localstripe import StockEvent, store
from .base import EmuObject, clean_metadata, random_id, set_fields
from .errors import invalid
from .params import Bool, Created, ListOf, Metadata, Required, Str, check

logger = logging.getLogger("stripe_emulator.webhooks")


class Event(EmuObject):
    """A stored event; ``data.object`` is a snapshot taken when it was sent."""

    object = "event"
    _id_prefix = "evt_"
    _hidden = frozenset({"_payload"})
    _list_fields: ClassVar[dict] = {
        "type": Str(),
        "types": ListOf(Str(), max_items=20),
        "created": Created(),
        "delivery_success": Bool(),
    }
    _list_filters: ClassVar[tuple] = ("created",)

    def __init__(self, type, obj, previous_attributes=None):
        super().__init__()
        self.type = type
        self.api_version = API_VERSION
        data = {"object": obj._export() if hasattr(obj, "_export") else obj}
        if previous_attributes:
            data["previous_attributes"] = previous_attributes
        self.data = data
        self.request = state.current_request()
        self.pending_webhooks = len(matching_endpoints(type))
        self.context = None
        self.account = state.ACCOUNT_ID
        self._payload = None

    def _api_payload(self):
        """The exact bytes sent; frozen at first delivery so redeliveries match."""
        if self._payload is None:
            self._payload = json.dumps(self._export(), indent=2, sort_keys=True).encode("utf-8")
        return self._payload

    @classmethod
    def _api_list_all(cls, url, **params):
        if params.get("type") and params.get("types"):
            raise invalid("You may only specify one of these parameters: type, types.", param="types")
        return super()._api_list_all(url, **params)

    @classmethod
    def _list_match(cls, item, params):
        if params.get("delivery_success") is not None:
            delivered = item.pending_webhooks == 0
            if delivered != params["delivery_success"]:
                return False
        if params.get("type"):
            pattern = params["type"]
            if pattern.endswith("*"):
                if not item.type.startswith(pattern[:-1]):
                    return False
            elif item.type != pattern:
                return False
        if params.get("types") and item.type not in params["types"]:
            return False
        return super()._list_match(item, params)

    @classmethod
    def _api_create(cls, **data):
        raise invalid("Events cannot be created through the API", status=405)

    @classmethod
    def _api_update(cls, id, **data):
        raise invalid("Events cannot be updated", status=405)


# -- endpoints -------------------------------------------------------------
class ConfigEndpoint:
    """An endpoint registered through localstripe's ``/_config/webhooks/{id}``."""

    def __init__(self, id, url, secret, events=None):
        self.id = id
        self.url = url
        self.secret = secret
        self.enabled_events = events or ["*"]
        self.status = "enabled"


_config_endpoints = {}

ENABLED_EVENTS = ListOf(Str(), max_items=300)


class WebhookEndpoint(EmuObject):
    """``/v1/webhook_endpoints``: the secret is only returned by create."""

    object = "webhook_endpoint"
    _id_prefix = "we_"
    _defaults: ClassVar[dict] = {
        "api_version": None,
        "application": None,
        "description": None,
        "enabled_events": [],
        "metadata": {},
        "status": "enabled",
        "url": None,
    }
    _create_fields: ClassVar[dict] = {
        "url": Required(Str()),
        "enabled_events": Required(ENABLED_EVENTS),
        "api_version": Str(),
        "description": Str(),
        "metadata": Metadata(),
        "connect": Bool(),
    }
    _update_fields: ClassVar[dict] = {
        "url": Str(),
        "enabled_events": ENABLED_EVENTS,
        "description": Str(),
        "metadata": Metadata(),
        "disabled": Bool(),
    }
    _deletable = True

    def __init__(self, **params):
        params = check(params, self._create_fields)
        params.pop("expand", None)
        check_url(params["url"])
        super().__init__()
        self.url = params["url"]
        self.enabled_events = params["enabled_events"]
        self.api_version = params.get("api_version")
        self.description = params.get("description")
        self.metadata = clean_metadata(params.get("metadata"))
        self.status = "enabled"
        self._secret = "whsec_" + random_id(32)

    @property
    def secret(self):
        return self._secret

    @classmethod
    def _api_create(cls, **data):
        obj = cls(**data)
        return _WithSecret(obj)

    def _update(self, params):
        if params.get("url"):
            check_url(params["url"])
            self.url = params["url"]
        if params.get("enabled_events"):
            self.enabled_events = params["enabled_events"]
        if params.get("disabled") is not None:
            self.status = "disabled" if params["disabled"] else "enabled"
        set_fields(self, params, ("description", "metadata"))


class _WithSecret:
    """Create response of a webhook endpoint: the only time ``secret`` is shown."""

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def _export(self, expand=None):
        data = self.endpoint._export(expand)
        data["secret"] = self.endpoint._secret
        return data


def check_url(url):
    if not url.startswith(("http://", "https://")):
        raise invalid("Invalid URL: must start with http:// or https://", param="url")


def register_config_endpoint(id, url, secret, events=None):
    _config_endpoints[id] = ConfigEndpoint(id, url, secret, events)


def unregister_config_endpoint(id):
    _config_endpoints.pop(id, None)


def all_endpoints():
    return list(_config_endpoints.values()) + WebhookEndpoint._all()


def matching_endpoints(event_type):
    return [
        endpoint
        for endpoint in all_endpoints()
        if endpoint.status == "enabled" and ("*" in endpoint.enabled_events or event_type in endpoint.enabled_events)
    ]


# -- delivery ----------------------------------------------------------------
def sign(payload, secret, timestamp=None):
    """The ``Stripe-Signature`` header value for ``payload`` (bytes)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = b"%d." % timestamp + payload
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class Dispatcher:
    """One ordered queue of events to deliver, plus pause and a delivery log."""

    def __init__(self):
        self.delay = state.webhook_delay_from_env()
        self.paused = False
        self.held = []
        self.log = []
        self._queue = None
        self._worker = None
        self._session = None

    async def start(self):
        import aiohttp

        self._queue = asyncio.Queue()
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._worker = asyncio.ensure_future(self._run())

    async def stop(self):
        if self._worker:
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass
        if self._session:
            await self._session.close()
        self._worker = self._session = self._queue = None

    def schedule(self, event):
        event._api_payload()
        if self.paused:
            self.held.append(event.id)
            return
        if self._queue is None:  # not serving (e.g. unit use): keep it stored only
            return
        due = asyncio.get_event_loop().time() + self.delay
        self._queue.put_nowait((due, event.id))

    def reset(self):
        self.paused = False
        self.held = []
        self.log = []
        self.delay = state.webhook_delay_from_env()
        if self._queue is not None:
            while not self._queue.empty():
                self._queue.get_nowait()

    async def _run(self):
        loop = asyncio.get_event_loop()
        while True:
            due, event_id = await self._queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            event = store.get(f"event:{event_id}")
            if event is None:  # flushed meanwhile
                continue
            try:
                await self.deliver(event)
            except Exception:  # never let one bad delivery stop the queue
                logger.exception("delivery of %s failed", event_id)

    async def deliver(self, event):
        """Send ``event`` to every matching endpoint now; returns the attempts."""
        payload = event._api_payload()
        attempts = []
        for endpoint in matching_endpoints(event.type):
            attempt = {
                "event": event.id,
                "type": event.type,
                "endpoint": endpoint.id,
                "url": endpoint.url,
                "status": None,
                "error": None,
                "delivered_at": time.time(),
            }
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign(payload, endpoint.secret),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            }
            try:
                async with self._session.post(endpoint.url, data=payload, headers=headers) as response:
                    attempt["status"] = response.status
                    await response.read()
            except Exception as exc:  # noqa: BLE001 - connection refused, timeout...: logged
                attempt["error"] = f"{type(exc).__name__}: {exc}"
            if attempt["status"] is not None and 200 <= attempt["status"] < 300:
                event.pending_webhooks = max(0, event.pending_webhooks - 1)
            self.log.append(attempt)
            attempts.append(attempt)
        return attempts


dispatcher = Dispatcher()


def schedule_webhook(event):
    """Replacement for localstripe's sender (stock events are converted)."""
    if isinstance(event, StockEvent) and not isinstance(event, Event):
        store.pop(f"event:{event.id}", None)
        snapshot = event.data.get("object")
        event = Event(event.type, snapshot)
    dispatcher.schedule(event)
    return event


def emit(event_type, obj, previous_attributes=None):
    """Create, store and queue one event about ``obj``."""
    return schedule_webhook(Event(event_type, obj, previous_attributes))


def snapshot_endpoints():
    """Endpoints as shown by ``GET /_test/webhooks`` (no secrets)."""
    return [{"id": e.id, "url": e.url, "enabled_events": e.enabled_events, "status": e.status} for e in all_endpoints()]
