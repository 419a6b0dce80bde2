"""Checkout Sessions (payment mode): creation, amounts, payment and expiry.

This is the heart of what the plugin uses: it creates a session, sends the
learner to ``session.url`` (the emulator's hosted page, :mod:`.pages`) and
learns the outcome from ``checkout.session.*`` webhooks. Paying creates what
Stripe creates (Customer, PaymentIntent, Charge, Invoice) and sends the same
events, in a fixed order: ``checkout.session.completed``,
``invoice.finalized``, ``invoice.paid``, ``payment_intent.succeeded``,
``charge.succeeded``.

Tax is simplified: a line item's own ``tax_rates`` are applied as Stripe does
(inclusive or exclusive per TaxRate), and ``automatic_tax.enabled`` applies a
fixed 20 % rate whose inclusivity follows the Price's ``tax_behavior``.
"""

from typing import ClassVar

from . import state
from ._localstripe import store
from .base import ADDRESS_NULL, EmuObject, ListResult, check_expand, clean_metadata, random_id, require
from .billing import create_session_invoice
from .errors import card_declined, invalid
from .money import AUTOMATIC_TAX_PERCENTAGE, split_proportionally
from .params import LIST_PARAMS, Bool, Created, Enum, Id, Int, ListOf, Metadata, Obj, Required, Str, check
from .payments import Charge, PaymentIntent, make_payment_method
from .resources import Customer, Price, Product, PromotionCode, TaxRate, automatic_tax_rate, find_promotion_code
from .taxes import line_taxes
from .webhooks import emit

MIN_EXPIRY = 30 * 60
MAX_EXPIRY = 24 * 3600

LINE_ITEM = Obj(
    price=Str(),
    price_data=Obj(
        currency=Required(Str(3)),
        product=Id("prod_"),
        product_data=Obj(
            name=Required(Str(250)),
            description=Str(),
            images=ListOf(Str()),
            metadata=Metadata(),
            tax_code=Str(),
            unit_label=Str(),
        ),
        unit_amount=Int(0),
        tax_behavior=Enum("inclusive", "exclusive", "unspecified"),
    ),
    quantity=Int(1),
    tax_rates=ListOf(Str(), max_items=5),
    adjustable_quantity=Obj(enabled=Required(Bool()), maximum=Int(1), minimum=Int(0)),
    metadata=Metadata(),
)

INVOICE_DATA = Obj(
    metadata=Metadata(),
    footer=Str(5000),
    custom_fields=ListOf(Obj(name=Required(Str(40)), value=Required(Str(140))), max_items=4),
    description=Str(1500),
    rendering_options=Obj(amount_tax_display=Enum("exclude_tax", "include_inclusive_tax"), template=Str()),
    account_tax_ids=ListOf(Str()),
    issuer=Obj(type=Required(Enum("account", "self")), account=Str()),
)

CREATE_FIELDS = {
    "mode": Enum("payment", "setup", "subscription"),
    "line_items": ListOf(LINE_ITEM, max_items=100),
    "customer": Id("cus_"),
    "customer_email": Str(800),
    "customer_creation": Enum("always", "if_required"),
    "client_reference_id": Str(200),
    "metadata": Metadata(),
    "allow_promotion_codes": Bool(),
    "discounts": ListOf(Obj(coupon=Str(), promotion_code=Str()), max_items=1),
    "invoice_creation": Obj(enabled=Required(Bool()), invoice_data=INVOICE_DATA),
    "expires_at": Int(),
    "locale": Str(10),
    "success_url": Str(5000),
    "cancel_url": Str(5000),
    "payment_intent_data": Obj(
        metadata=Metadata(),
        description=Str(1000),
        receipt_email=Str(),
        statement_descriptor=Str(22),
        statement_descriptor_suffix=Str(22),
        setup_future_usage=Enum("on_session", "off_session"),
        capture_method=Enum("automatic", "automatic_async", "manual"),
    ),
    "automatic_tax": Obj(
        enabled=Required(Bool()), liability=Obj(type=Required(Enum("account", "self")), account=Str())
    ),
    "allowed_payment_method_types": ListOf(Str()),
    "customer_update": Obj(address=Enum("auto", "never"), name=Enum("auto", "never"), shipping=Enum("auto", "never")),
    "billing_address_collection": Enum("auto", "required"),
    "consent_collection": Obj(
        promotions=Enum("auto", "none"),
        terms_of_service=Enum("none", "required"),
        payment_method_reuse_agreement=Obj(position=Required(Enum("auto", "hidden"))),
    ),
    "submit_type": Enum("auto", "book", "donate", "pay", "subscribe"),
    "tax_id_collection": Obj(enabled=Required(Bool()), required=Enum("if_supported", "never")),
    "phone_number_collection": Obj(enabled=Required(Bool())),
    "currency": Str(3),
    "ui_mode": Enum("hosted_page", "embedded_page", "elements", "form"),
}


