"""Money movements: PaymentIntent, Charge, Refund, Dispute.

localstripe's PaymentIntent and Charge need a confirmed payment method flow and
export ``latest_charge`` as an object; a Checkout payment here creates them
directly in their final state instead, in the 2026-10-28 shape. Refunds accept
``reason`` and refuse over-refunds; disputes are created by a test-only route.
Balance transactions and payment methods are localstripe's own.
"""

from typing import ClassVar

from localstripe.resources import BalanceTransaction, PaymentMethod

from . import state
from ._localstripe import store
from .base import ADDRESS_NULL, EmuObject, clean_metadata, list_object, random_id, require
from .errors import invalid
from .params import Bool, Created, Enum, Id, Int, Metadata, Str, check
from .webhooks import emit


def make_payment_method(kind, email=None, name=None):
    """A localstripe PaymentMethod: a 4242 card, or SEPA debit for delayed payments."""
    billing = {"address": dict(ADDRESS_NULL), "email": email, "name": name, "phone": None, "tax_id": None}
    if kind == "sepa_debit":
        return PaymentMethod(
            type="sepa_debit", billing_details=billing, sepa_debit={"iban": "FR1420041010050500013M02606"}
        )
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    return PaymentMethod(type="card", billing_details=billing, card=card)


class PaymentIntent(EmuObject):
    object = "payment_intent"
    _id_prefix = "pi_"
    _defaults: ClassVar[dict] = {
        "amount": 0,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic_async",
        "client_secret": None,
        "confirmation_method": "automatic",
        "currency": None,
        "customer": None,
        "customer_account": None,
        "description": None,
        "excluded_payment_method_types": None,
        "last_payment_error": None,
        "latest_charge": None,
        "managed_payments": None,
        "metadata": {},
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }
    _update_fields: ClassVar[dict] = {"metadata": Metadata(), "description": Str(), "receipt_email": Str()}
    _list_fields: ClassVar[dict] = {"customer": Str(), "created": Created()}
    _list_filters: ClassVar[tuple] = ("customer", "created")

    def __init__(
        self,
        amount,
        currency,
        customer=None,
        metadata=None,
        description=None,
        receipt_email=None,
        payment_method=None,
        payment_method_type="card",
    ):
        super().__init__()
        self.amount = amount
        self.currency = currency
        self.customer = customer
        self.metadata = dict(metadata or {})
        self.description = description
        self.receipt_email = receipt_email
        self.payment_method = payment_method
        self.payment_method_types = [payment_method_type]
        self.client_secret = f"{self.id}_secret_{random_id(24)}"
        self.status = "requires_payment_method"

    @classmethod
    def _api_create(cls, **data):
        raise invalid("The emulator creates PaymentIntents through Checkout only.", status=400)


