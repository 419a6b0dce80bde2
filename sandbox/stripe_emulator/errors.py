"""Stripe-shaped errors.

Everything raises localstripe's ``UserError`` so its error handling and ours
agree; these helpers only fill the body the way Stripe does
(``{"error": {"type", "message", "param", "code"}}``).
"""

from ._localstripe import UserError


def invalid(message, param=None, code=None, status=400):
    """An ``invalid_request_error`` (bad or missing parameter, wrong state)."""
    contents = {}
    if param is not None:
        contents["param"] = param
    if code is not None:
        contents["code"] = code
    return UserError(status, message, contents)


def not_found(object_name, object_id, param="id"):
    """Stripe's 404: ``No such <object>: '<id>'``."""
    return invalid(f"No such {object_name}: '{object_id}'", param=param, code="resource_missing", status=404)


def card_declined(charge_id=None, message="Your card was declined."):
    """The 402 ``card_error`` a declined card produces."""
    contents = {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline"}
    if charge_id:
        contents["charge"] = charge_id
    error = UserError(402, message, contents)
    # UserError forces the type to invalid_request_error: put Stripe's back.
    error.body["error"]["type"] = "card_error"
    return error


def idempotency_error(message):
    """Same ``Idempotency-Key`` reused with other parameters or another endpoint."""
    error = UserError(400, message, {})
    error.body["error"]["type"] = "idempotency_error"
    return error


def api_error(status, message):
    """A server-side failure (used by fault injection and unexpected crashes)."""
    error = UserError(status, message, {})
    error.body["error"]["type"] = "api_error"
    return error


__all__ = ["UserError", "api_error", "card_declined", "idempotency_error", "invalid", "not_found"]
