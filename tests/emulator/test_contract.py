"""Hold every object the emulator returns against Stripe's own example objects.

``fixtures3.json`` (Stripe's OpenAPI fixtures, kept next to the project in
``../shared/stripe/``) has one example per resource. For each resource the
plugin can meet, the emulator's object must have every top-level key of
Stripe's, with the same JSON type wherever both are non-null; and the fields
the plugin reads must be filled in after a payment.
"""

import pytest

from .helpers import as_dict, catalogue, paid_purchase, shape_problems


@pytest.fixture(scope="module")
def built(emulator):
    """One of each resource, built through the API (and the test-only routes)."""
    emulator.flush()
    client = emulator.client()
    ids = paid_purchase(client, emulator)
    objects = {}
    objects["product"] = client.v1.products.retrieve(ids["product"])
    objects["price"] = client.v1.prices.retrieve(ids["price"])
    objects["customer"] = client.v1.customers.retrieve(ids["customer"])
    objects["tax_rate"] = client.v1.tax_rates.retrieve(ids["tax_rate"])
    objects["checkout.session"] = client.v1.checkout.sessions.retrieve(ids["session"])
    objects["item"] = client.v1.checkout.sessions.line_items.list(ids["session"]).data[0]
    objects["invoice"] = client.v1.invoices.retrieve(ids["invoice"])
    objects["line_item"] = objects["invoice"].lines.data[0]
    objects["invoice_payment"] = client.v1.invoice_payments.list(params={"invoice": ids["invoice"]}).data[0]
    objects["payment_intent"] = client.v1.payment_intents.retrieve(ids["payment_intent"])
    note = client.v1.credit_notes.create(params={"invoice": ids["invoice"], "amount": 1000, "reason": "order_change"})
    objects["credit_note"] = client.v1.credit_notes.retrieve(note.id)
    objects["credit_note_line_item"] = objects["credit_note"].lines.data[0]
    objects["refund"] = client.v1.refunds.retrieve(note.refunds[0].refund)
    objects["charge"] = client.v1.charges.retrieve(ids["charge"])
    coupon = client.v1.coupons.create(params={"percent_off": 25.5, "duration": "once", "name": "Spring"})
    objects["coupon"] = client.v1.coupons.retrieve(coupon.id)
    promo = client.v1.promotion_codes.create(
        params={"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "SPRING"}
    )
    objects["promotion_code"] = client.v1.promotion_codes.retrieve(promo.id)
    objects["event"] = client.v1.events.list(params={"type": "checkout.session.completed"}).data[0]
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": "https://example.com/hook", "enabled_events": ["checkout.session.completed"]}
    )
    objects["webhook_endpoint"] = client.v1.webhook_endpoints.retrieve(endpoint.id)
    objects["account"] = client.v1.accounts.retrieve_current()
    second = paid_purchase(client, emulator)
    dispute = emulator.dispute(second["charge"])
    objects["dispute"] = client.v1.disputes.retrieve(dispute["id"])
    objects["disputed_charge"] = client.v1.charges.retrieve(second["charge"])
    discount_id = None
    _, price = catalogue(client, 3000)
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [{"price": price.id, "quantity": 1}],
            "allow_promotion_codes": True,
            "invoice_creation": {"enabled": True},
            "success_url": "https://example.com/ok",
        }
    )
    emulator.pay(session.id, promotion_code="SPRING")
    discounted = client.v1.invoices.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).invoice, params={"expand": ["discounts"]}
    )
    discount_id = discounted.discounts[0]
    objects["discount"] = discount_id
    return {name: as_dict(obj) for name, obj in objects.items()}


RESOURCES = [
    "product",
    "price",
    "customer",
    "checkout.session",
    "item",
    "invoice",
    "line_item",
    "invoice_payment",
    "payment_intent",
    "charge",
    "refund",
    "credit_note",
    "credit_note_line_item",
    "coupon",
    "promotion_code",
    "event",
    "webhook_endpoint",
    "tax_rate",
    "account",
    "dispute",
    "discount",
]


