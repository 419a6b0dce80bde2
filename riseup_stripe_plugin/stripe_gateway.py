"""
The one module that talks to Stripe.

It builds a :class:`stripe.StripeClient` with explicit keys and the pinned API
version (never the global ``stripe.api_key``), derives every write's
idempotency key from local ids so a retry can never create a second object,
and turns Stripe's exceptions into the plugin's own. The installation id goes
into every idempotency key and the metadata of everything created; an object
read back that names another installation raises :class:`ForeignInstallation`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from datetime import datetime
from urllib.parse import quote

import stripe

from . import conf
from .configuration.installation import METADATA_KEY, installation_id, is_foreign
from .exceptions import (
    ForeignInstallation,
    PaymentConfigurationError,
    PaymentProviderUnavailable,
    PaymentRequestError,
    StripeGatewayError,
    WebhookVerificationError,
)

log = logging.getLogger(__name__)

#: The events the webhook endpoint must receive.
WEBHOOK_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "invoice.finalized",
    "invoice.paid",
    "charge.refunded",
    "credit_note.created",
    "credit_note.voided",
    "charge.dispute.created",
    "charge.dispute.closed",
)

#: Stripe Checkout's own locales; anything else falls back to "auto".
CHECKOUT_LOCALES = frozenset(
    "bg cs da de el en en-GB es es-419 et fi fil fr fr-CA hr hu id it ja ko lt lv ms mt nb nl pl "
    "pt pt-BR ro ru sk sl sv th tr vi zh zh-HK zh-TW".split()
)


def checkout_locale(language: str | None) -> str:
    """Map a Django language code (fr, fr-ca, pt-br) to a Stripe Checkout locale."""
    if not language:
        return "auto"
    parts = language.replace("_", "-").split("-")
    candidates = [parts[0].lower()]
    if len(parts) > 1:
        region = parts[1].upper() if len(parts[1]) == 2 else parts[1]
        candidates.insert(0, f"{parts[0].lower()}-{region}")
    for candidate in candidates:
        if candidate in CHECKOUT_LOCALES:
            return candidate
    return "auto"


def params_digest(params: dict) -> str:
    """A short, stable fingerprint of request parameters, for idempotency keys."""
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]


def object_id(value) -> str:
    """The id in a field Stripe returns either as an id or, expanded, as the object itself."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _plain(obj):
    """Stripe objects are not dicts any more; the plugin works on plain dicts."""
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


#: Each thread's HTTP clients, by timeout: their connection pool outlives one request (see :func:`_http_client`).
_http_clients = threading.local()


def _http_client(timeout: int):
    """
    This thread's HTTP client for Stripe, made once per timeout and kept: its connections stay open between
    requests (HTTP keep-alive), so a webhook's re-read of the session does not open a new connection,
    with a new TLS handshake, every time. One per thread (a ``requests`` session is not shared across
    threads); a connection the server closed meanwhile is noticed before reuse and opened again.
    """
    clients = getattr(_http_clients, "by_timeout", None)
    if clients is None:
        clients = _http_clients.by_timeout = {}
    client = clients.get(timeout)
    if client is None:
        client = clients[timeout] = stripe.new_default_http_client(timeout=timeout)
    return client


