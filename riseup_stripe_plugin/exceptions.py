"""The plugin's own errors, each with a message a person can act on."""

from django.utils.translation import gettext_lazy as _


class RiseupStripeError(Exception):
    """Base class; ``message`` is safe to show to the person who triggered it."""

    default_message = _("The payment service failed.")

    def __init__(self, message=None, *, detail: str = ""):
        self.message = message or self.default_message
        # For logs and administrators; never contains a key or a secret.
        self.detail = detail
        super().__init__(str(self.message))


class StripeGatewayError(RiseupStripeError):
    """Stripe answered with an error we did not expect."""


class PaymentProviderUnavailable(StripeGatewayError):
    default_message = _(
        "Stripe cannot be reached right now. Nothing was charged; please try again in a few minutes."
    )


class PaymentConfigurationError(StripeGatewayError):
    default_message = _(
        "Payment is misconfigured (Stripe refused the plugin's API key). An administrator must "
        "check the payment settings."
    )


class PaymentRequestError(StripeGatewayError):
    default_message = _("Stripe refused the request.")

    #: Stripe's error ``code`` and ``param`` (``resource_missing`` on ``customer``: a deleted Customer).
    code: str = ""
    param: str = ""


class WebhookVerificationError(RiseupStripeError):
    default_message = _("The webhook signature could not be verified.")


class PurchaseRefused(RiseupStripeError):
    """A purchase cannot start; ``code`` says why (for the API and the tests)."""

    def __init__(self, code: str, message, *, status: int = 400):
        super().__init__(message)
        self.code = code
        self.status = status


class FulfilmentError(RiseupStripeError):
    """Payment is confirmed but the enrollment could not be made; it will be retried."""

    default_message = _(
        "Your payment is confirmed, but your enrollment could not be completed yet. It will be "
        "retried automatically; contact support if the course does not appear within an hour."
    )


class NotYourOrder(RiseupStripeError):
    """A session or order that belongs to someone else, or to no order of ours."""

    default_message = _("This payment does not belong to your account.")


class ForeignInstallation(NotYourOrder):
    """A Stripe object another installation (staging, another site) made on the same Stripe account."""

    default_message = _("This payment belongs to another site using the same Stripe account.")


class NeedsAttention(RiseupStripeError):
    """A webhook event that retrying cannot fix: kept for an administrator, not thrown back at Stripe."""

    default_message = _("This event cannot be processed as it is; an administrator must look at it.")
