"""``Idempotency-Key`` handling, as Stripe does it, for every POST.

A POST repeated with the same key (same API key) gets the stored response
back, byte for byte, with ``Idempotent-Replayed: true``, and nothing is
created twice. The same key with other parameters, or on another endpoint, is
an ``idempotency_error``. Like Stripe, only requests that ran are remembered:
validation errors (400) and server errors (5xx) are not, so a retry after a
fault really retries.
"""

import json

from aiohttp import web

from ._localstripe import UserError, get_post_data
from .errors import idempotency_error

_CACHEABLE = {200, 201, 402, 404}

_responses = {}
_in_flight = set()


def reset():
    _responses.clear()
    _in_flight.clear()


def _fingerprint(params):
    return json.dumps(params, sort_keys=True, default=str)


@web.middleware
async def idempotency_middleware(request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    scope = (request.headers.get("Authorization", ""), key)
    params = _fingerprint(await get_post_data(request, remove_auth=False) or {})
    stored = _responses.get(scope)
    if stored is not None:
        if stored["path"] != request.path:
            raise idempotency_error(
                "Keys for idempotent requests can only be used for the same endpoint they were first "
                f"used for ('{stored['path']}' vs '{request.path}'). Try using a key other than '{key}' "
                "if you meant to execute a different request."
            )
        if stored["params"] != params:
            raise idempotency_error(
                "Keys for idempotent requests can only be used with the same parameters they were first used "
                f"with. Try using a key other than '{key}' if you meant to execute a different request."
            )
        headers = dict(stored["headers"], **{"Idempotent-Replayed": "true", "Idempotency-Key": key})
        return web.Response(
            status=stored["status"], body=stored["body"], headers=headers, content_type=stored["content_type"]
        )
    if scope in _in_flight:
        raise UserError(
            409,
            "There is currently another in-progress request using this Idempotent Key "
            "(that probably means you submitted twice, and the other request is still going "
            "through). Please try again later.",
            {"code": "idempotency_key_in_use"},
        )
    _in_flight.add(scope)
    try:
        try:
            response = await handler(request)
        except UserError as error:
            response = error.to_response()
        if response.status in _CACHEABLE and isinstance(response, web.Response):
            _responses[scope] = {
                "path": request.path,
                "params": params,
                "status": response.status,
                "body": response.body,
                "content_type": response.content_type,
                "headers": {"Request-Id": response.headers.get("Request-Id", "")},
            }
        response.headers["Idempotency-Key"] = key
        return response
    finally:
        _in_flight.discard(scope)