class CheckoutSession(EmuObject):
    object = "checkout.session"
    _id_prefix = "cs_test_"
    _defaults: ClassVar[dict] = {
        "adaptive_pricing": {"enabled": False},
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": None,
        "amount_total": None,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": None,
        "client_reference_id": None,
        "client_secret": None,
        "collected_information": None,
        "consent": None,
        "consent_collection": None,
        "created": None,
        "currency": None,
        "currency_conversion": None,
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer": None,
        "customer_account": None,
        "customer_creation": None,
        "customer_details": None,
        "customer_email": None,
        "discounts": [],
        "expires_at": None,
        "integration_identifier": None,
        "invoice": None,
        "invoice_creation": None,
        "locale": None,
        "managed_payments": None,
        "metadata": {},
        "mode": "payment",
        "origin_context": None,
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "if_required",
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "permissions": None,
        "phone_number_collection": {"enabled": False},
        "recovered_from": None,
        "saved_payment_method_options": None,
        "setup_intent": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": None,
        "subscription": None,
        "success_url": None,
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted_page",
        "url": None,
        "wallet_options": None,
    }
    _list_fields: ClassVar[dict] = {
        "customer": Str(),
        "status": Enum("open", "complete", "expired"),
        "payment_intent": Str(),
        "payment_link": Str(),
        "subscription": Str(),
        "created": Created(),
        "customer_details": Obj(email=Required(Str())),
    }
    _list_filters: ClassVar[tuple] = ("customer", "status", "payment_intent", "created")
    _update_fields: ClassVar[dict] = {"metadata": Metadata()}

    def __init__(self, **params):
        params = check(params, CREATE_FIELDS)
        params.pop("expand", None)
        validate_create(params)
        super().__init__("cs_test_" + random_id(58))
        now = state.now()
        self._lines = params["_lines"]
        self._discount = params["_discount"]
        self._payment_method = None
        self.mode = "payment"
        self.status = "open"
        self.payment_status = "unpaid"
        self.currency = params["_currency"]
        self.customer = params.get("customer")
        self.customer_email = params.get("customer_email")
        self.customer_creation = params.get("customer_creation") or (None if self.customer else "if_required")
        self.client_reference_id = params.get("client_reference_id")
        self.metadata = clean_metadata(params.get("metadata"))
        self.allow_promotion_codes = params.get("allow_promotion_codes")
        self.expires_at = params.get("expires_at") or now + MAX_EXPIRY
        self.locale = params.get("locale")
        self.success_url = params.get("success_url")
        self.cancel_url = params.get("cancel_url")
        self._payment_intent_data = params.get("payment_intent_data") or {}
        automatic = (params.get("automatic_tax") or {}).get("enabled") is True
        self.automatic_tax = {
            "enabled": automatic,
            "liability": {"type": "self"} if automatic else None,
            "provider": "stripe" if automatic else None,
            "status": "complete" if automatic else None,
        }
        self.payment_method_types = params.get("allowed_payment_method_types") or ["card"]
        self.billing_address_collection = params.get("billing_address_collection")
        consent = params.get("consent_collection")
        self.consent_collection = (
            None
            if consent is None
            else {
                "payment_method_reuse_agreement": consent.get("payment_method_reuse_agreement"),
                "promotions": consent.get("promotions"),
                "terms_of_service": consent.get("terms_of_service"),
            }
        )
        self.submit_type = params.get("submit_type")
        tax_id = params.get("tax_id_collection")
        self.tax_id_collection = {
            "enabled": bool(tax_id and tax_id["enabled"]),
            "required": (tax_id or {}).get("required") or "never",
        }
        self.customer_update = params.get("customer_update")
        self.phone_number_collection = {"enabled": bool((params.get("phone_number_collection") or {}).get("enabled"))}
        self.invoice_creation = invoice_creation_shape(params.get("invoice_creation"))
        self.url = f"{state.base_url}/pay/{self.id}"
        self.customer_details = None
        self.discounts = []
        self.invoice = None
        self.payment_intent = None
        self.created = now
        self._freeze_amounts()  # Stripe sends no event when a session is created

    # -- amounts -------------------------------------------------------------
    def _amounts(self, discount=None):
        return compute_amounts(
            self._lines,
            self.currency,
            self.automatic_tax["enabled"],
            self._discount if discount is None else discount,
        )

    def _freeze_amounts(self, discount=None):
        amounts = self._amounts(discount)
        self.amount_subtotal = amounts["subtotal"]
        self.amount_total = amounts["total"]
        self.total_details = {
            "amount_discount": amounts["discount"],
            "amount_shipping": 0,
            "amount_tax": amounts["tax"],
        }
        return amounts

    def _line_items(self):
        amounts = self._amounts()
        return [line_item_object(line, self.currency) for line in amounts["lines"]]

    _expand_extra: ClassVar[dict] = {
        "line_items": lambda self: {
            "object": "list",
            "has_more": False,
            "url": f"/v1/checkout/sessions/{self.id}/line_items",
            "data": self._line_items(),
        }
    }

    def _discount_object(self, coupon):
        return {"object": "discount", "coupon": coupon._export(),
                "promotion_code": (self._discount or {}).get("promotion_code")}

    def _breakdown(self):
        """``total_details.breakdown``: the discount and each tax, with their objects."""
        amounts = self._amounts()
        taxes = [
            {"amount": tax["amount"], "rate": tax["rate"]._export(), "taxability_reason": tax["taxability_reason"],
             "taxable_amount": tax["taxable_amount"]}
            for line in amounts["lines"] for tax in line["taxes"]
        ]
        discounts = []
        if amounts["coupon"] is not None:
            discounts.append({"amount": amounts["discount"], "discount": self._discount_object(amounts["coupon"])})
        return {"discounts": discounts, "taxes": taxes}

    #: Expansions of fields Stripe only sends when asked, made here rather than by following an id.
    _computed_expansions = ("total_details.breakdown", "line_items.data.discounts")

    def _export(self, expand=None):
        expand = check_expand(expand)
        data = super()._export(expand=[path for path in expand if path not in self._computed_expansions])
        if "total_details.breakdown" in expand and isinstance(data.get("total_details"), dict):
            data["total_details"] = dict(data["total_details"], breakdown=self._breakdown())
        if "line_items.data.discounts" in expand:
            if "line_items" not in data:
                data["line_items"] = self._expand_extra["line_items"](self)
            coupon = self._amounts()["coupon"]
            for item in data["line_items"]["data"]:
                item["discounts"] = [{"amount": item["amount_discount"], "discount": self._discount_object(coupon)}
                                     ] if coupon is not None and item["amount_discount"] else []
        return data

    # -- state ---------------------------------------------------------------
    def _refresh(self):
        """Stripe expires an open session at ``expires_at``: apply it when seen."""
        if self.status == "open" and state.now() >= self.expires_at:
            self._expire()

    def _expire(self):
        self.status = "expired"
        self.url = None
        emit("checkout.session.expired", self)

    @classmethod
    def _api_retrieve(cls, id):
        obj = super()._api_retrieve(id)
        obj._refresh()
        return obj

    @classmethod
    def _api_list_all(cls, url, **params):
        for session in cls._all():
            session._refresh()
        return super()._api_list_all(url, **params)

    @classmethod
    def _list_match(cls, item, params):
        if params.get("payment_link") or params.get("subscription"):
            return False  # payment-mode sessions have neither
        email = (params.get("customer_details") or {}).get("email")
        if email and (item.customer_details or {}).get("email") != email:
            return False
        return super()._list_match(item, params)


