"""Catalogue and customer objects: Product, Price, Customer, TaxRate, Coupon,
PromotionCode, Discount and the Account.

localstripe has Product, Customer, TaxRate and Coupon, but in an old API shape
(no ``images``, ``tax_code``, ``country``; coupons need an id...), and no
Price or PromotionCode. These classes replace them in the same store, with the
2026-10-28 shape and Stripe's parameter checks.
"""

import secrets
from typing import ClassVar

from . import state
from ._localstripe import store
from .base import Deleted, EmuObject, clean_metadata, require
from .errors import invalid, not_found
from .money import THREE_DECIMAL, percentage_json
from .params import Bool, Created, Enum, Id, Int, ListOf, Metadata, Number, Obj, Required, Str, check
from .webhooks import emit

ADDRESS = Obj(city=Str(), country=Str(), line1=Str(), line2=Str(), postal_code=Str(), state=Str())


# -- Product -------------------------------------------------------------------
class Product(EmuObject):
    object = "product"
    _id_prefix = "prod_"
    _defaults: ClassVar[dict] = {
        "active": True,
        "default_price": None,
        "description": None,
        "images": [],
        "marketing_features": [],
        "metadata": {},
        "name": None,
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "type": "service",
        "unit_label": None,
        "updated": None,
        "url": None,
    }
    _fields: ClassVar[dict] = {
        "active": Bool(),
        "description": Str(40000),
        "images": ListOf(Str(2048), max_items=8),
        "marketing_features": ListOf(Obj(name=Required(Str(80)))),
        "metadata": Metadata(),
        "name": Str(250),
        "package_dimensions": Obj(height=Number(), length=Number(), weight=Number(), width=Number()),
        "shippable": Bool(),
        "statement_descriptor": Str(22),
        "tax_code": Str(),
        "unit_label": Str(12),
        "url": Str(),
    }
    _create_fields: ClassVar[dict] = dict(_fields, id=Str(), name=Required(Str(250)), type=Enum("good", "service"))
    _update_fields: ClassVar[dict] = dict(_fields, default_price=Id("price_"))
    _list_fields: ClassVar[dict] = {
        "active": Bool(),
        "created": Created(),
        "ids": ListOf(Str()),
        "shippable": Bool(),
        "url": Str(),
    }
    _list_filters: ClassVar[tuple] = ("active", "created")
    _update_event = "product.updated"
    _deletable = True
    _delete_event = "product.deleted"

    def __init__(self, **params):
        params = check(params, self._create_fields)
        params.pop("expand", None)
        if params.get("id") and store.get(f"product:{params['id']}"):
            raise invalid(f"Product already exists: {params['id']}", param="id", code="resource_already_exists")
        super().__init__(params.pop("id", None))
        self.name = params["name"]
        self.active = params.get("active", True) is not False
        self.description = params.get("description")
        self.images = params.get("images") or []
        self.marketing_features = params.get("marketing_features") or []
        self.metadata = clean_metadata(params.get("metadata"))
        self.package_dimensions = params.get("package_dimensions")
        self.shippable = params.get("shippable")
        self.statement_descriptor = params.get("statement_descriptor")
        self.tax_code = params.get("tax_code")
        self.type = params.get("type") or "service"
        self.unit_label = params.get("unit_label")
        self.url = params.get("url")
        self.default_price = None
        self.updated = self.created
        emit("product.created", self)

    def _update(self, params):
        if params.get("default_price"):
            require("price", params["default_price"], "default_price")
        for name in ("images", "marketing_features"):
            if name in params and params[name] is None:
                params[name] = []  # "" unsets a list: it becomes empty
        super()._update(params)
        self.updated = state.now()

    @classmethod
    def _api_delete(cls, id):
        obj = cls._api_retrieve(id)
        if any(price.product == obj.id for price in Price._all()):
            raise invalid("This product cannot be deleted because it has one or more user-created prices.")
        return super()._api_delete(id)

    @classmethod
    def _list_match(cls, item, params):
        if params.get("ids") and item.id not in params["ids"]:
            return False
        return super()._list_match(item, params)


