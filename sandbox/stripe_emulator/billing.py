"""Invoices issued after a Checkout payment, their payments and credit notes.

localstripe's Invoice belongs to its subscription engine (drafts, upcoming
invoices, an old shape with ``tax`` and ``payment_intent``); a Checkout
invoice is a one-off, already paid document instead. Both share the
``invoice`` store, and the invoice routes here hand stock invoices back to
localstripe. A paid invoice cannot be voided: it is corrected by a credit note
that may refund the payment, as Stripe (and French invoicing law) requires.
"""

from decimal import Decimal
from typing import ClassVar

from localstripe import resources as ls_resources

from . import state
from ._localstripe import store
from .base import EmuObject, clean_metadata, list_object, random_id, require
from .errors import invalid
from .money import rounded, split_proportionally
from .params import LIST_PARAMS, Created, Enum, Int, ListOf, Metadata, Obj, Required, Str, check
from .payments import Refund
from .resources import Customer, Discount
from .webhooks import emit


class Invoice(EmuObject):
    object = "invoice"
    _id_prefix = "in_"
    _hidden = frozenset({"_lines"})
    _defaults: ClassVar[dict] = {
        "account_country": state.ACCOUNT_COUNTRY,
        "account_name": state.MERCHANT_NAME,
        "account_tax_ids": None,
        "amount_due": 0,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_remaining": 0,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": False,
        "automatic_tax": {
            "disabled_reason": None,
            "enabled": False,
            "liability": None,
            "provider": None,
            "status": None,
        },
        "automatically_finalizes_at": None,
        "billing_reason": "manual",
        "collection_method": "charge_automatically",
        "confirmation_secret": None,
        "currency": None,
        "custom_fields": None,
        "customer": None,
        "customer_account": None,
        "customer_address": None,
        "customer_email": None,
        "customer_name": None,
        "customer_phone": None,
        "customer_shipping": None,
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "due_date": None,
        "effective_at": None,
        "ending_balance": 0,
        "footer": None,
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": None,
        "metadata": {},
        "next_payment_attempt": None,
        "number": None,
        "on_behalf_of": None,
        "parent": None,
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": None,
        "period_start": None,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": None,
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": None,
        "status": "draft",
        "status_transitions": {
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "subscription": None,
        "subtotal": 0,
        "subtotal_excluding_tax": 0,
        "test_clock": None,
        "total": 0,
        "total_discount_amounts": [],
        "total_excluding_tax": 0,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": None,
    }
    _update_fields: ClassVar[dict] = {"metadata": Metadata()}
    _list_fields: ClassVar[dict] = {
        "customer": Str(),
        "status": Enum("draft", "open", "paid", "uncollectible", "void"),
        "subscription": Str(),
        "collection_method": Enum("charge_automatically", "send_invoice"),
        "created": Created(),
        "due_date": Created(),
    }
    _list_filters: ClassVar[tuple] = ("customer", "status", "subscription", "collection_method", "created")
    _update_event = "invoice.updated"
    _update_event_always = True

    def __init__(self, customer, currency):
        super().__init__("in_" + random_id(24))
        self.customer = customer.id
        self.currency = currency
        self.customer_email = customer.email
        self.customer_name = customer.name
        self.customer_phone = customer.phone
        self.customer_address = customer.address
        self.customer_tax_exempt = customer.tax_exempt
        self.hosted_invoice_url = f"{state.base_url}/invoice/{self.id}"
        self.invoice_pdf = f"{state.base_url}/invoice/{self.id}/pdf"
        self._lines = []
        self._checkout_session = None

    def _computed(self):
        return {"lines": list_object(f"/v1/invoices/{self.id}/lines", self._lines)}

    def _tax_totals(self):
        inclusive = sum(t["amount"] for t in self.total_taxes if t["tax_behavior"] == "inclusive")
        exclusive = sum(t["amount"] for t in self.total_taxes if t["tax_behavior"] == "exclusive")
        return inclusive, exclusive

    def _creditable(self):
        """What credit notes may still cover (total minus issued credit notes)."""
        return self.total - self.post_payment_credit_notes_amount

    @classmethod
    def _api_update(cls, id, **data):
        if not isinstance(cls._api_retrieve(id), Invoice):
            return ls_resources.Invoice._api_update(id, **data)
        return super()._api_update(id, **data)


def void_invoice(id, **data):
    """Stripe refuses to void a paid invoice: a credit note corrects it."""
    invoice = Invoice._api_retrieve(id)
    if not isinstance(invoice, Invoice):
        return ls_resources.Invoice._api_void_invoice(id, **data)
    check(data, {})
    raise invalid(
        f"Invoice {invoice.id} has status `{invoice.status}` and cannot be voided: you can only void open or "
        "uncollectible invoices. Issue a credit note to correct a paid invoice.",
        code="invoice_not_editable",
    )


def finalize_or_pay_invoice(id, **data):
    invoice = Invoice._api_retrieve(id)
    if not isinstance(invoice, Invoice):
        return ls_resources.Invoice._api_pay_invoice(id)
    raise invalid(f"Invoice {invoice.id} is already paid.", code="invoice_unexpected_state")


def list_invoice_lines(id, **data):
    invoice = Invoice._api_retrieve(id)
    if not isinstance(invoice, Invoice):
        return ls_resources.Invoice._api_list_lines(id, **data)
    check(data, LIST_PARAMS)
    return _Static(list_object(f"/v1/invoices/{id}/lines", invoice._lines))


class _Static:
    def __init__(self, data):
        self.data = data

    def _export(self, expand=None):
        return self.data


def create_session_invoice(session, amounts, charge):
    """The paid one-off invoice Checkout issues when ``invoice_creation`` is on."""
    customer = Customer._api_retrieve(session.customer)
    data = session.invoice_creation["invoice_data"]
    invoice = Invoice(customer, session.currency)
    now = state.now()
    invoice._checkout_session = session.id
    invoice.customer_email = session.customer_details["email"] or customer.email
    invoice.customer_name = session.customer_details["name"] or customer.name
    discount = None
    if amounts["coupon"] is not None:
        discount = Discount(amounts["coupon"].id, session._discount.get("promotion_code"), customer.id, session.id)
        discount.invoice = invoice.id
        invoice.discounts = [discount.id]
    lines, totals = [], {}
    for item in amounts["lines"]:
        line = invoice_line(invoice, item, discount)
        lines.append(line)
        for tax in item["taxes"]:
            key = tax["rate"].id
            entry = totals.setdefault(
                key,
                {
                    "amount": 0,
                    "tax_behavior": "inclusive" if tax["rate"].inclusive else "exclusive",
                    "tax_rate_details": {"tax_rate": tax["rate"].id},
                    "taxability_reason": tax["taxability_reason"],
                    "taxable_amount": 0,
                    "type": "tax_rate_details",
                },
            )
            entry["amount"] += tax["amount"]
            entry["taxable_amount"] += tax["taxable_amount"]
    invoice._lines = lines
    invoice.total_taxes = list(totals.values())
    inclusive, exclusive = invoice._tax_totals()
    invoice.subtotal = amounts["subtotal"]
    invoice.subtotal_excluding_tax = amounts["subtotal"] - inclusive
    invoice.total = amounts["total"]
    invoice.total_excluding_tax = amounts["total"] - inclusive - exclusive
    invoice.total_discount_amounts = [{"amount": amounts["discount"], "discount": discount.id}] if discount else []
    invoice.amount_due = invoice.total
    invoice.amount_paid = invoice.total
    invoice.amount_remaining = 0
    invoice.attempted = True
    invoice.attempt_count = 1 if charge else 0
    invoice.automatic_tax = {
        "disabled_reason": None,
        "enabled": session.automatic_tax["enabled"],
        "liability": session.automatic_tax["liability"],
        "provider": session.automatic_tax["provider"],
        "status": session.automatic_tax["status"],
    }
    invoice.metadata = clean_metadata(data.get("metadata"))
    invoice.footer = data.get("footer")
    invoice.custom_fields = data.get("custom_fields")
    invoice.description = data.get("description")
    invoice.account_tax_ids = data.get("account_tax_ids")
    invoice.issuer = data.get("issuer") or {"type": "self"}
    rendering = data.get("rendering_options") or {}
    invoice.rendering = {
        "amount_tax_display": rendering.get("amount_tax_display"),
        "pdf": {"page_size": "auto"},
        "template": rendering.get("template"),
        "template_version": None,
    }
    invoice.number = customer._next_invoice_number()
    invoice.status = "paid"
    invoice.status_transitions = {
        "finalized_at": now,
        "marked_uncollectible_at": None,
        "paid_at": now,
        "voided_at": None,
    }
    invoice.effective_at = now
    invoice.period_start = invoice.period_end = now
    invoice.webhooks_delivered_at = now
    invoice.receipt_number = None
    if charge is not None:
        InvoicePayment(invoice, charge.payment_intent, invoice.total)
    return invoice


def invoice_line(invoice, item, discount):
    price = item["price"]
    product = store.get(f"product:{price.product}")
    return {
        "id": "il_" + random_id(24),
        "object": "line_item",
        "amount": item["gross"],
        "currency": invoice.currency,
        "description": product.name if product else None,
        "discount_amounts": [{"amount": item["discount"], "discount": discount.id}] if discount else [],
        "discountable": True,
        "discounts": [discount.id] if discount else [],
        "invoice": invoice.id,
        "livemode": False,
        "metadata": dict(item["line"].get("metadata") or {}),
        "parent": {
            "type": "invoice_item_details",
            "invoice_item_details": {
                "invoice_item": "ii_" + random_id(24),
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": None,
            },
            "subscription_item_details": None,
        },
        "period": {"end": invoice.created, "start": invoice.created},
        "pretax_credit_amounts": [],
        "pricing": {
            "type": "price_details",
            "price_details": {"price": price.id, "product": price.product},
            "unit_amount_decimal": str(price.unit_amount),
        },
        "quantity": item["line"]["quantity"],
        "quantity_decimal": str(item["line"]["quantity"]),
        "subscription": None,
        "subtotal": item["gross"],
        "taxes": [
            {
                "amount": tax["amount"],
                "tax_behavior": "inclusive" if tax["rate"].inclusive else "exclusive",
                "tax_rate_details": {"tax_rate": tax["rate"].id},
                "taxability_reason": tax["taxability_reason"],
                "taxable_amount": tax["taxable_amount"],
                "type": "tax_rate_details",
            }
            for tax in item["taxes"]
        ],
        "_net_total": item["total"],
    }


class InvoicePayment(EmuObject):
    """``/v1/invoice_payments``: how the 2026 API links an invoice to its PaymentIntent."""

    object = "invoice_payment"
    _id_prefix = "inpay_"
    _defaults: ClassVar[dict] = {
        "amount_paid": None,
        "amount_requested": 0,
        "currency": None,
        "invoice": None,
        "is_default": True,
        "payment": None,
        "status": "open",
        "status_transitions": {"canceled_at": None, "paid_at": None},
    }
    _list_fields: ClassVar[dict] = {
        "invoice": Str(),
        "payment": Obj(
            type=Required(Enum("payment_intent", "payment_record")),
            payment_intent=Str(),
            payment_record=Str(),
        ),
        "status": Enum("canceled", "open", "paid"),
        "created": Created(),
    }
    _list_filters: ClassVar[tuple] = ("invoice", "status", "created")

    def __init__(self, invoice, payment_intent, amount):
        super().__init__("inpay_" + random_id(24))
        self.invoice = invoice.id
        self.currency = invoice.currency
        self.amount_requested = amount
        self.amount_paid = amount
        self.payment = {"type": "payment_intent", "payment_intent": payment_intent}
        self.status = "paid"
        self.status_transitions = {"canceled_at": None, "paid_at": self.created}

    @classmethod
    def _list_match(cls, item, params):
        payment = params.get("payment") or {}
        if payment.get("payment_intent") and item.payment.get("payment_intent") != payment["payment_intent"]:
            return False
        return super()._list_match(item, params)


def invoice_charge(invoice):
    """The charge that paid ``invoice`` (None for a 0 invoice)."""
    for payment in InvoicePayment._all():
        if payment.invoice == invoice.id and payment.status == "paid":
            intent = store.get(f"payment_intent:{payment.payment['payment_intent']}")
            if intent is not None and intent.latest_charge:
                return store.get(f"charge:{intent.latest_charge}")
    return None


# -- credit notes ----------------------------------------------------------------
CREDIT_REASONS = Enum("duplicate", "fraudulent", "order_change", "product_unsatisfactory")
REFUND_REASON_FOR = {"duplicate": "duplicate", "fraudulent": "fraudulent"}

CREDIT_LINE = Obj(
    type=Required(Enum("invoice_line_item", "custom_line_item")),
    invoice_line_item=Str(),
    quantity=Int(1),
    unit_amount=Int(0),
    amount=Int(0),
    description=Str(),
    tax_rates=ListOf(Str()),
    metadata=Metadata(),
)


class CreditNote(EmuObject):
    object = "credit_note"
    _id_prefix = "cn_"
    _defaults: ClassVar[dict] = {
        "amount": 0,
        "amount_shipping": 0,
        "currency": None,
        "customer": None,
        "customer_account": None,
        "customer_balance_transaction": None,
        "discount_amount": 0,
        "discount_amounts": [],
        "effective_at": None,
        "invoice": None,
        "lines": None,
        "memo": None,
        "metadata": {},
        "number": None,
        "out_of_band_amount": None,
        "pdf": None,
        "post_payment_amount": 0,
        "pre_payment_amount": 0,
        "pretax_credit_amounts": [],
        "reason": None,
        "refunds": [],
        "shipping_cost": None,
        "status": "issued",
        "subtotal": 0,
        "subtotal_excluding_tax": 0,
        "total": 0,
        "total_excluding_tax": 0,
        "total_taxes": [],
        "type": "post_payment",
        "voided_at": None,
    }
    _create_fields: ClassVar[dict] = {
        "invoice": Required(Str()),
        "amount": Int(0),
        "refund_amount": Int(0),
        "credit_amount": Int(0),
        "out_of_band_amount": Int(0),
        "lines": ListOf(CREDIT_LINE),
        "reason": CREDIT_REASONS,
        "memo": Str(5000),
        "metadata": Metadata(),
        "refunds": ListOf(Obj(refund=Required(Str()), amount_refunded=Int(1), type=Enum("refund"))),
        "effective_at": Int(),
        "email_type": Enum("credit_note", "none"),
    }
    _update_fields: ClassVar[dict] = {"memo": Str(5000), "metadata": Metadata()}
    _list_fields: ClassVar[dict] = {"invoice": Str(), "customer": Str(), "created": Created()}
    _list_filters: ClassVar[tuple] = ("invoice", "customer", "created")
    _update_event = "credit_note.updated"
    _update_event_always = True

    def __init__(self, invoice, amount):
        super().__init__("cn_" + random_id(24))
        self.invoice = invoice.id
        self.customer = invoice.customer
        self.currency = invoice.currency
        self.amount = amount
        self.pdf = f"{state.base_url}/credit_note/{self.id}/pdf"
        self._lines = []

    def _computed(self):
        return {"lines": list_object(f"/v1/credit_notes/{self.id}/lines", self._lines)}

    @classmethod
    def _api_create(cls, **data):
        return create_credit_note(**data)


def credit_lines(invoice, lines):
    """Credit note lines from the ``lines`` param, and their total."""
    by_id = {line["id"]: line for line in invoice._lines}
    result, total = [], 0
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        quantity = line.get("quantity")
        if line["type"] == "invoice_line_item":
            source = by_id.get(line.get("invoice_line_item"))
            if source is None:
                raise invalid(
                    f"No such invoice line item: '{line.get('invoice_line_item')}'",
                    param=f"{path}[invoice_line_item]",
                    code="resource_missing",
                )
            quantity = quantity or source["quantity"]
            if quantity > source["quantity"]:
                raise invalid("Credited quantity exceeds the invoice line quantity.", param=f"{path}[quantity]")
            if line.get("amount") is not None:
                amount = line["amount"]
            else:
                amount = rounded(Decimal(source["_net_total"]) * quantity / source["quantity"])
            result.append(
                credit_line(
                    amount,
                    source["description"],
                    quantity,
                    "invoice_line_item",
                    invoice_line_item=source["id"],
                )
            )
        else:
            if line.get("unit_amount") is None:
                raise invalid(
                    f"Missing required param: {path}[unit_amount].",
                    param=f"{path}[unit_amount]",
                    code="parameter_missing",
                )
            quantity = quantity or 1
            amount = line["unit_amount"] * quantity
            result.append(
                credit_line(
                    amount,
                    line.get("description") or "Credit",
                    quantity,
                    "custom_line_item",
                    unit_amount=line["unit_amount"],
                )
            )
        total += amount
    return result, total


def credit_line(amount, description, quantity, kind, invoice_line_item=None, unit_amount=None):
    return {
        "id": "cnli_" + random_id(24),
        "object": "credit_note_line_item",
        "amount": amount,
        "description": description,
        "discount_amount": 0,
        "discount_amounts": [],
        "invoice_line_item": invoice_line_item,
        "livemode": False,
        "metadata": {},
        "pretax_credit_amounts": [],
        "quantity": quantity,
        "tax_rates": [],
        "taxes": [],
        "type": kind,
        "unit_amount": unit_amount,
        "unit_amount_decimal": None if unit_amount is None else str(unit_amount),
    }


def create_credit_note(**data):
    """``POST /v1/credit_notes`` on a paid Checkout invoice.

    The amount comes from ``lines``, ``amount``, or the sum of
    ``refund_amount`` + ``credit_amount`` + ``out_of_band_amount``. On a paid
    invoice with no allocation given, the whole amount is refunded.
    """
    params = check(data, CreditNote._create_fields)
    params.pop("expand", None)
    invoice = require("invoice", params["invoice"], "invoice")
    if not isinstance(invoice, Invoice) or invoice.status != "paid":
        raise invalid("The emulator issues credit notes on paid Checkout invoices only.", param="invoice")
    linked = []
    for index, entry in enumerate(params.get("refunds") or []):
        refund = require("refund", entry["refund"], f"refunds[{index}][refund]")
        linked.append((refund, entry.get("amount_refunded") or refund.amount))
    refund_amount = params.get("refund_amount")
    credit_amount = params.get("credit_amount") or 0
    out_of_band = params.get("out_of_band_amount") or 0
    allocated = (refund_amount or 0) + credit_amount + out_of_band + sum(amount for _, amount in linked)
    allocation_given = any(
        params.get(name) is not None for name in ("refund_amount", "credit_amount", "out_of_band_amount", "refunds")
    )
    if params.get("lines"):
        lines, amount = credit_lines(invoice, params["lines"])
        if params.get("amount") is not None and params["amount"] != amount:
            raise invalid("amount does not match the sum of the lines.", param="amount")
    elif params.get("amount") is not None:
        amount, lines = params["amount"], None
    elif allocation_given:
        amount, lines = allocated, None
    else:
        raise invalid("You must pass amount, lines, or refund_amount.", param="amount", code="parameter_missing")
    remaining = invoice._creditable()
    if amount > remaining:
        raise invalid(
            f"The credit note amount ({amount}) exceeds the amount that can still be credited on invoice "
            f"{invoice.number} ({remaining}).",
            param="amount",
            code="credit_note_amount_too_large",
        )
    if amount <= 0 and invoice.total > 0:
        raise invalid("The credit note amount must be greater than 0.", param="amount")
    charge = invoice_charge(invoice)
    if not allocation_given:
        refund_amount = amount if charge is not None else 0
        out_of_band = 0 if charge is not None else amount
        allocated = amount
    if allocated != amount:
        raise invalid(
            "The sum of refund_amount, credit_amount, out_of_band_amount and refunds must equal the credit "
            f"note amount ({allocated} != {amount}).",
            param="refund_amount",
        )
    if refund_amount:
        if charge is None:
            raise invalid("This invoice was not paid by a charge: nothing to refund.", param="refund_amount")
        refundable = charge.amount - charge._amount_refunded()
        if refund_amount > refundable:
            raise invalid(
                f"refund_amount ({refund_amount}) is greater than what can still be refunded on the "
                f"charge ({refundable}).",
                param="refund_amount",
                code="amount_too_large",
            )

    note = CreditNote(invoice, amount)
    if lines is None:
        if amount == invoice.total and invoice.post_payment_credit_notes_amount == 0:
            lines = [
                credit_line(
                    line["_net_total"],
                    line["description"],
                    line["quantity"],
                    "invoice_line_item",
                    invoice_line_item=line["id"],
                )
                for line in invoice._lines
            ]
        else:
            lines = [credit_line(amount, "Credit", 1, "custom_line_item", unit_amount=amount)]
    note._lines = lines
    apply_taxes(note, invoice, amount)
    sequence = sum(1 for other in CreditNote._all() if other.invoice == invoice.id)
    note.number = f"{invoice.number}-CN-{sequence:02d}"
    note.reason = params.get("reason")
    note.memo = params.get("memo")
    note.metadata = clean_metadata(params.get("metadata"))
    note.effective_at = params.get("effective_at") or note.created
    note.out_of_band_amount = out_of_band or None
    note.post_payment_amount = amount
    note.type = "post_payment"
    note.status = "issued"
    refunds = [
        {"amount_refunded": amt, "payment_record_refund": None, "refund": refund.id, "type": "refund"}
        for refund, amt in linked
    ]
    invoice.post_payment_credit_notes_amount += amount
    if credit_amount:
        customer = store.get(f"customer:{invoice.customer}")
        if customer is not None:
            customer.balance -= credit_amount
    if refund_amount:
        refund = Refund(
            charge=charge.id,
            amount=refund_amount,
            reason=REFUND_REASON_FOR.get(note.reason, "requested_by_customer"),
        )
        refunds.append(
            {
                "amount_refunded": refund_amount,
                "payment_record_refund": None,
                "refund": refund.id,
                "type": "refund",
            }
        )
    note.refunds = refunds
    emit("credit_note.created", note)
    return note


def apply_taxes(note, invoice, amount):
    """Share the invoice's taxes in proportion of the credited amount."""
    if invoice.total > 0 and invoice.total_taxes:
        shares = split_proportionally(
            rounded(Decimal(amount) * sum(t["amount"] for t in invoice.total_taxes) / invoice.total),
            [t["amount"] for t in invoice.total_taxes],
        )
    else:
        shares = [0] * len(invoice.total_taxes)
    taxes = []
    for entry, share in zip(invoice.total_taxes, shares, strict=True):
        tax = dict(entry)
        tax["amount"] = share
        base = entry["taxable_amount"]
        tax["taxable_amount"] = rounded(Decimal(base) * amount / invoice.total) if invoice.total else 0
        taxes.append(tax)
    note.total_taxes = taxes
    exclusive = sum(t["amount"] for t in taxes if t["tax_behavior"] == "exclusive")
    tax_total = sum(t["amount"] for t in taxes)
    note.subtotal = amount - exclusive
    note.subtotal_excluding_tax = amount - tax_total
    note.total = amount
    note.total_excluding_tax = amount - tax_total


def void_credit_note(id, **data):
    check(data, {})
    note = CreditNote._api_retrieve(id)
    if note.status == "void":
        raise invalid(f"Credit note {note.id} is already void.")
    invoice = store.get(f"invoice:{note.invoice}")
    note.status = "void"
    note.voided_at = state.now()
    if invoice is not None:
        invoice.post_payment_credit_notes_amount -= note.amount
    emit("credit_note.voided", note)
    return note


def list_credit_note_lines(id, **data):
    check(data, LIST_PARAMS)
    note = CreditNote._api_retrieve(id)
    return _Static(list_object(f"/v1/credit_notes/{id}/lines", note._lines))
