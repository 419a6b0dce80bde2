"""Request-level behaviour shared by all routes: errors, request log, faults, auth.

Order (outermost first): the request log sees every API call, even failed or
faulted ones (tests count calls, retries included); errors become Stripe's
JSON body; injected faults answer before anything runs; the API key is
checked on ``/v1``; then idempotency (see :mod:`.idempotency`).
"""

import logging
import time
import traceback

from aiohttp import web

from . import API_VERSION, state
from ._localstripe import UserError, get_post_data, unflatten_data
from .base import random_id
from .errors import api_error

logger = logging.getLogger("stripe_emulator")

#: API requests received (``GET /_test/requests``).
request_log = []

#: Active fault rules (``POST /_test/faults``).
faults = []


def reset():
    request_log.clear()
    faults.clear()


def is_api(path):
    return path.startswith("/v1/") or path == "/v1"


def _is_object_id(part):
    """``cus_Ab12...``, ``cs_test_...``, ``acct_emulator``: a short lower-case prefix, then a long rest."""
    prefix, _, rest = part.partition("_")
    return bool(prefix) and prefix.isalpha() and prefix.islower() and len(prefix) <= 6 and len(rest) >= 8


def endpoint_of(path):
    """The route of an API path, object ids replaced: ``/v1/customers/cus_123`` -> ``/v1/customers/{id}``."""
    return "/".join("{id}" if _is_object_id(part) else part for part in path.split("/"))


@web.middleware
async def request_log_middleware(request, handler):
    if not is_api(request.path):
        state.request_context.set({"id": None, "idempotency_key": None})
        return await handler(request)
    request_id = "req_" + random_id(14)
    idempotency_key = request.headers.get("Idempotency-Key")
    state.request_context.set({"id": request_id, "idempotency_key": idempotency_key})
    if request.method == "POST":
        params = await get_post_data(request, remove_auth=False) or {}
    else:
        params = unflatten_data(request.query) or {}
    entry = {
        "id": request_id,
        "method": request.method,
        "path": request.path,
        "params": params,
        "idempotency_key": idempotency_key,
        "stripe_version": request.headers.get("Stripe-Version"),
        "stripe_account": request.headers.get("Stripe-Account"),
        "user_agent": request.headers.get("User-Agent"),
        "time": time.time(),
        "status": None,
    }
    request_log.append(entry)
    response = await handler(request)
    entry["status"] = response.status
    response.headers["Request-Id"] = request_id
    response.headers["Stripe-Version"] = request.headers.get("Stripe-Version") or API_VERSION
    return response


@web.middleware
async def error_middleware(request, handler):
    try:
        return await handler(request)
    except UserError as error:
        return error.to_response()
    except web.HTTPException as exc:
        if is_api(request.path) and exc.status in (404, 405):
            error = UserError(404, f"Unrecognized request URL ({request.method}: {request.path}).")
            return error.to_response()
        raise
    except Exception as exc:  # noqa: BLE001 - reported, never fatal
        logger.error("unexpected error on %s %s\n%s", request.method, request.path, traceback.format_exc())
        message = f"Unexpected error in the Stripe emulator: {type(exc).__name__}: {exc} (see its log)."
        return api_error(500, message).to_response()


def add_fault(path_prefix, status=None, count=None, method=None, should_retry=None, action="error"):
    """A rule failing the matching API calls: ``action`` ``error`` answers
    ``status``; ``disconnect`` closes the connection without any answer (the
    client sees a connection error, as when Stripe cannot be reached)."""
    rule = {
        "id": "fault_" + random_id(10),
        "action": action,
        "path_prefix": path_prefix,
        "status": status,
        "remaining": count,
        "method": method.upper() if method else None,
        "should_retry": should_retry,
        "hits": 0,
    }
    faults.append(rule)
    return rule


def remove_fault(fault_id):
    """Drop one rule; True when it existed."""
    for rule in list(faults):
        if rule["id"] == fault_id:
            faults.remove(rule)
            return True
    return False


def fault_response(status):
    """The body Stripe sends with that status."""
    if status == 429:
        error = UserError(
            429,
            "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
            {"code": "rate_limit"},
        )
        return error.to_response()
    if status >= 500:
        return api_error(status, f"Injected fault: HTTP {status} (emulator).").to_response()
    return UserError(status, f"Injected fault: HTTP {status} (emulator).").to_response()


def _matching_rule(request):
    for rule in faults:
        if not request.path.startswith(rule["path_prefix"]):
            continue
        if rule["method"] and rule["method"] != request.method:
            continue
        if rule["remaining"] is not None:
            if rule["remaining"] <= 0:
                continue
            rule["remaining"] -= 1
        rule["hits"] += 1
        return rule
    return None


@web.middleware
async def fault_middleware(request, handler):
    if request.path.startswith(("/_test/", "/_config/")):
        return await handler(request)
    rule = _matching_rule(request)
    if rule is None:
        return await handler(request)
    if rule["action"] == "disconnect":
        # Drop the TCP connection (RST) before any byte of an answer: the
        # client gets a connection error and cannot know whether Stripe acted.
        request.protocol.force_close()
        if request.transport is not None:
            request.transport.abort()
        raise _Disconnected()
    response = fault_response(rule["status"])
    if rule["should_retry"] is not None:
        response.headers["Stripe-Should-Retry"] = "true" if rule["should_retry"] else "false"
    return response


class _Disconnected(web.HTTPException):
    """Raised after aborting the connection; nothing is sent back."""

    status_code = 499
    empty_body = True


def _api_key(request):
    import base64

    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme == "Bearer":
        return value.strip()
    if scheme == "Basic":
        try:
            return base64.b64decode(value).decode("utf-8").split(":")[0]
        except (ValueError, UnicodeDecodeError):
            return None
    return None


@web.middleware
async def auth_middleware(request, handler):
    if is_api(request.path):
        key = _api_key(request)
        if not key:
            raise UserError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_"
                "SECRET_KEY').",
            )
        if not key.startswith(("sk_test_", "rk_test_")) or len(key) <= len("sk_test_"):
            raise UserError(401, f"Invalid API Key provided: {key[:8]}****", {"code": "api_key_invalid"})
    return await handler(request)