def invoice_creation_shape(value):
    data = (value or {}).get("invoice_data") or {}
    rendering = data.get("rendering_options") or {}
    return {
        "enabled": bool(value and value.get("enabled")),
        "invoice_data": {
            "account_tax_ids": data.get("account_tax_ids"),
            "custom_fields": data.get("custom_fields"),
            "description": data.get("description"),
            "footer": data.get("footer"),
            "issuer": data.get("issuer") or {"type": "self"},
            "metadata": clean_metadata(data.get("metadata")),
            "rendering_options": {
                "amount_tax_display": rendering.get("amount_tax_display"),
                "template": rendering.get("template"),
            }
            if rendering
            else None,
        },
    }


def validate_create(params):
    """Stripe's cross-parameter rules; stores resolved lines on ``params``."""
    now = state.now()
    if params.get("mode", "payment") != "payment":
        raise invalid("The Stripe emulator only supports mode=payment.", param="mode")
    if params.get("ui_mode", "hosted_page") != "hosted_page":
        raise invalid("The Stripe emulator only supports ui_mode=hosted_page.", param="ui_mode")
    if params.get("customer") and params.get("customer_email"):
        raise invalid("You may only specify one of these parameters: customer, customer_email.", param="customer_email")
    if params.get("customer"):
        require("customer", params["customer"], "customer")
    if params.get("customer_update") and not params.get("customer"):
        raise invalid("customer_update can only be used with customer.", param="customer_update")
    if params.get("allow_promotion_codes") and params.get("discounts"):
        raise invalid(
            "You may only specify one of these parameters: allow_promotion_codes, discounts.",
            param="discounts",
        )
    expires_at = params.get("expires_at")
    if expires_at is not None:
        if expires_at < now + MIN_EXPIRY:
            raise invalid(
                "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
                param="expires_at",
            )
        if expires_at > now + MAX_EXPIRY:
            raise invalid(
                "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
                param="expires_at",
            )
    automatic = (params.get("automatic_tax") or {}).get("enabled") is True
    line_items = params.get("line_items")
    if not line_items:
        raise invalid("Missing required param: line_items.", param="line_items", code="parameter_missing")
    lines, currencies = [], set()
    for index, item in enumerate(line_items):
        path = f"line_items[{index}]"
        if bool(item.get("price")) == bool(item.get("price_data")):
            raise invalid(
                f"You must specify exactly one of {path}[price] or {path}[price_data].",
                param=f"{path}[price]",
            )
        if item.get("quantity") is None:
            raise invalid(
                f"Missing required param: {path}[quantity].",
                param=f"{path}[quantity]",
                code="parameter_missing",
            )
        if item.get("price"):
            price = require("price", item["price"], f"{path}[price]")
        else:
            price = inline_price(item["price_data"], f"{path}[price_data]")
        if not price.active:
            raise invalid(
                f"The price specified ({price.id}) is inactive. This field only accepts active prices.",
                param=f"{path}[price]",
            )
        if price.type != "one_time":
            raise invalid("You must use mode=subscription for recurring prices.", param=f"{path}[price]")
        tax_rates = item.get("tax_rates") or []
        if tax_rates and automatic:
            raise invalid("You cannot set tax_rates when automatic_tax is enabled.", param=f"{path}[tax_rates]")
        for position, rate_id in enumerate(tax_rates):
            rate = require("tax_rate", rate_id, f"{path}[tax_rates][{position}]")
            if not rate.active:
                raise invalid(f"Tax rate {rate_id} is inactive.", param=f"{path}[tax_rates][{position}]")
        if automatic and price.tax_behavior == "unspecified":
            raise invalid(
                "Automatic tax needs a Price with tax_behavior set to inclusive or exclusive "
                f"({price.id} is unspecified).",
                param=f"{path}[price]",
            )
        currencies.add(price.currency)
        lines.append(
            {
                "id": "li_" + random_id(24),
                "price": price.id,
                "quantity": item["quantity"],
                "tax_rates": tax_rates,
                "metadata": clean_metadata(item.get("metadata")),
                "adjustable_quantity": item.get("adjustable_quantity"),
            }
        )
    if len(currencies) > 1:
        raise invalid("All line items must use the same currency.", param="line_items")
    currency = currencies.pop()
    if params.get("currency") and params["currency"].lower() != currency:
        raise invalid("currency does not match the currency of the line items.", param="currency")
    discount = None
    for index, entry in enumerate(params.get("discounts") or []):
        discount = resolve_discount(entry, f"discounts[{index}]", currency)
    params["_lines"], params["_currency"], params["_discount"] = lines, currency, discount