# -- Price -------------------------------------------------------------------
TAX_BEHAVIOR = Enum("inclusive", "exclusive", "unspecified")


class Price(EmuObject):
    object = "price"
    _id_prefix = "price_"
    _defaults: ClassVar[dict] = {
        "active": True,
        "billing_scheme": "per_unit",
        "currency": None,
        "custom_unit_amount": None,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
        "product": None,
        "recurring": None,
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "one_time",
        "unit_amount": None,
        "unit_amount_decimal": None,
    }
    _create_fields: ClassVar[dict] = {
        "currency": Required(Str(3)),
        "product": Id("prod_"),
        "product_data": Obj(
            name=Required(Str(250)),
            active=Bool(),
            metadata=Metadata(),
            statement_descriptor=Str(22),
            tax_code=Str(),
            unit_label=Str(12),
            id=Str(),
        ),
        "unit_amount": Int(0, 99999999999),
        "active": Bool(),
        "lookup_key": Str(200),
        "metadata": Metadata(),
        "nickname": Str(),
        "recurring": Obj(
            interval=Required(Enum("day", "week", "month", "year")),
            interval_count=Int(1),
            usage_type=Enum("licensed", "metered"),
            trial_period_days=Int(0),
        ),
        "tax_behavior": TAX_BEHAVIOR,
        "transfer_lookup_key": Bool(),
        "billing_scheme": Enum("per_unit"),
    }
    _update_fields: ClassVar[dict] = {
        "active": Bool(),
        "lookup_key": Str(200),
        "metadata": Metadata(),
        "nickname": Str(),
        "tax_behavior": TAX_BEHAVIOR,
        "transfer_lookup_key": Bool(),
    }
    _list_fields: ClassVar[dict] = {
        "active": Bool(),
        "currency": Str(),
        "product": Str(),
        "type": Enum("one_time", "recurring"),
        "lookup_keys": ListOf(Str()),
        "created": Created(),
    }
    _list_filters: ClassVar[tuple] = ("active", "currency", "product", "type", "created")
    _update_event = "price.updated"

    def __init__(self, **params):
        params = check(params, self._create_fields)
        params.pop("expand", None)
        currency = params["currency"].lower()
        if bool(params.get("product")) == bool(params.get("product_data")):
            raise invalid("You must specify exactly one of product or product_data.", param="product")
        if params.get("unit_amount") is None:
            raise invalid("Missing required param: unit_amount.", param="unit_amount", code="parameter_missing")
        if currency in THREE_DECIMAL and params["unit_amount"] % 10:
            raise invalid(
                f"Amounts in {currency.upper()} must end in 0 (three-decimal currency).",
                param="unit_amount",
                code="invalid_amount",
            )
        if params.get("product"):
            require("product", params["product"], "product")
            product_id = params["product"]
        else:
            product_id = Product(**params["product_data"]).id
        lookup_key = params.get("lookup_key")
        if lookup_key:
            take_lookup_key(lookup_key, params.get("transfer_lookup_key"))
        super().__init__()
        self.currency = currency
        self.product = product_id
        self.unit_amount = params["unit_amount"]
        self.unit_amount_decimal = str(params["unit_amount"])
        self.active = params.get("active", True) is not False
        self.lookup_key = lookup_key
        self.metadata = clean_metadata(params.get("metadata"))
        self.nickname = params.get("nickname")
        self.tax_behavior = params.get("tax_behavior") or "unspecified"
        recurring = params.get("recurring")
        if recurring:
            self.recurring = {
                "interval": recurring["interval"],
                "interval_count": recurring.get("interval_count") or 1,
                "meter": None,
                "trial_period_days": recurring.get("trial_period_days"),
                "usage_type": recurring.get("usage_type") or "licensed",
            }
            self.type = "recurring"
        else:
            self.recurring = None
            self.type = "one_time"
        emit("price.created", self)

    def _update(self, params):
        behavior = params.pop("tax_behavior", None)
        if behavior and behavior != self.tax_behavior:
            if self.tax_behavior != "unspecified":
                raise invalid(
                    "tax_behavior cannot be changed once it is set to inclusive or exclusive; "
                    "create a new Price instead.",
                    param="tax_behavior",
                )
            self.tax_behavior = behavior
        if params.get("lookup_key") and params["lookup_key"] != self.lookup_key:
            take_lookup_key(params["lookup_key"], params.get("transfer_lookup_key"))
        params.pop("transfer_lookup_key", None)
        super()._update(params)

    @classmethod
    def _list_match(cls, item, params):
        if params.get("lookup_keys") and item.lookup_key not in params["lookup_keys"]:
            return False
        return super()._list_match(item, params)