class Charge(EmuObject):
    object = "charge"
    _id_prefix = "ch_"
    _hidden = frozenset({"refunds", "amount_refunded", "refunded"})
    _defaults: ClassVar[dict] = {
        "amount": 0,
        "amount_captured": 0,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": None,
        "billing_details": {
            "address": dict(ADDRESS_NULL),
            "email": None,
            "name": None,
            "phone": None,
            "tax_id": None,
        },
        "calculated_statement_descriptor": "EMULATOR",
        "captured": False,
        "currency": None,
        "customer": None,
        "description": None,
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": None,
        "failure_message": None,
        "fraud_details": {},
        "metadata": {},
        "on_behalf_of": None,
        "outcome": None,
        "paid": False,
        "payment_intent": None,
        "payment_method": None,
        "payment_method_details": None,
        "receipt_email": None,
        "receipt_number": None,
        "receipt_url": None,
        "refunded": False,
        "refunds": None,
        "review": None,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "pending",
        "transfer_data": None,
        "transfer_group": None,
    }
    _update_fields: ClassVar[dict] = {"metadata": Metadata(), "description": Str(), "receipt_email": Str()}
    _list_fields: ClassVar[dict] = {"customer": Str(), "payment_intent": Str(), "created": Created()}
    _list_filters: ClassVar[tuple] = ("customer", "payment_intent", "created")

    def __init__(self, payment_intent, payment_method, billing_details):
        super().__init__()
        self.amount = payment_intent.amount
        self.currency = payment_intent.currency
        self.customer = payment_intent.customer
        self.description = payment_intent.description
        self.metadata = dict(payment_intent.metadata)
        self.payment_intent = payment_intent.id
        self.payment_method = payment_method.id
        self.billing_details = billing_details
        self.receipt_email = payment_intent.receipt_email
        self.receipt_url = f"{state.base_url}/receipt/{self.id}"
        self.status = "pending"
        self.paid = False
        self.captured = False
        self.amount_captured = 0
        self.disputed = False
        self.payment_method_details = self._method_details(payment_method)

    @staticmethod
    def _method_details(payment_method):
        if payment_method.type == "sepa_debit":
            details = dict(payment_method.sepa_debit)
            details.update({"branch_code": None, "mandate": None})
            return {"type": "sepa_debit", "sepa_debit": details}
        card = payment_method.card
        return {
            "type": "card",
            "card": {
                "amount_authorized": None,
                "authorization_code": "123456",
                "brand": "visa",
                "checks": {
                    "address_line1_check": None,
                    "address_postal_code_check": None,
                    "cvc_check": "pass",
                },
                "country": "FR",
                "exp_month": card["exp_month"],
                "exp_year": card["exp_year"],
                "extended_authorization": {"status": "disabled"},
                "fingerprint": card["fingerprint"],
                "funding": "credit",
                "incremental_authorization": {"status": "unavailable"},
                "installments": None,
                "last4": card["last4"],
                "mandate": None,
                "multicapture": {"status": "unavailable"},
                "network": "visa",
                "network_token": {"used": False},
                "network_transaction_id": None,
                "overcapture": {"maximum_amount_capturable": 0, "status": "unavailable"},
                "regulated_status": "unregulated",
                "three_d_secure": None,
                "transaction_link_id": None,
                "wallet": None,
            },
        }

    def _succeed(self):
        self.status = "succeeded"
        self.paid = True
        self.captured = True
        self.amount_captured = self.amount
        self.outcome = {
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "approved_by_network",
            "reason": None,
            "risk_level": "normal",
            "seller_message": "Payment complete.",
            "type": "authorized",
        }
        txn = BalanceTransaction(
            amount=self.amount,
            currency=self.currency,
            description=self.description,
            exchange_rate=1.0,
            reporting_category="charge",
            source=self.id,
            type="charge",
        )
        self.balance_transaction = txn.id

    def _fail(self):
        self.status = "failed"
        self.paid = False
        self.failure_code = "payment_method_not_available"
        self.failure_message = "The payment could not be completed."
        self.outcome = {
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "declined_by_network",
            "reason": "generic_decline",
            "risk_level": "normal",
            "seller_message": "The bank did not return any further details with this decline.",
            "type": "issuer_declined",
        }

    def _refunds(self):
        return sorted(
            (refund for refund in Refund._all() if refund.charge == self.id),
            key=lambda refund: (refund.created, refund._seq),
            reverse=True,
        )

    def _amount_refunded(self):
        return sum(refund.amount for refund in self._refunds() if refund.status in ("succeeded", "pending"))

    def _computed(self):
        refunded = self._amount_refunded()
        return {
            "amount_refunded": refunded,
            "refunded": refunded >= self.amount and self.amount > 0,
            "refunds": list_object(f"/v1/charges/{self.id}/refunds", self._refunds()),
        }

    @classmethod
    def _api_create(cls, **data):
        raise invalid("The emulator creates Charges through Checkout only.", status=400)


REFUND_REASONS = Enum("duplicate", "fraudulent", "requested_by_customer")