def inline_price(data, path):
    """``price_data``: Stripe creates an inactive-in-catalog Price on the fly."""
    params = {
        "currency": data["currency"],
        "unit_amount": data.get("unit_amount"),
        "tax_behavior": data.get("tax_behavior") or "unspecified",
    }
    if data.get("product"):
        params["product"] = data["product"]
    elif data.get("product_data"):
        product = dict(data["product_data"])
        product.pop("unit_label", None)
        params["product"] = Product(**{k: v for k, v in product.items() if v is not None}).id
    else:
        raise invalid(f"Missing required param: {path}[product].", param=f"{path}[product]")
    return Price(**params)


def resolve_discount(entry, path, currency, amount=None):
    """``{coupon}`` or ``{promotion_code}`` -> the discount to apply."""
    if bool(entry.get("coupon")) == bool(entry.get("promotion_code")):
        raise invalid(f"You must specify exactly one of {path}[coupon] or {path}[promotion_code].", param=path)
    if entry.get("promotion_code"):
        promo = require("promotion_code", entry["promotion_code"], f"{path}[promotion_code]")
        refusal = promo._refusal(amount, currency)
        if refusal:
            raise invalid(refusal, param=f"{path}[promotion_code]")
        return {"coupon": promo.promotion["coupon"], "promotion_code": promo.id}
    coupon = require("coupon", entry["coupon"], f"{path}[coupon]")
    if not coupon._is_valid():
        raise invalid(f"Coupon {coupon.id} is no longer valid.", param=f"{path}[coupon]")
    if coupon.amount_off is not None and coupon.currency != currency:
        raise invalid("This coupon's currency does not match the line items.", param=f"{path}[coupon]")
    return {"coupon": coupon.id, "promotion_code": None}