@pytest.mark.parametrize("resource", RESOURCES)
def test_shape_matches_stripe_fixture(stripe_fixtures, built, resource):
    actual = built[resource]
    assert actual["object"] == stripe_fixtures[resource]["object"]
    assert shape_problems(stripe_fixtures[resource], actual) == []


def test_ids_use_stripe_prefixes(built):
    prefixes = {
        "product": "prod_",
        "price": "price_",
        "customer": "cus_",
        "checkout.session": "cs_test_",
        "invoice": "in_",
        "payment_intent": "pi_",
        "charge": "ch_",
        "refund": "re_",
        "credit_note": "cn_",
        "promotion_code": "promo_",
        "event": "evt_",
        "webhook_endpoint": "we_",
        "tax_rate": "txr_",
        "dispute": "du_",
        "line_item": "il_",
        "item": "li_",
        "credit_note_line_item": "cnli_",
    }
    for name, prefix in prefixes.items():
        assert built[name]["id"].startswith(prefix), name


PLUGIN_READS = {
    "checkout.session": [
        "id",
        "status",
        "payment_status",
        "amount_total",
        "amount_subtotal",
        "currency",
        "client_reference_id",
        "metadata",
        "customer",
        "invoice",
        "payment_intent",
        "total_details",
        "expires_at",
    ],
    "invoice": [
        "id",
        "number",
        "status",
        "subtotal",
        "total",
        "total_taxes",
        "total_discount_amounts",
        "currency",
        "created",
        "hosted_invoice_url",
        "invoice_pdf",
        "metadata",
        "customer",
    ],
    "credit_note": ["id", "number", "amount", "pdf", "created", "refunds", "invoice"],
    "charge": ["id", "amount", "amount_refunded", "refunded", "payment_intent", "disputed"],
}


@pytest.mark.parametrize("resource", sorted(PLUGIN_READS))
def test_fields_the_plugin_reads_are_filled_after_payment(built, resource):
    obj = built[resource]
    empty = [field for field in PLUGIN_READS[resource] if obj.get(field) is None]
    assert empty == []


def test_invoice_paid_at_and_session_url(built):
    assert built["invoice"]["status_transitions"]["paid_at"]
    assert built["invoice"]["status"] == "paid"
    # A completed session no longer has a payment page (url is null, as on Stripe).
    assert built["checkout.session"]["status"] == "complete"
    assert built["checkout.session"]["url"] is None


def test_api_2026_invoice_shape(built):
    invoice = built["invoice"]
    assert "tax" not in invoice and "payment_intent" not in invoice
    assert invoice["total_taxes"][0]["tax_behavior"] == "inclusive"
    assert set(invoice["total_taxes"][0]) == {
        "amount",
        "tax_behavior",
        "tax_rate_details",
        "taxability_reason",
        "taxable_amount",
        "type",
    }
    assert invoice["lines"]["data"][0]["pricing"]["price_details"]["price"].startswith("price_")
    assert built["payment_intent"]["latest_charge"] == built["charge"]["id"]


def test_line_item_shapes_nested(stripe_fixtures, built):
    """Nested shapes the plugin walks: invoice lines, credit note lines, charge refunds."""
    invoice_line = stripe_fixtures["invoice"]["lines"]["data"][0]
    assert shape_problems(invoice_line, built["invoice"]["lines"]["data"][0]) == []
    note_line = stripe_fixtures["credit_note"]["lines"]["data"][0]
    assert shape_problems(note_line, built["credit_note"]["lines"]["data"][0]) == []
    assert shape_problems(stripe_fixtures["charge"]["refunds"], built["charge"]["refunds"]) == []
    assert shape_problems(stripe_fixtures["refund"], built["charge"]["refunds"]["data"][0]) == []


def test_open_session_has_url(emu, client):
    _, price = catalogue(client)
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "success_url": "https://e.com/ok",
            "line_items": [{"price": price.id, "quantity": 1}],
        }
    )
    assert session.url == f"{emu.base_url}/pay/{session.id}"
    assert session.status == "open" and session.payment_status == "unpaid"
    assert session.invoice is None and session.payment_intent is None
