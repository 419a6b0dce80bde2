"""The only place that touches localstripe's module state.

localstripe pickles its whole store to ``/tmp/localstripe.pickle`` after every
write and sends events through its own webhook sender (fixed one second delay,
no event history). Both are switched off or rerouted here, once, before any
object is created, so the emulator never writes outside its temporary folder
and every event (stock or ours) goes through :mod:`.webhooks`.
"""

import inspect
import warnings

with warnings.catch_warnings():
    # localstripe.server builds its own (unused here) app at import time, with
    # plain-function handlers that aiohttp flags as deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    from localstripe import resources as ls_resources
    from localstripe import server as ls_server
    from localstripe import webhooks as ls_webhooks
    from localstripe.errors import UserError
    from localstripe.resources import StripeObject, extra_apis, store

_installed = False


def _no_disk(self, *args, **kwargs):
    return None


def install(schedule):
    """Patch localstripe: no disk persistence, events through ``schedule``."""
    global _installed
    ls_resources.Store.dump_to_disk = _no_disk
    ls_resources.Store.try_load_from_disk = _no_disk
    ls_resources.schedule_webhook = schedule
    ls_webhooks.schedule_webhook = schedule
    if not _installed:
        _fix_payment_intent_export()
    _installed = True


def _fix_payment_intent_export():
    """Stock PaymentIntent exports ``latest_charge`` as an object, Stripe as an id."""
    original = ls_resources.PaymentIntent._export

    def _export(self, expand=None):
        data = original(self, expand=expand)
        charge = data.get("latest_charge")
        if isinstance(charge, dict) and "latest_charge" not in (expand or []):
            data["latest_charge"] = charge.get("id")
        return data

    ls_resources.PaymentIntent._export = _export


# Stock classes still served by localstripe's own routes (payment methods,
# subscriptions, ...). Routes of the resources the emulator re-implements are
# registered first, so they win.
STOCK_CLASSES = (
    ls_resources.BalanceTransaction,
    ls_resources.Charge,
    ls_resources.Coupon,
    ls_resources.Customer,
    ls_resources.Event,
    ls_resources.Invoice,
    ls_resources.InvoiceItem,
    ls_resources.PaymentIntent,
    ls_resources.PaymentMethod,
    ls_resources.Payout,
    ls_resources.Plan,
    ls_resources.Product,
    ls_resources.Refund,
    ls_resources.SetupIntent,
    ls_resources.Source,
    ls_resources.Subscription,
    ls_resources.SubscriptionItem,
    ls_resources.TaxRate,
    ls_resources.Token,
)


def _as_coroutine(helper):
    """localstripe's helpers return plain functions for GET/DELETE: wrap them."""

    def build(*args):
        handler = helper(*args)
        if inspect.iscoroutinefunction(handler):
            return handler

        async def coroutine_handler(request):
            return handler(request)

        return coroutine_handler

    return build


api_create = _as_coroutine(ls_server.api_create)
api_retrieve = _as_coroutine(ls_server.api_retrieve)
api_update = _as_coroutine(ls_server.api_update)
api_delete = _as_coroutine(ls_server.api_delete)
api_list_all = _as_coroutine(ls_server.api_list_all)
api_extra = _as_coroutine(ls_server.api_extra)
get_post_data = ls_server.get_post_data
unflatten_data = ls_server.unflatten_data
StockEvent = ls_resources.Event

__all__ = [
    "STOCK_CLASSES",
    "StockEvent",
    "StripeObject",
    "UserError",
    "api_create",
    "api_delete",
    "api_extra",
    "api_list_all",
    "api_retrieve",
    "api_update",
    "extra_apis",
    "get_post_data",
    "install",
    "store",
    "unflatten_data",
]