def compute_amounts(lines, currency, automatic_tax, discount):
    """Per-line and total amounts: subtotal, discount, tax, total (integers)."""
    priced = []
    for line in lines:
        price = Price._api_retrieve(line["price"])
        priced.append((line, price, price.unit_amount * line["quantity"]))
    subtotal = sum(gross for _, _, gross in priced)
    discount_total = 0
    coupon = None
    if discount:
        coupon = store.get(f"coupon:{discount['coupon']}")
        if coupon is not None:
            discount_total = coupon._discount_on(subtotal, currency)
    shares = split_proportionally(discount_total, [gross for _, _, gross in priced])
    result_lines = []
    for (line, price, gross), share in zip(priced, shares, strict=True):
        net = gross - share
        if automatic_tax:
            rates = [automatic_tax_rate(AUTOMATIC_TAX_PERCENTAGE, price.tax_behavior == "inclusive")]
            reason = "standard_rated"
        else:
            rates = [TaxRate._api_retrieve(rate_id) for rate_id in line["tax_rates"]]
            reason = None
        taxes = line_taxes(net, rates, reason)
        exclusive = sum(tax["amount"] for tax in taxes if not tax["rate"].inclusive)
        result_lines.append(
            {
                "line": line,
                "price": price,
                "gross": gross,
                "discount": share,
                "net": net,
                "taxes": taxes,
                "tax": sum(tax["amount"] for tax in taxes),
                "total": net + exclusive,
            }
        )
    tax = sum(item["tax"] for item in result_lines)
    total = sum(item["total"] for item in result_lines)
    return {
        "lines": result_lines,
        "subtotal": subtotal,
        "discount": discount_total,
        "tax": tax,
        "total": total,
        "coupon": coupon,
    }