def take_lookup_key(lookup_key, transfer):
    """Lookup keys are unique: refuse, or move the key when transferring."""
    for other in Price._all():
        if other.lookup_key == lookup_key:
            if not transfer:
                raise invalid(
                    f"A price (`{other.id}`) already uses that lookup key.",
                    param="lookup_key",
                )
            other.lookup_key = None


# -- Customer --------------------------------------------------------------------
INVOICE_SETTINGS = Obj(
    custom_fields=ListOf(Obj(name=Required(Str(40)), value=Required(Str(140))), max_items=4),
    default_payment_method=Str(),
    footer=Str(5000),
    rendering_options=Obj(amount_tax_display=Enum("exclude_tax", "include_inclusive_tax"), template=Str()),
)


class Customer(EmuObject):
    object = "customer"
    _id_prefix = "cus_"
    _defaults: ClassVar[dict] = {
        "address": None,
        "balance": 0,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": None,
        "invoice_prefix": None,
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }
    _fields: ClassVar[dict] = {
        "address": ADDRESS,
        "balance": Int(),
        "description": Str(),
        "email": Str(512),
        "invoice_prefix": Str(12),
        "invoice_settings": INVOICE_SETTINGS,
        "metadata": Metadata(),
        "name": Str(256),
        "next_invoice_sequence": Int(1),
        "phone": Str(20),
        "preferred_locales": ListOf(Str()),
        "shipping": Obj(address=Required(ADDRESS), name=Required(Str()), phone=Str()),
        "tax": Obj(ip_address=Str(), validate_location=Enum("deferred", "immediately", "auto")),
        "tax_exempt": Enum("none", "exempt", "reverse"),
    }
    _create_fields: ClassVar[dict] = dict(
        _fields,
        payment_method=Str(),
        tax_id_data=ListOf(Obj(type=Required(Str()), value=Required(Str()))),
        test_clock=Str(),
    )
    _update_fields: ClassVar[dict] = dict(_fields, default_source=Str())
    _list_fields: ClassVar[dict] = {"email": Str(512), "created": Created(), "test_clock": Str()}
    _list_filters: ClassVar[tuple] = ("email", "created")
    _update_event = "customer.updated"
    _deletable = True
    _delete_event = "customer.deleted"
    _copied: ClassVar[tuple] = (
        "address",
        "balance",
        "description",
        "email",
        "name",
        "phone",
        "preferred_locales",
        "shipping",
        "tax_exempt",
    )

    def __init__(self, **params):
        params = check(params, self._create_fields)
        params.pop("expand", None)
        super().__init__()
        self.metadata = clean_metadata(params.get("metadata"))
        for name in self._copied:
            value = params.get(name)
            setattr(self, name, self._defaults[name] if value is None else value)
        self.preferred_locales = params.get("preferred_locales") or []
        self.invoice_prefix = params.get("invoice_prefix") or "EMU-" + secrets.token_hex(3).upper()
        self.next_invoice_sequence = params.get("next_invoice_sequence") or 1
        settings = dict(self._defaults["invoice_settings"])
        settings.update(params.get("invoice_settings") or {})
        self.invoice_settings = settings
        emit("customer.created", self)

    # Stripe keeps a deleted Customer retrievable (``{"id", "object",
    # "deleted": true}``) to track its history; any other use of it is
    # ``resource_missing``, exactly as for an id that never existed.
    @staticmethod
    def _tombstone_key(id):
        return f"deleted:customer:{id}"

    @classmethod
    def _api_retrieve(cls, id):
        tombstone = store.get(cls._tombstone_key(id))
        if tombstone is not None:
            return tombstone
        return super()._api_retrieve(id)

    @classmethod
    def _api_update(cls, id, **data):
        if store.get(cls._tombstone_key(id)) is not None:
            raise not_found("customer", id)
        return super()._api_update(id, **data)

    @classmethod
    def _api_delete(cls, id):
        if store.get(cls._tombstone_key(id)) is not None:
            raise not_found("customer", id)
        deleted = super()._api_delete(id)
        store[cls._tombstone_key(id)] = Deleted(id, cls.object)
        return deleted

    def _update(self, params):
        params.pop("tax", None)
        if "invoice_settings" in params:
            settings = dict(self.invoice_settings)
            settings.update(params.pop("invoice_settings") or {})
            self.invoice_settings = settings
        super()._update(params)

    def _next_invoice_number(self):
        """``EMU-1A2B3C-0001``: Stripe numbers per customer (prefix + sequence)."""
        number = f"{self.invoice_prefix}-{self.next_invoice_sequence:04d}"
        self.next_invoice_sequence += 1
        return number


