"""Events and webhooks: signatures, order, pause and redelivery, endpoints API."""

import json
import time

import pytest
import stripe

from .conftest import WEBHOOK_SECRET
from .helpers import catalogue, paid_purchase, session_params

PURCHASE_EVENTS = [
    "checkout.session.completed",
    "invoice.finalized",
    "invoice.paid",
    "payment_intent.succeeded",
    "charge.succeeded",
]


def purchase_types(types):
    return [event_type for event_type in types if event_type in PURCHASE_EVENTS]


def test_webhooks_are_signed_and_verifiable(client, emu, receiver):
    ids = paid_purchase(client, emu)
    types = receiver.wait_for_type("charge.succeeded")
    assert purchase_types(types) == PURCHASE_EVENTS
    for delivery in receiver.received:
        header = delivery["headers"]["Stripe-Signature"]
        assert header.startswith("t=") and ",v1=" in header
        event = stripe.Webhook.construct_event(delivery["body"], header, WEBHOOK_SECRET)
        assert event.api_version == "2026-10-28.endive" and event.livemode is False
    completed = next(
        json.loads(d["body"])
        for d in receiver.received
        if json.loads(d["body"])["type"] == "checkout.session.completed"
    )
    session = completed["data"]["object"]
    assert (session["id"], session["payment_status"], session["invoice"]) == (
        ids["session"],
        "paid",
        ids["invoice"],
    )
    bad = receiver.received[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(bad["body"], bad["headers"]["Stripe-Signature"], "whsec_wrong")


def test_events_are_stored_with_request_details(client, emu):
    client.v1.products.create(params={"name": "Logged"}, options={"idempotency_key": "prod-key"})
    events = client.v1.events.list(params={"type": "product.created"}).data
    assert len(events) == 1
    event = client.v1.events.retrieve(events[0].id)
    assert event.request.idempotency_key == "prod-key" and event.request.id.startswith("req_")
    assert event.data.object.name == "Logged"
    assert event.api_version == "2026-10-28.endive"
    assert isinstance(event.pending_webhooks, int)


def test_event_snapshots_do_not_change_later(client, emu):
    product = client.v1.products.create(params={"name": "Before"})
    client.v1.products.update(product.id, params={"name": "After"})
    created = emu.events(type="product.created")[0]
    updated = emu.events(type="product.updated")[0]
    assert created["data"]["object"]["name"] == "Before"
    assert updated["data"]["previous_attributes"]["name"] == "Before"
    assert [e["type"] for e in emu.events()][:2] == ["product.updated", "product.created"]


def test_pause_then_redeliver_in_a_chosen_order(client, emu, receiver):
    emu.pause_webhooks()
    ids = paid_purchase(client, emu)
    time.sleep(0.3)
    assert receiver.received == []
    held = emu.webhook_status()["held"]
    by_type = {event["type"]: event["id"] for event in emu.events()}
    assert by_type["checkout.session.completed"] in held
    emu.resume_webhooks()
    time.sleep(0.2)
    assert receiver.received == []  # resuming does not flush what was held
    order = [by_type["invoice.paid"], by_type["checkout.session.completed"], by_type["invoice.paid"]]
    deliveries = emu.redeliver(*order)
    assert [d["status"] for d in deliveries] == [200, 200, 200]
    assert receiver.types() == ["invoice.paid", "checkout.session.completed", "invoice.paid"]
    assert receiver.received[0]["body"] == receiver.received[2]["body"]  # same id, same payload
    assert json.loads(receiver.received[0]["body"])["id"] == by_type["invoice.paid"]
    emu.redeliver(by_type["charge.succeeded"])
    assert receiver.types()[-1] == "charge.succeeded"
    assert ids["session"]


def test_delivery_log_records_failures(client, emu, receiver):
    receiver.status = 500
    client.v1.products.create(params={"name": "Fails"})
    receiver.wait_for(1)
    time.sleep(0.1)
    log = emu.deliveries()
    assert log[-1]["status"] == 500 and log[-1]["type"] == "product.created"


def test_webhook_endpoints_api(client, emu, receiver_server):
    endpoint = client.v1.webhook_endpoints.create(
        params={
            "url": receiver_server.url,
            "enabled_events": ["checkout.session.completed", "invoice.paid"],
            "description": "LMS",
            "metadata": {"site": "lms"},
            "api_version": "2026-10-28.endive",
        }
    )
    assert endpoint.secret.startswith("whsec_") and endpoint.status == "enabled"
    fetched = client.v1.webhook_endpoints.retrieve(endpoint.id)
    assert "secret" not in fetched.to_dict()
    assert [e.id for e in client.v1.webhook_endpoints.list().data] == [endpoint.id]
    receiver_server.clear()
    paid_purchase(client, emu)
    assert receiver_server.wait_for(2) == ["checkout.session.completed", "invoice.paid"]
    for delivery in receiver_server.received:
        stripe.Webhook.construct_event(delivery["body"], delivery["headers"]["Stripe-Signature"], endpoint.secret)
    updated = client.v1.webhook_endpoints.update(endpoint.id, params={"enabled_events": ["charge.refunded"]})
    assert updated.enabled_events == ["charge.refunded"]
    disabled = client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
    assert disabled.status == "disabled"
    deleted = client.v1.webhook_endpoints.delete(endpoint.id)
    assert deleted.deleted is True
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.webhook_endpoints.retrieve(endpoint.id)


def test_config_webhook_can_filter_events(client, emu, receiver_server):
    emu.configure_webhook(
        receiver_server.url, WEBHOOK_SECRET, events=["checkout.session.expired"], endpoint_id="expired-only"
    )
    try:
        receiver_server.clear()
        _, price = catalogue(client)
        session = client.v1.checkout.sessions.create(params=session_params(price.id))
        client.v1.checkout.sessions.expire(session.id)
        assert receiver_server.wait_for(1) == ["checkout.session.expired"]
    finally:
        emu.remove_webhook("expired-only")


def test_flush_clears_everything(client, emu):
    client.v1.products.create(params={"name": "Gone"}, options={"idempotency_key": "flush-key"})
    emu.add_fault("/v1/prices", status=500)
    emu.flush()
    assert client.v1.products.list().data == []
    assert client.v1.events.list().data == []
    assert [entry["path"] for entry in emu.requests()] == ["/v1/products", "/v1/events"]
    assert client.v1.prices.list().data == []  # the fault is gone too
    again = client.v1.products.create(params={"name": "Gone"}, options={"idempotency_key": "flush-key"})
    assert client.v1.products.retrieve(again.id).name == "Gone"
