"""Builds the aiohttp application: the emulator's routes, then localstripe's.

The emulator's routes are registered first so they take precedence over
localstripe's for the same URL (aiohttp resolves in registration order);
everything the emulator does not re-implement (payment methods, setup
intents, subscriptions, ...) is still served by localstripe's own handlers,
through localstripe's route helpers. The application is rebuilt for every
start; the data store is localstripe's process-wide one.
"""

import asyncio
import contextlib
import logging

from aiohttp import web

from . import _localstripe as ls
from . import state
from .billing import (
    CreditNote,
    Invoice,
    InvoicePayment,
    finalize_or_pay_invoice,
    list_credit_note_lines,
    list_invoice_lines,
    void_credit_note,
    void_invoice,
)
from .checkout import (
    CheckoutSession,
    expire_due_sessions,
    expire_session,
    list_line_items,
)
from .idempotency import idempotency_middleware
from .middleware import (
    auth_middleware,
    error_middleware,
    fault_middleware,
    request_log_middleware,
)
from .pages import add_routes as add_page_routes
from .params import check
from .payments import Charge, Dispute, PaymentIntent, Refund, close_dispute_by_merchant
from .resources import Coupon, Customer, Price, Product, PromotionCode, TaxRate, account
from .testing import add_routes as add_test_routes
from .webhooks import (
    Event,
    WebhookEndpoint,
    dispatcher,
    register_config_endpoint,
    schedule_webhook,
)

logger = logging.getLogger("stripe_emulator")

#: (class, collection URL, verbs) served with localstripe's generic helpers.
RESOURCES = (
    (Product, "/v1/products", "crudl"),
    (Price, "/v1/prices", "crul"),
    (Customer, "/v1/customers", "crudl"),
    (TaxRate, "/v1/tax_rates", "crul"),
    (Coupon, "/v1/coupons", "crudl"),
    (PromotionCode, "/v1/promotion_codes", "crul"),
    (CheckoutSession, "/v1/checkout/sessions", "crul"),
    (Invoice, "/v1/invoices", "rul"),
    (InvoicePayment, "/v1/invoice_payments", "rl"),
    (PaymentIntent, "/v1/payment_intents", "rul"),
    (Charge, "/v1/charges", "rul"),
    (Refund, "/v1/refunds", "crul"),
    (CreditNote, "/v1/credit_notes", "crul"),
    (Dispute, "/v1/disputes", "rul"),
    (Event, "/v1/events", "rl"),
    (WebhookEndpoint, "/v1/webhook_endpoints", "crudl"),
)

#: Extra routes (method, URL, function taking the params and ``id``).
EXTRA = (
    ("POST", "/v1/checkout/sessions/{id}/expire", expire_session),
    ("GET", "/v1/checkout/sessions/{id}/line_items", list_line_items),
    ("POST", "/v1/invoices/{id}/void", void_invoice),
    ("POST", "/v1/invoices/{id}/finalize", finalize_or_pay_invoice),
    ("POST", "/v1/invoices/{id}/pay", finalize_or_pay_invoice),
    ("GET", "/v1/invoices/{id}/lines", list_invoice_lines),
    ("POST", "/v1/credit_notes/{id}/void", void_credit_note),
    ("GET", "/v1/credit_notes/{id}/lines", list_credit_note_lines),
    ("POST", "/v1/disputes/{id}/close", close_dispute_by_merchant),
)


def get_account(**params):
    check(params, {})
    return account()


def add_api_routes(router):
    # Specific paths before ``{id}`` patterns.
    for method, url, func in EXTRA:
        router.add_route(method, url, ls.api_extra(func, url))
    router.add_get("/v1/account", ls.api_extra(get_account, "/v1/account"))
    for cls, url, verbs in RESOURCES:
        item = url + "/{id}"
        if "c" in verbs:
            router.add_post(url, ls.api_create(cls, url))
        if "l" in verbs:
            router.add_get(url, ls.api_list_all(cls, url))
        if "r" in verbs:
            router.add_get(item, ls.api_retrieve(cls, item))
        if "u" in verbs:
            router.add_post(item, ls.api_update(cls, item))
        if "d" in verbs:
            router.add_delete(item, ls.api_delete(cls, item))


def add_stock_routes(router):
    """localstripe's own routes, for what the emulator does not replace."""
    for method, url, func in ls.extra_apis:
        router.add_route(method, url, ls.api_extra(func, url))
    for cls in ls.STOCK_CLASSES:
        base = "/v1/" + cls.object + "s"
        router.add_post(base, ls.api_create(cls, base))
        router.add_get(base + "/{id}", ls.api_retrieve(cls, base + "/{id}"))
        router.add_post(base + "/{id}", ls.api_update(cls, base + "/{id}"))
        router.add_delete(base + "/{id}", ls.api_delete(cls, base + "/{id}"))
        router.add_get(base, ls.api_list_all(cls, base))


async def _sweep_expired_sessions():
    while True:
        await asyncio.sleep(1)
        try:
            expire_due_sessions()
        except Exception:  # a sweep must never kill the server
            logger.exception("session expiry sweep failed")


async def _background(app):
    await dispatcher.start()
    sweeper = asyncio.ensure_future(_sweep_expired_sessions())
    yield
    sweeper.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sweeper
    await dispatcher.stop()


def build_app():
    """A fresh aiohttp application serving the emulator."""
    ls.install(schedule_webhook)
    app = web.Application(
        middlewares=[
            request_log_middleware,
            error_middleware,
            fault_middleware,
            auth_middleware,
            idempotency_middleware,
        ]
    )
    add_test_routes(app.router)
    add_page_routes(app.router)
    add_api_routes(app.router)
    add_stock_routes(app.router)
    app.cleanup_ctx.append(_background)
    return app


async def start(port=0, webhook_url=None, webhook_secret=None, verbose=False):
    """Serve on 127.0.0.1:``port`` (0: any free port); returns (runner, port)."""
    app = build_app()
    access_log = logging.getLogger("aiohttp.access") if verbose else None
    runner = web.AppRunner(app, access_log=access_log, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host="127.0.0.1", port=port)
    await site.start()
    bound = runner.addresses[0][1]
    state.base_url = f"http://127.0.0.1:{bound}"
    if webhook_url:
        register_config_endpoint("default", webhook_url, webhook_secret or "whsec_emulator")
    return runner, bound