# -- TaxRate -------------------------------------------------------------------
TAX_TYPES = Enum(
    "amusement_tax",
    "communications_tax",
    "gst",
    "hst",
    "igst",
    "jct",
    "lease_tax",
    "pst",
    "qst",
    "retail_delivery_fee",
    "rst",
    "sales_tax",
    "service_tax",
    "vat",
)


class TaxRate(EmuObject):
    object = "tax_rate"
    _id_prefix = "txr_"
    _defaults: ClassVar[dict] = {
        "active": True,
        "country": None,
        "description": None,
        "display_name": None,
        "effective_percentage": None,
        "flat_amount": None,
        "inclusive": False,
        "jurisdiction": None,
        "jurisdiction_level": None,
        "metadata": {},
        "percentage": None,
        "rate_type": "percentage",
        "state": None,
        "tax_type": None,
    }
    _fields: ClassVar[dict] = {
        "active": Bool(),
        "country": Str(2),
        "description": Str(),
        "display_name": Str(50),
        "jurisdiction": Str(50),
        "metadata": Metadata(),
        "state": Str(),
        "tax_type": TAX_TYPES,
    }
    _create_fields: ClassVar[dict] = dict(
        _fields,
        display_name=Required(Str(50)),
        inclusive=Required(Bool()),
        percentage=Required(Number(0, 100)),
    )
    _update_fields: ClassVar[dict] = _fields
    _list_fields: ClassVar[dict] = {"active": Bool(), "inclusive": Bool(), "created": Created()}
    _list_filters: ClassVar[tuple] = ("active", "inclusive", "created")
    _update_event = "tax_rate.updated"

    def __init__(self, **params):
        params = check(params, self._create_fields)
        params.pop("expand", None)
        super().__init__()
        self.metadata = clean_metadata(params.pop("metadata", None))
        self.active = params.pop("active", True) is not False
        self._percentage = params.pop("percentage")
        for name, value in params.items():
            setattr(self, name, value)
        emit("tax_rate.created", self)

    def _computed(self):
        return {
            "percentage": percentage_json(self._percentage),
            "effective_percentage": percentage_json(self._percentage),
        }


_AUTOMATIC_MARK = "stripe_emulator_automatic_tax"