class Refund(EmuObject):
    object = "refund"
    _id_prefix = "re_"
    _defaults: ClassVar[dict] = {
        "amount": 0,
        "balance_transaction": None,
        "charge": None,
        "currency": None,
        "customer": None,
        "customer_account": None,
        "description": None,
        "destination_details": None,
        "failure_balance_transaction": None,
        "failure_reason": None,
        "instructions_email": None,
        "metadata": {},
        "next_action": None,
        "payment_intent": None,
        "payment_method": None,
        "pending_reason": None,
        "reason": None,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }
    _create_fields: ClassVar[dict] = {
        "amount": Int(1),
        "charge": Id("ch_"),
        "payment_intent": Id("pi_"),
        "reason": REFUND_REASONS,
        "metadata": Metadata(),
        "instructions_email": Str(),
        "refund_application_fee": Bool(),
        "reverse_transfer": Bool(),
    }
    _update_fields: ClassVar[dict] = {"metadata": Metadata()}
    _list_fields: ClassVar[dict] = {"charge": Str(), "payment_intent": Str(), "created": Created()}
    _list_filters: ClassVar[tuple] = ("charge", "payment_intent", "created")

    def __init__(self, **params):
        params = check(params, self._create_fields)
        params.pop("expand", None)
        charge = refundable_charge(params.get("charge"), params.get("payment_intent"))
        remaining = charge.amount - charge._amount_refunded()
        amount = params.get("amount")
        if amount is None:
            amount = remaining
        if remaining <= 0:
            raise invalid(f"Charge {charge.id} has already been refunded.", code="charge_already_refunded")
        if amount > remaining:
            raise invalid(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
                param="amount",
                code="amount_too_large",
            )
        super().__init__()
        self.amount = amount
        self.charge = charge.id
        self.currency = charge.currency
        self.customer = charge.customer
        self.payment_intent = charge.payment_intent
        self.payment_method = charge.payment_method
        self.reason = params.get("reason")
        self.metadata = clean_metadata(params.get("metadata"))
        self.instructions_email = params.get("instructions_email")
        self.status = "succeeded"
        kind = charge.payment_method_details["type"]
        self.destination_details = {
            "type": kind,
            kind: {"reference": None, "reference_status": "pending", "type": "refund"},
        }
        txn = BalanceTransaction(
            amount=-amount,
            currency=self.currency,
            description="REFUND FOR CHARGE",
            exchange_rate=1.0,
            reporting_category="refund",
            source=self.id,
            type="refund",
        )
        self.balance_transaction = txn.id
        emit("charge.refunded", charge)
        emit("refund.created", self)

    @classmethod
    def _api_update(cls, id, **data):
        """``refund.updated`` goes out on every update, without ``previous_attributes``."""
        obj = super()._api_update(id, **data)
        emit("refund.updated", obj)
        return obj


def refundable_charge(charge_id, payment_intent_id):
    """The succeeded charge a refund targets (by charge or payment intent)."""
    if bool(charge_id) == bool(payment_intent_id):
        raise invalid("You must pass exactly one of charge or payment_intent.", param="charge")
    if payment_intent_id:
        intent = require("payment_intent", payment_intent_id, "payment_intent")
        charge_id = intent.latest_charge
        if not charge_id:
            raise invalid(
                "This PaymentIntent does not have a successful charge to refund.",
                param="payment_intent",
                code="charge_not_refundable",
            )
    charge = require("charge", charge_id, "charge")
    if not isinstance(charge, Charge):
        raise invalid("The emulator refunds Checkout charges only.", param="charge")
    if charge.status != "succeeded":
        raise invalid(
            f"Charge {charge.id} has not succeeded and cannot be refunded.",
            param="charge",
            code="charge_not_refundable",
        )
    dispute = open_dispute(charge.id)
    if dispute is not None:
        raise invalid(
            f"Charge {charge.id} has been charged back; refunding it is not possible.",
            param="charge",
            code="charge_disputed",
        )
    return charge