def line_item_object(item, currency):
    """A Checkout ``item`` (``GET .../line_items``)."""
    price = item["price"]
    product = store.get(f"product:{price.product}")
    return {
        "id": item["line"]["id"],
        "object": "item",
        "adjustable_quantity": item["line"].get("adjustable_quantity"),
        "amount_discount": item["discount"],
        "amount_subtotal": item["gross"],
        "amount_tax": item["tax"],
        "amount_total": item["total"],
        "currency": currency,
        "description": product.name if product else None,
        "metadata": item["line"].get("metadata") or {},
        "price": price._export(),
        "quantity": item["line"]["quantity"],
        "taxes": [
            {
                "amount": tax["amount"],
                "rate": tax["rate"]._export(),
                "taxability_reason": tax["taxability_reason"],
                "taxable_amount": tax["taxable_amount"],
            }
            for tax in item["taxes"]
        ],
    }


# -- API routes ----------------------------------------------------------------
def expire_session(id, **data):
    """``POST /v1/checkout/sessions/{id}/expire``: only an open session (Stripe's wording)."""
    check(data, {"expand": ListOf(Str())})
    session = CheckoutSession._api_retrieve(id)
    if session.status != "open":
        raise invalid(
            'Only Checkout Sessions with a status in ["open"] can be expired. '
            f"This Checkout Session has a status of `{session.status}`."
        )
    session._expire()
    return session


def list_line_items(id, **data):
    params = check(data, LIST_PARAMS)
    params.pop("expand", None)
    session = CheckoutSession._api_retrieve(id)
    return _ItemList(f"/v1/checkout/sessions/{id}/line_items", session._line_items(), params, "item")


class _ItemList(ListResult):
    """Line items keep their order (they are not sorted by creation)."""

    _sorted = False


# -- paying ----------------------------------------------------------------------
OUTCOMES = ("paid", "async_pending", "succeeded", "failed", "declined")


def pay(session_id, email=None, name=None, promotion_code=None, outcome="paid"):
    """Pay a session as the customer would on the hosted page.

    ``outcome``: ``paid`` (card, default), ``async_pending`` (delayed method:
    complete but unpaid), then ``succeeded``/``failed`` to settle a pending
    one, or ``declined`` (402, nothing changes).
    """
    session = CheckoutSession._api_retrieve(session_id)
    if outcome not in OUTCOMES:
        raise invalid(f"Invalid outcome: must be one of {', '.join(OUTCOMES)}", param="outcome")
    if outcome in ("succeeded", "failed"):
        return settle_delayed(session, outcome == "succeeded")
    if session.status != "open":
        raise invalid(
            f"This Checkout Session is no longer open (status: {session.status}).",
            code="checkout_session_not_open",
        )
    discount = session._discount
    if promotion_code:
        if not session.allow_promotion_codes:
            raise invalid("This Checkout Session does not accept promotion codes.", param="promotion_code")
        promo = find_promotion_code(promotion_code)
        amount = session._amounts()["subtotal"]
        refusal = "This code is invalid." if promo is None else promo._refusal(amount, session.currency)
        if refusal:
            raise invalid(refusal, param="promotion_code", code="promotion_code_invalid")
        discount = {"coupon": promo.promotion["coupon"], "promotion_code": promo.id}
    if outcome == "declined":
        raise card_declined()

    session._discount = discount
    amounts = session._freeze_amounts()
    customer = customer_for(session, email, name)
    details_email = email or (customer.email if customer else None) or session.customer_email or "customer@example.com"
    details_name = name or (customer.name if customer else None)
    session.customer = customer.id if customer else None
    session.customer_details = {
        "address": dict(ADDRESS_NULL, country="FR"),
        "business_name": None,
        "email": details_email,
        "individual_name": None,
        "name": details_name,
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
    }
    session.discounts = [dict(discount)] if discount else []
    session.status = "complete"
    session.url = None

    if amounts["total"] == 0:
        session.payment_status = "no_payment_required"
        fulfil(session, amounts, None)
        return session

    kind = "sepa_debit" if outcome == "async_pending" else "card"
    method = make_payment_method(kind, details_email, details_name)
    intent_data = session._payment_intent_data
    intent = PaymentIntent(
        amount=amounts["total"],
        currency=session.currency,
        customer=session.customer,
        metadata=intent_data.get("metadata"),
        description=intent_data.get("description"),
        receipt_email=intent_data.get("receipt_email"),
        payment_method=method.id,
        payment_method_type=kind,
    )
    billing = {
        "address": dict(ADDRESS_NULL, country="FR"),
        "email": details_email,
        "name": details_name,
        "phone": None,
        "tax_id": None,
    }
    charge = Charge(intent, method, billing)
    intent.latest_charge = charge.id
    session.payment_intent = intent.id
    if outcome == "async_pending":
        intent.status = "processing"
        intent.processing = {"type": kind}
        session.payment_status = "unpaid"
        emit("checkout.session.completed", session)
        emit("payment_intent.processing", intent)
        emit("charge.pending", charge)
        return session
    charge._succeed()
    intent.status = "succeeded"
    intent.amount_received = intent.amount
    session.payment_status = "paid"
    fulfil(session, amounts, charge)
    return session