def automatic_tax_rate(percentage, inclusive=True):
    """The TaxRate standing for the emulator's simplified automatic tax."""
    for rate in TaxRate._all():
        if rate.metadata.get(_AUTOMATIC_MARK) and rate._percentage == percentage and rate.inclusive == inclusive:
            return rate
    return TaxRate(
        display_name="VAT",
        description="Automatic tax (emulator: fixed rate)",
        inclusive="true" if inclusive else "false",
        percentage=str(percentage),
        country=state.ACCOUNT_COUNTRY,
        jurisdiction=state.ACCOUNT_COUNTRY,
        tax_type="vat",
        metadata={_AUTOMATIC_MARK: "true"},
    )


# -- Coupon and PromotionCode ---------------------------------------------------
class Coupon(EmuObject):
    object = "coupon"
    _id_prefix = ""
    _defaults: ClassVar[dict] = {
        "amount_off": None,
        "currency": None,
        "duration": "once",
        "duration_in_months": None,
        "max_redemptions": None,
        "metadata": {},
        "name": None,
        "percent_off": None,
        "redeem_by": None,
        "times_redeemed": 0,
        "valid": True,
    }
    _create_fields: ClassVar[dict] = {
        "id": Str(),
        "name": Str(40),
        "percent_off": Number(0, 100),
        "amount_off": Int(1),
        "currency": Str(3),
        "duration": Enum("once", "forever", "repeating"),
        "duration_in_months": Int(1),
        "max_redemptions": Int(1),
        "redeem_by": Int(),
        "metadata": Metadata(),
        "applies_to": Obj(products=ListOf(Str())),
    }
    _update_fields: ClassVar[dict] = {"name": Str(40), "metadata": Metadata()}
    _list_fields: ClassVar[dict] = {"created": Created()}
    _update_event = "coupon.updated"
    _deletable = True
    _delete_event = "coupon.deleted"

    def __init__(self, **params):
        params = check(params, self._create_fields)
        params.pop("expand", None)
        if (params.get("percent_off") is None) == (params.get("amount_off") is None):
            raise invalid("You must pass exactly one of percent_off or amount_off.", param="percent_off")
        if params.get("amount_off") is not None and not params.get("currency"):
            raise invalid("You must pass currency when passing amount_off.", param="currency")
        coupon_id = params.get("id") or secrets.token_hex(4).upper()
        if store.get(f"coupon:{coupon_id}"):
            raise invalid("Coupon already exists.", param="id", code="resource_already_exists")
        if params.get("duration") == "repeating" and not params.get("duration_in_months"):
            raise invalid("duration_in_months is required when duration is repeating.", param="duration_in_months")
        super().__init__(coupon_id)
        self._percent_off = params.get("percent_off")
        self.amount_off = params.get("amount_off")
        self.currency = (params.get("currency") or "").lower() or None
        self.duration = params.get("duration") or "once"
        self.duration_in_months = params.get("duration_in_months")
        self.max_redemptions = params.get("max_redemptions")
        self.redeem_by = params.get("redeem_by")
        self.metadata = clean_metadata(params.get("metadata"))
        self.name = params.get("name")
        self.times_redeemed = 0
        self._applies_to = (params.get("applies_to") or {}).get("products")
        emit("coupon.created", self)

    def _computed(self):
        return {
            "percent_off": None if self._percent_off is None else percentage_json(self._percent_off),
            "valid": self._is_valid(),
        }

    def _is_valid(self):
        if self.redeem_by is not None and state.now() > self.redeem_by:
            return False
        return self.max_redemptions is None or self.times_redeemed < self.max_redemptions

    def _discount_on(self, amount, currency):
        """Discount (minor units) this coupon gives on ``amount``."""
        from .money import percent_of

        if self._percent_off is not None:
            return min(amount, percent_of(amount, self._percent_off))
        if self.currency != currency:
            raise invalid("This coupon's currency does not match the session currency.", param="discounts")
        return min(amount, self.amount_off)