class StripeGateway:
    """Stripe, as the plugin uses it."""

    #: Items per page of a Stripe list (Stripe's maximum).
    list_page_size = 100

    def __init__(self, settings: conf.StripeSettings | None = None):
        self.settings = settings or conf.stripe_settings()
        self._client: stripe.StripeClient | None = None
        self._installation: str | None = None

    @property
    def installation(self) -> str:
        if self._installation is None:
            self._installation = installation_id()
        return self._installation

    # -- plumbing ---------------------------------------------------------

    @property
    def client(self) -> stripe.StripeClient:
        if self._client is None:
            if not self.settings.secret_key:
                raise PaymentConfigurationError(detail="no secret key configured")
            addresses = {}
            if self.settings.api_base:
                base = self.settings.api_base.rstrip("/")
                addresses = {"api": base, "files": base, "connect": base}
            self._client = stripe.StripeClient(
                self.settings.secret_key,
                stripe_version=self.settings.api_version,
                base_addresses=addresses or None,
                max_network_retries=self.settings.network_retries,
                http_client=_http_client(self.settings.timeout_seconds),
            )
        return self._client

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return _plain(fn(*args, **kwargs))
        except (stripe.AuthenticationError, stripe.PermissionError) as exc:
            log.error("Stripe refused our credentials during %s (request %s)", what, exc.request_id)
            raise PaymentConfigurationError(detail=f"{what}: {exc.__class__.__name__}") from exc
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            log.warning("Stripe unreachable during %s: %s", what, exc.__class__.__name__)
            raise PaymentProviderUnavailable(detail=f"{what}: {exc.__class__.__name__}") from exc
        except stripe.InvalidRequestError as exc:
            log.warning("Stripe refused %s: %s (param %s, request %s)", what, exc.user_message,
                        exc.param, exc.request_id)
            error = PaymentRequestError(detail=f"{what}: {exc.user_message} (param {exc.param})")
            error.code, error.param = exc.code or "", exc.param or ""
            raise error from exc
        except stripe.APIError as exc:
            status = getattr(exc, "http_status", None)
            log.warning("Stripe error during %s: HTTP %s", what, status)
            if status is None or status >= 500:
                raise PaymentProviderUnavailable(detail=f"{what}: HTTP {status}") from exc
            raise StripeGatewayError(detail=f"{what}: HTTP {status}") from exc
        except stripe.StripeError as exc:
            log.warning("Stripe error during %s: %s", what, exc.__class__.__name__)
            raise StripeGatewayError(detail=f"{what}: {exc.__class__.__name__}") from exc

    def _options(self, key: str) -> dict:
        """Request options: the idempotency key, named after this installation (Stripe takes 255 characters)."""
        key = f"riseup-{self.installation}-{key.removeprefix('riseup-')}"
        if len(key) > 255:
            key = f"{key[:200]}-{hashlib.sha256(key.encode()).hexdigest()}"
        return {"idempotency_key": key}

    def _stamp(self, metadata: dict | None) -> dict:
        """Metadata naming this installation, on everything the plugin creates."""
        return {**(metadata or {}), METADATA_KEY: self.installation}

    def _retrieve(self, what: str, fn, object_id_: str, **kwargs) -> dict:
        """Re-read an object; one another installation made is refused (its events are not ours to act on)."""
        obj = self._call(what, fn, object_id_, **kwargs)
        if is_foreign(obj):
            raise ForeignInstallation(detail=f"{object_id_} belongs to installation "
                                             f"{obj['metadata'][METADATA_KEY]}")
        return obj

    # -- customers --------------------------------------------------------

    def update_customer(self, customer_id: str, *, user_id: int, email: str, name: str, locale: str) -> dict:
        """Bring a Customer's contact details up to date (its email receives the invoices)."""
        params = {"email": email, "name": name or "", "metadata": self._stamp({"riseup_user_id": str(user_id)})}
        if locale and locale != "auto":
            params["preferred_locales"] = [locale]
        return self._call(
            "customer update", self.client.v1.customers.update, customer_id,
            params=params, options=self._options(f"riseup-customer-{customer_id}-{params_digest(params)}"),
        )

    def delete_customer(self, customer_id: str) -> dict:
        """Delete a retired learner's Customer (Stripe keeps its invoices and payments); gone already is fine."""
        try:
            return self._call("customer deletion", self.client.v1.customers.delete, customer_id,
                              options=self._options(f"riseup-customer-delete-{customer_id}"))
        except PaymentRequestError:
            return {"id": customer_id, "deleted": True}

    # -- catalogue: product and price ------------------------------------

    def create_product(self, *, offer_id: int, course_key: str, name: str) -> dict:
        return self._call(
            "product creation", self.client.v1.products.create,
            params={"name": name, "metadata": self._stamp({"riseup_course_key": course_key})},
            options=self._options(f"riseup-product-{offer_id}"),
        )

    def rename_product(self, product_id: str, *, name: str, version: int) -> dict:
        """Give the Product a course's new name; the key names the rename (its version) and the new name."""
        return self._call(
            "product update", self.client.v1.products.update, product_id,
            params={"name": name},
            options=self._options(f"riseup-product-{product_id}-name-v{version}-{params_digest({'name': name})}"),
        )

    def create_price(self, *, product_id: str, offer_id: int, version: int, amount: int,
                     currency: str, course_key: str) -> dict:
        return self._call(
            "price creation", self.client.v1.prices.create,
            params={
                "product": product_id,
                "unit_amount": amount,
                "currency": currency,
                "tax_behavior": "inclusive",
                "metadata": self._stamp({"riseup_course_key": course_key, "riseup_price_version": str(version)}),
            },
            options=self._options(f"riseup-price-{offer_id}-v{version}-{amount}{currency}"),
        )

    def archive_price(self, price_id: str) -> dict:
        return self._call(
            "price archival", self.client.v1.prices.update, price_id,
            params={"active": False}, options=self._options(f"riseup-archive-{price_id}"),
        )

    # -- checkout ---------------------------------------------------------

    def create_checkout_session(self, params: dict, *, order_uuid: str) -> dict:
        # The order names the session; the digest keeps a retry with other parameters (another host,
        # another language) from meeting Stripe's "same key, different request" refusal.
        params = {**params, "metadata": self._stamp(params.get("metadata"))}
        if "payment_intent_data" in params:
            intent = params["payment_intent_data"]
            params["payment_intent_data"] = {**intent, "metadata": self._stamp(intent.get("metadata"))}
        params["line_items"] = [self._stamp_line_item(item) for item in params.get("line_items") or []]
        invoice_data = (params.get("invoice_creation") or {}).get("invoice_data")
        if invoice_data is not None:
            params["invoice_creation"] = {**params["invoice_creation"], "invoice_data": {
                **invoice_data, "metadata": self._stamp(invoice_data.get("metadata"))}}
        return self._call(
            "checkout session creation", self.client.v1.checkout.sessions.create,
            params=params, options=self._options(f"riseup-checkout-{order_uuid}-{params_digest(params)}"),
        )

    def _stamp_line_item(self, item: dict) -> dict:
        """A Product made inline by Checkout (an offer not synced yet) names this installation too."""
        product_data = (item.get("price_data") or {}).get("product_data")
        if product_data is None:
            return item
        return {**item, "price_data": {**item["price_data"], "product_data": {
            **product_data, "metadata": self._stamp(product_data.get("metadata"))}}}

    def retrieve_checkout_session(self, session_id: str) -> dict:
        """
        Re-read a session with its invoice and its promotion code expanded: fulfilment records the invoice
        without a second call, and the sales figures name a code as the learner typed it, not by its id.
        """
        return self._retrieve("checkout session retrieval", self._retrieve_session_with_invoice, session_id)

    def _retrieve_session_with_invoice(self, session_id: str) -> dict:
        # Every webhook and return page reads one: the JSON as Stripe sent it, without making StripeObjects
        # of it (the expanded invoice's hundreds of fields) only to turn them back into dicts. Errors are
        # raised as by the typed call (the same status handling in stripe-python's requestor).
        return self.client.raw_request(
            "get", f"/v1/checkout/sessions/{quote(session_id, safe='')}",
            expand=["invoice", "discounts.promotion_code"]).data

    def expire_checkout_session(self, session_id: str) -> dict:
        return self._call(
            "checkout session expiry", self.client.v1.checkout.sessions.expire, session_id,
            options=self._options(f"riseup-expire-{session_id}"),
        )

    # -- invoices ---------------------------------------------------------

    def retrieve_invoice(self, invoice_id: str) -> dict:
        return self._retrieve("invoice retrieval", self.client.v1.invoices.retrieve, invoice_id)

    # -- cancellation: credit notes, refunds, disputes --------------------

    def create_credit_note(self, invoice_id: str, amount: int, *, refund_amount: int = 0,
                           out_of_band_amount: int = 0, refunds: list[dict] | None = None, reason: str = "",
                           memo: str = "", metadata: dict | None = None, idempotency_key: str) -> dict:
        """
        A credit note (facture d'avoir) on a paid invoice.

        ``refund_amount`` refunds that much now; ``refunds`` links refunds already made
        (``[{"refund": "re_...", "amount_refunded": ...}]``), so nothing is refunded twice.
        """
        params = {"invoice": invoice_id, "amount": amount}
        if refund_amount:
            params["refund_amount"] = refund_amount
        if refunds:
            params["refunds"] = refunds
        if out_of_band_amount:
            params["out_of_band_amount"] = out_of_band_amount
        if reason:
            params["reason"] = reason
        if memo:
            params["memo"] = memo[:5000]
        params["metadata"] = self._stamp(metadata)
        return self._call(
            "credit note creation", self.client.v1.credit_notes.create,
            params=params, options=self._options(idempotency_key),
        )

    def retrieve_credit_note(self, credit_note_id: str) -> dict:
        return self._retrieve("credit note retrieval", self.client.v1.credit_notes.retrieve, credit_note_id)

    def list_credit_notes(self, invoice_id: str) -> list[dict]:
        result = self._call("credit note listing", self.client.v1.credit_notes.list,
                            params={"invoice": invoice_id, "limit": 100})
        return result.get("data", [])

    def list_refunds(self, charge_id: str) -> list[dict]:
        result = self._call("refund listing", self.client.v1.refunds.list,
                            params={"charge": charge_id, "limit": 100})
        return result.get("data", [])

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict:
        return self._retrieve("payment retrieval", self.client.v1.payment_intents.retrieve, payment_intent_id)

    def retrieve_charge(self, charge_id: str) -> dict:
        return self._retrieve("charge retrieval", self.client.v1.charges.retrieve, charge_id)

    def retrieve_dispute(self, dispute_id: str) -> dict:
        return self._retrieve("dispute retrieval", self.client.v1.disputes.retrieve, dispute_id)

    def retrieve_tax_rate(self, tax_rate_id: str) -> dict:
        """A TaxRate (is it ``inclusive``?), checked by the payment settings page."""
        return self._call("tax rate retrieval", self.client.v1.tax_rates.retrieve, tax_rate_id)

    # -- lists (reconciliation) ------------------------------------------

    def _list(self, what: str, fn, params: dict):
        """Every item of a Stripe list, newest first, page by page; each page is its own request."""
        params = {**params, "limit": self.list_page_size}
        while True:
            page = self._call(what, fn, params=params)
            items = page.get("data") or []
            yield from items
            if not page.get("has_more") or not items:
                return
            params = {**params, "starting_after": items[-1]["id"]}

    @staticmethod
    def _created_since(since: datetime | None) -> dict:
        return {"created": {"gte": int(since.timestamp())}} if since is not None else {}

    def list_checkout_sessions(self, since: datetime | None = None):
        return self._list("checkout session listing", self.client.v1.checkout.sessions.list,
                          self._created_since(since))

    def list_invoices(self, since: datetime | None = None):
        return self._list("invoice listing", self.client.v1.invoices.list, self._created_since(since))

    def list_recent_credit_notes(self, since: datetime | None = None):
        return self._list("credit note listing", self.client.v1.credit_notes.list, self._created_since(since))

    def list_recent_refunds(self, since: datetime | None = None):
        return self._list("refund listing", self.client.v1.refunds.list, self._created_since(since))

    def list_disputes(self, since: datetime | None = None):
        return self._list("dispute listing", self.client.v1.disputes.list, self._created_since(since))

    # -- account ----------------------------------------------------------

    def retrieve_account(self) -> dict:
        """The Stripe account the secret key belongs to (used by "Test connection")."""
        return self._call("account retrieval", self.client.v1.accounts.retrieve_current)

    # -- webhooks ---------------------------------------------------------

    def verify_event(self, payload: bytes, signature_header: str | None) -> dict:
        """Check the ``Stripe-Signature`` header against the raw body; return the event."""
        if not self.settings.webhook_secret:
            raise WebhookVerificationError(detail="no webhook secret configured")
        if not signature_header:
            raise WebhookVerificationError(detail="missing Stripe-Signature header")
        try:
            text = payload.decode("utf-8")
            stripe.WebhookSignature.verify_header(
                text, signature_header, self.settings.webhook_secret,
                self.settings.webhook_tolerance_seconds,
            )
            event = json.loads(text)
        except (UnicodeDecodeError, ValueError, stripe.SignatureVerificationError) as exc:
            raise WebhookVerificationError(detail=exc.__class__.__name__) from exc
        if not isinstance(event, dict) or not str(event.get("id", "")).startswith("evt_"):
            raise WebhookVerificationError(detail="not a Stripe event")
        return event

    def list_webhook_endpoints(self) -> list[dict]:
        result = self._call("webhook endpoint listing", self.client.v1.webhook_endpoints.list,
                            params={"limit": 100})
        return result.get("data", [])

    def create_webhook_endpoint(self, url: str) -> dict:
        return self._call(
            "webhook endpoint creation", self.client.v1.webhook_endpoints.create,
            params={"url": url, "enabled_events": list(WEBHOOK_EVENTS),
                    "api_version": self.settings.api_version,
                    "description": "riseup-stripe-plugin (Open edX)"},
            options=self._options(f"riseup-webhook-{url}-{self.settings.api_version}"),
        )

    def update_webhook_endpoint(self, endpoint_id: str, url: str) -> dict:
        return self._call(
            "webhook endpoint update", self.client.v1.webhook_endpoints.update, endpoint_id,
            params={"url": url, "enabled_events": list(WEBHOOK_EVENTS), "disabled": False},
            options=self._options(f"riseup-webhook-update-{endpoint_id}-{url}-{len(WEBHOOK_EVENTS)}"),
        )


def timestamp(value) -> datetime | None:
    """A Stripe epoch timestamp as an aware datetime."""
    from datetime import UTC

    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)