def customer_for(session, email, name):
    """The session's Customer, created like Stripe does when one is needed."""
    if session.customer:
        return require("customer", session.customer, "customer")
    if session.customer_creation == "always" or session.invoice_creation["enabled"]:
        params = {"email": email or session.customer_email or "customer@example.com"}
        if name:
            params["name"] = name
        if session.locale and session.locale != "auto":
            params["preferred_locales"] = [session.locale]
        return Customer(**params)
    return None


def fulfil(session, amounts, charge, event_prefix="checkout.session.completed"):
    """Redeem the code, issue the invoice, then send the events in order."""
    redeem(session)
    invoice = None
    if session.invoice_creation["enabled"]:
        invoice = create_session_invoice(session, amounts, charge)
        session.invoice = invoice.id
    emit(event_prefix, session)
    if invoice is not None:
        emit("invoice.finalized", invoice)
        emit("invoice.paid", invoice)
    if charge is not None:
        emit("payment_intent.succeeded", store.get(f"payment_intent:{charge.payment_intent}"))
        emit("charge.succeeded", charge)


def redeem(session):
    discount = session._discount
    if not discount:
        return
    coupon = store.get(f"coupon:{discount['coupon']}")
    if coupon is not None:
        coupon.times_redeemed += 1
    if discount.get("promotion_code"):
        promo = PromotionCode._api_retrieve(discount["promotion_code"])
        promo.times_redeemed += 1


def settle_delayed(session, succeeded):
    """Second step of a delayed payment: the bank confirms or rejects it."""
    intent = store.get(f"payment_intent:{session.payment_intent}") if session.payment_intent else None
    if (
        session.status != "complete"
        or session.payment_status != "unpaid"
        or intent is None
        or intent.status != "processing"
    ):
        raise invalid("This Checkout Session has no pending delayed payment.", code="payment_not_pending")
    charge = store.get(f"charge:{intent.latest_charge}")
    intent.processing = None
    if succeeded:
        charge._succeed()
        intent.status = "succeeded"
        intent.amount_received = intent.amount
        session.payment_status = "paid"
        fulfil(session, session._amounts(), charge, "checkout.session.async_payment_succeeded")
        return session
    charge._fail()
    intent.status = "requires_payment_method"
    intent.last_payment_error = {
        "type": "card_error" if charge.payment_method_details["type"] == "card" else "invalid_request_error",
        "code": "payment_method_not_available",
        "message": charge.failure_message,
        "charge": charge.id,
    }
    emit("checkout.session.async_payment_failed", session)
    emit("payment_intent.payment_failed", intent)
    emit("charge.failed", charge)
    return session


def expire_due_sessions():
    """Background sweep: expire open sessions whose ``expires_at`` passed."""
    for session in CheckoutSession._all():
        session._refresh()