class PromotionCode(EmuObject):
    object = "promotion_code"
    _id_prefix = "promo_"
    _defaults: ClassVar[dict] = {
        "active": True,
        "code": None,
        "customer": None,
        "customer_account": None,
        "expires_at": None,
        "max_redemptions": None,
        "metadata": {},
        "promotion": {"coupon": None, "type": "coupon"},
        "restrictions": {
            "first_time_transaction": False,
            "minimum_amount": None,
            "minimum_amount_currency": None,
        },
        "times_redeemed": 0,
    }
    _create_fields: ClassVar[dict] = {
        "coupon": Str(),
        "promotion": Obj(type=Required(Enum("coupon")), coupon=Required(Str())),
        "code": Str(500),
        "active": Bool(),
        "customer": Id("cus_"),
        "expires_at": Int(),
        "max_redemptions": Int(1),
        "metadata": Metadata(),
        "restrictions": Obj(first_time_transaction=Bool(), minimum_amount=Int(0), minimum_amount_currency=Str(3)),
    }
    _update_fields: ClassVar[dict] = {"active": Bool(), "metadata": Metadata()}
    _list_fields: ClassVar[dict] = {
        "code": Str(),
        "active": Bool(),
        "coupon": Str(),
        "customer": Str(),
        "created": Created(),
    }
    _list_filters: ClassVar[tuple] = ("active", "customer", "created")
    _update_event = "promotion_code.updated"

    def __init__(self, **params):
        params = check(params, self._create_fields)
        params.pop("expand", None)
        coupon_id = params.get("coupon")
        promotion = params.get("promotion")
        if promotion:
            if coupon_id and coupon_id != promotion["coupon"]:
                raise invalid("Pass the coupon only once (promotion[coupon]).", param="coupon")
            coupon_id = promotion["coupon"]
        if not coupon_id:
            raise invalid(
                "Missing required param: promotion[coupon].",
                param="promotion[coupon]",
                code="parameter_missing",
            )
        require("coupon", coupon_id, "promotion[coupon]")
        code = params.get("code") or secrets.token_hex(4).upper()
        if any(other.active and other.code.lower() == code.lower() for other in PromotionCode._all()):
            raise invalid(f"An active promotion code with `code: {code}` already exists.", param="code")
        super().__init__()
        self.code = code
        self.active = params.get("active", True) is not False
        self.customer = params.get("customer")
        self.expires_at = params.get("expires_at")
        self.max_redemptions = params.get("max_redemptions")
        self.metadata = clean_metadata(params.get("metadata"))
        self.promotion = {"type": "coupon", "coupon": coupon_id}
        restrictions = dict(self._defaults["restrictions"])
        restrictions.update(params.get("restrictions") or {})
        self.restrictions = restrictions
        self.times_redeemed = 0
        emit("promotion_code.created", self)

    @property
    def _coupon(self):
        return store.get(f"coupon:{self.promotion['coupon']}")

    def _refusal(self, amount=None, currency=None):
        """Why this code cannot be used now (None when it can)."""
        coupon = self._coupon
        if not self.active or coupon is None or not coupon._is_valid():
            return "This code is invalid."
        if self.expires_at is not None and state.now() > self.expires_at:
            return "This code has expired."
        if self.max_redemptions is not None and self.times_redeemed >= self.max_redemptions:
            return "This code has already been used the maximum number of times."
        minimum = self.restrictions.get("minimum_amount")
        if minimum and amount is not None and amount < minimum:
            return "This code requires a higher order amount."
        if coupon.amount_off is not None and currency and coupon.currency != currency:
            return "This code is not valid for this currency."
        return None

    @classmethod
    def _list_match(cls, item, params):
        if params.get("code") and item.code.lower() != params["code"].lower():
            return False
        if params.get("coupon") and item.promotion["coupon"] != params["coupon"]:
            return False
        return super()._list_match(item, params)