class Dispute(EmuObject):
    object = "dispute"
    _id_prefix = "du_"
    _defaults: ClassVar[dict] = {
        "amount": 0,
        "balance_transactions": [],
        "charge": None,
        "currency": None,
        "enhanced_eligibility_types": [],
        "evidence": {
            name: None
            for name in (
                "access_activity_log",
                "billing_address",
                "cancellation_policy",
                "cancellation_policy_disclosure",
                "cancellation_rebuttal",
                "customer_communication",
                "customer_email_address",
                "customer_name",
                "customer_purchase_ip",
                "customer_signature",
                "duplicate_charge_documentation",
                "duplicate_charge_explanation",
                "duplicate_charge_id",
                "product_description",
                "receipt",
                "refund_policy",
                "refund_policy_disclosure",
                "refund_refusal_explanation",
                "service_date",
                "service_documentation",
                "shipping_address",
                "shipping_carrier",
                "shipping_date",
                "shipping_documentation",
                "shipping_tracking_number",
                "uncategorized_file",
                "uncategorized_text",
            )
        }
        | {"enhanced_evidence": {}},
        "evidence_details": {
            "due_by": None,
            "enhanced_eligibility": {},
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": False,
        "metadata": {},
        "payment_intent": None,
        "payment_method_details": None,
        "reason": "fraudulent",
        "status": "needs_response",
    }
    _list_fields: ClassVar[dict] = {"charge": Str(), "payment_intent": Str(), "created": Created()}
    _list_filters: ClassVar[tuple] = ("charge", "payment_intent", "created")

    def __init__(self, charge, amount=None, reason="fraudulent"):
        super().__init__()
        self.amount = charge.amount if amount is None else amount
        self.charge = charge.id
        self.currency = charge.currency
        self.payment_intent = charge.payment_intent
        self.reason = reason
        self.status = "needs_response"
        details = dict(self._defaults["evidence_details"])
        details["due_by"] = state.now() + 7 * 24 * 3600
        self.evidence_details = details
        self.payment_method_details = {
            "type": "card",
            "card": {
                "brand": "visa",
                "case_type": "chargeback",
                "network": "visa",
                "network_reason_code": "10.4",
            },
        }

    @classmethod
    def _api_create(cls, **data):
        raise invalid("Disputes are opened by the cardholder's bank (use POST /_test/charges/{id}/dispute).")

    @classmethod
    def _api_update(cls, id, **data):
        raise invalid("Submitting dispute evidence is not supported by the emulator.")


def open_dispute(charge_id):
    for dispute in Dispute._all():
        if dispute.charge == charge_id and dispute.status in (
            "needs_response",
            "under_review",
            "warning_needs_response",
        ):
            return dispute
    return None


def open_test_dispute(charge_id, amount=None, reason="fraudulent"):
    """``POST /_test/charges/{id}/dispute``: the cardholder disputes a charge."""
    charge = store.get(f"charge:{charge_id}")
    if not isinstance(charge, Charge):
        raise invalid(f"No such charge: '{charge_id}'", param="id", code="resource_missing", status=404)
    if charge.status != "succeeded":
        raise invalid("Only a succeeded charge can be disputed.")
    if open_dispute(charge.id):
        raise invalid("This charge already has an open dispute.")
    if amount is not None and not 0 < amount <= charge.amount:
        raise invalid("Dispute amount must be between 1 and the charge amount.", param="amount")
    dispute = Dispute(charge, amount, reason)
    charge.disputed = True
    emit("charge.dispute.created", dispute)
    return dispute


def close_test_dispute(dispute_id, status):
    """``POST /_test/disputes/{id}/close``: the bank decides (won or lost)."""
    dispute = Dispute._api_retrieve(dispute_id)
    if dispute.status not in ("needs_response", "under_review", "warning_needs_response"):
        raise invalid("This dispute is already closed.")
    previous = {"status": dispute.status}
    dispute.status = status
    emit("charge.dispute.closed", dispute, previous)
    return dispute


def close_dispute_by_merchant(id, **data):
    """``POST /v1/disputes/{id}/close``: the merchant accepts the dispute (lost)."""
    check(data, {})
    return close_test_dispute(id, "lost")
