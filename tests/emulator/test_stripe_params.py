"""The params checker, and the emulator's own parameters held against Stripe's."""

import pytest
import stripe.params as sp
from stripe.params.checkout import SessionCreateParams, SessionListParams

from sandbox.stripe_emulator import billing, checkout, payments, resources, webhooks
from sandbox.stripe_emulator.params import LIST_PARAMS, ListOf, Obj, Required

from .helpers import session_params
from .stripe_params import UnknownParam, assert_params_known, declared_keys

#: The session the other emulator tests create, plus the optional keys some of them add.
GOOD_SESSION = session_params(
    "price_123",
    "cus_123",
    "txr_123",
    payment_intent_data={"metadata": {"order_id": "1"}, "description": "Course"},
    automatic_tax={"enabled": False},
)


def test_known_good_params_pass():
    assert_params_known(GOOD_SESSION, SessionCreateParams)


@pytest.mark.parametrize(
    ("params", "where"),
    [
        (
            {"mode": "payment", "line_items": [{"price": "price_1", "quantity": 1, "colour": "red"}]},
            "line_items[0][colour]",
        ),
        (
            {"mode": "payment", "invoice_creation": {"enabled": True, "invoice_data": {"metadta": {}}}},
            "invoice_creation[invoice_data][metadta]",
        ),
        ({"mode": "payment", "customer_emial": "a@b.c"}, "customer_emial"),
        ({"mode": "payment", "idempotency_key": "k"}, "idempotency_key"),
        (
            {"mode": "payment", "line_items": [{"price": "price_1", "quantity": True}]},
            "line_items[0][quantity]",
        ),
        ({"mode": "payment", "invoice_creation": {"invoice_data": {}}}, "invoice_creation[enabled]"),
        ({"mode": "payment", "automatic_tax": {"enabled": "yes"}}, "automatic_tax[enabled]"),
        ({"mode": "payment", "metadata": {"a": 1}}, "metadata[a]"),
    ],
)
def test_unknown_or_wrong_nested_params_fail(params, where):
    with pytest.raises(UnknownParam) as excinfo:
        assert_params_known(params, SessionCreateParams)
    assert str(excinfo.value).startswith(where)


def test_literal_values_are_checked():
    with pytest.raises(UnknownParam):
        assert_params_known({"tax_behavior": "included"}, sp.PriceCreateParams)
    assert_params_known({"tax_behavior": "inclusive", "currency": "eur"}, sp.PriceCreateParams)


def test_refuses_a_non_typeddict():
    with pytest.raises(TypeError):
        assert_params_known({}, dict)


def spec_keys(fields):
    """The parameter tree an emulator spec accepts: {name: subtree or None}."""
    tree = {}
    for name, spec in fields.items():
        while isinstance(spec, (Required, ListOf)):
            spec = spec.inner if isinstance(spec, Required) else spec.item
        tree[name] = spec_keys(spec.fields) if isinstance(spec, Obj) else None
    return tree


def unknown_to_stripe(tree, typed_dict, path=()):
    extra = []
    declared = declared_keys(typed_dict, path)
    for name, subtree in tree.items():
        if name not in declared:
            extra.append("[".join((*path, name)))
        elif subtree:
            extra += unknown_to_stripe(subtree, typed_dict, (*path, name))
    return extra


#: Resources whose create, update and list params are held against Stripe's
#: ``<Name>CreateParams`` / ``UpdateParams`` / ``ListParams`` where both exist.
RESOURCES = (
    resources.Product,
    resources.Price,
    resources.Customer,
    resources.TaxRate,
    resources.Coupon,
    resources.PromotionCode,
    payments.PaymentIntent,
    payments.Charge,
    payments.Refund,
    payments.Dispute,
    billing.Invoice,
    billing.InvoicePayment,
    billing.CreditNote,
    webhooks.WebhookEndpoint,
    webhooks.Event,
)


def resource_params(cls):
    specs = {
        "Create": getattr(cls, "_create_fields", None),
        "Update": cls._update_fields,
        "List": dict(LIST_PARAMS, **cls._list_fields) if cls._list_fields else None,
    }
    for kind, fields in specs.items():
        typed_dict = getattr(sp, f"{cls.__name__}{kind}Params", None)
        if fields and typed_dict is not None:
            yield fields, typed_dict


EMULATOR_PARAMS = [
    (checkout.CREATE_FIELDS, SessionCreateParams),
    (dict(LIST_PARAMS, **checkout.CheckoutSession._list_fields), SessionListParams),
    *(pair for cls in RESOURCES for pair in resource_params(cls)),
]


#: Accepted on purpose although the pinned API version dropped them.
LEGACY = {
    # Older integrations create promotion codes with a top-level ``coupon``;
    # the 2026 shape is ``promotion[coupon]``. Both are accepted.
    "PromotionCodeCreateParams": ["coupon"],
}


@pytest.mark.parametrize(
    ("fields", "typed_dict"), EMULATOR_PARAMS, ids=[typed.__name__ for _, typed in EMULATOR_PARAMS]
)
def test_emulator_accepts_no_parameter_stripe_does_not_know(fields, typed_dict):
    """The emulator must never be more lenient than Stripe about parameter names."""
    assert unknown_to_stripe(spec_keys(fields), typed_dict) == LEGACY.get(typed_dict.__name__, [])