def find_promotion_code(code):
    """The promotion code a customer typed (Stripe matches case-insensitively)."""
    code = (code or "").strip().lower()
    matches = [promo for promo in PromotionCode._all() if promo.code.lower() == code]
    active = [promo for promo in matches if promo.active]
    return (active or matches or [None])[0]


class Discount(EmuObject):
    """A coupon applied to an invoice (``invoice.discounts`` holds its id)."""

    object = "discount"
    _id_prefix = "di_"
    _defaults: ClassVar[dict] = {
        "checkout_session": None,
        "customer": None,
        "customer_account": None,
        "end": None,
        "invoice": None,
        "invoice_item": None,
        "promotion_code": None,
        "source": {"coupon": None, "type": "coupon"},
        "start": None,
        "subscription": None,
        "subscription_item": None,
    }

    def __init__(self, coupon, promotion_code=None, customer=None, checkout_session=None):
        super().__init__()
        self.source = {"coupon": coupon, "type": "coupon"}
        self.promotion_code = promotion_code
        self.customer = customer
        self.checkout_session = checkout_session
        self.start = self.created
        self.invoice = None


# -- Account -----------------------------------------------------------------
def account():
    """``GET /v1/account``: the emulator's single merchant account."""
    return _Account()


class _Account:
    def _export(self, expand=None):
        empty_requirements = {
            "alternatives": [],
            "current_deadline": None,
            "currently_due": [],
            "disabled_reason": None,
            "errors": [],
            "eventually_due": [],
            "past_due": [],
            "pending_verification": [],
        }
        address = {
            "city": "Paris",
            "country": "FR",
            "line1": "1 rue de l'Emulateur",
            "line2": None,
            "postal_code": "75001",
            "state": None,
        }
        return {
            "id": state.ACCOUNT_ID,
            "object": "account",
            "business_profile": {
                "annual_revenue": None,
                "estimated_worker_count": None,
                "mcc": "8299",
                "minority_owned_business_designation": None,
                "name": state.MERCHANT_NAME,
                "product_description": "Online courses",
                "support_address": address,
                "support_email": "support@example.com",
                "support_phone": None,
                "support_url": None,
                "url": "https://example.com",
            },
            "business_type": "company",
            "capabilities": {"card_payments": "active", "transfers": "active"},
            "charges_enabled": True,
            "controller": {"type": "account"},
            "country": state.ACCOUNT_COUNTRY,
            "created": 1700000000,
            "default_currency": "eur",
            "details_submitted": True,
            "email": "merchant@example.com",
            "external_accounts": {
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/accounts/{state.ACCOUNT_ID}/external_accounts",
            },
            "future_requirements": dict(empty_requirements),
            "livemode": False,
            "metadata": {},
            "payouts_enabled": True,
            "requirements": dict(empty_requirements),
            "settings": {
                "bacs_debit_payments": {"display_name": None, "service_user_number": None},
                "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
                "card_issuing": {"tos_acceptance": {"date": None, "ip": None}},
                "card_payments": {
                    "decline_on": {"avs_failure": False, "cvc_failure": False},
                    "statement_descriptor_prefix": "EMULATOR",
                    "statement_descriptor_prefix_kana": None,
                    "statement_descriptor_prefix_kanji": None,
                },
                "dashboard": {"display_name": state.MERCHANT_NAME, "timezone": "Europe/Paris"},
                "invoices": {"default_account_tax_ids": None, "hosted_payment_method_save": None},
                "payments": {
                    "statement_descriptor": "EMULATOR",
                    "statement_descriptor_kana": None,
                    "statement_descriptor_kanji": None,
                    "statement_descriptor_prefix_kana": None,
                    "statement_descriptor_prefix_kanji": None,
                },
                "payouts": {
                    "debit_negative_balances": True,
                    "schedule": {"delay_days": 7, "interval": "daily"},
                    "statement_descriptor": None,
                },
                "sepa_debit_payments": {},
            },
            "tos_acceptance": {"date": 1700000000, "ip": "127.0.0.1", "user_agent": None},
            "type": "standard",
        }
