"""The outside world misbehaving, on purpose: webhooks that never arrive (then
arrive late, out of order, or several times), Stripe unreachable or failing,
and what people do in the Stripe Dashboard behind the plugin's back."""

import json
import time

import pytest
import stripe

from sandbox.stripe_emulator.runner import EmulatorError, unreachable_base_url

from .conftest import WEBHOOK_SECRET
from .helpers import catalogue, paid_purchase, session_params


def event_ids_by_type(emu):
    """Stored events, oldest first, as {type: id} (one purchase: one of each)."""
    return {event["type"]: event["id"] for event in reversed(emu.events())}


def received_ids(receiver):
    return [json.loads(item["body"])["id"] for item in receiver.received]


# -- webhooks dropped ------------------------------------------------------------
def test_dropped_webhooks_are_kept_and_delivered_later_in_any_order(client, emu, receiver):
    with emu.webhooks_paused():
        paid_purchase(client, emu)
    time.sleep(0.2)
    assert receiver.received == []
    events = [event["id"] for event in reversed(emu.events())]
    assert emu.held_events() == events  # every event, oldest first, none delivered
    assert {event.pending_webhooks for event in client.v1.events.list(params={"limit": 100}).data} == {1}
    undelivered = client.v1.events.list(params={"delivery_success": False, "limit": 100}).data
    assert [event.id for event in undelivered] == events[::-1]

    by_type = event_ids_by_type(emu)
    chosen = [by_type["invoice.paid"], by_type["checkout.session.completed"]]
    deliveries = emu.deliver_held(*chosen)
    assert [d["status"] for d in deliveries] == [200, 200]
    assert received_ids(receiver) == chosen
    assert emu.held_events() == [event for event in events if event not in chosen]
    assert client.v1.events.retrieve(by_type["invoice.paid"]).pending_webhooks == 0
    with pytest.raises(EmulatorError, match="Not held"):
        emu.deliver_held(by_type["invoice.paid"])

    emu.deliver_held()  # all the others, oldest first
    assert received_ids(receiver) == chosen + [event for event in events if event not in chosen]
    assert emu.held_events() == []
    for delivery in receiver.received:
        stripe.Webhook.construct_event(delivery["body"], delivery["headers"]["Stripe-Signature"], WEBHOOK_SECRET)
    # After the block, events flow again.
    live = client.v1.products.create(params={"name": "Live again"})
    receiver.wait_for(len(events) + 1)
    assert json.loads(receiver.received[-1]["body"])["data"]["object"]["id"] == live.id


def test_one_event_delivered_several_times(client, emu, receiver):
    with emu.webhooks_paused():
        paid_purchase(client, emu)
    completed = event_ids_by_type(emu)["checkout.session.completed"]
    emu.deliver_held(completed, times=3)
    assert received_ids(receiver) == [completed] * 3
    assert len({item["body"] for item in receiver.received}) == 1  # the very same payload
    emu.redeliver(completed, event_ids_by_type(emu)["invoice.paid"], times=2)
    assert [json.loads(item["body"])["type"] for item in receiver.received[3:]] == [
        "checkout.session.completed",
        "checkout.session.completed",
        "invoice.paid",
        "invoice.paid",
    ]
    assert completed not in emu.held_events()


# -- Stripe unreachable or failing -------------------------------------------------
def test_unreachable_stripe_is_a_connection_error(client, emu):
    emu.clear_requests()
    with emu.unreachable() as fault:
        with pytest.raises(stripe.APIConnectionError):
            client.v1.products.create(params={"name": "Lost"})
        retrying = emu.client(max_network_retries=2)
        with pytest.raises(stripe.APIConnectionError):
            retrying.v1.customers.list()
        assert emu.is_up()  # the test routes still answer
    assert [(entry["path"], entry["status"]) for entry in emu.requests()] == [
        ("/v1/products", None),
        ("/v1/customers", None),
        ("/v1/customers", None),
        ("/v1/customers", None),
    ]
    assert emu.faults() == [] and fault["action"] == "disconnect"
    assert client.v1.products.list().data == []  # nothing was created behind the cut connection


def test_unreachable_for_a_few_calls_then_back(emu):
    client = emu.client(max_network_retries=2)
    emu.unreachable(count=2)
    product = client.v1.products.create(params={"name": "Third time lucky"}, options={"idempotency_key": "p-1"})
    assert [entry["status"] for entry in emu.requests()] == [None, None, 200]
    assert [p.id for p in client.v1.products.list().data] == [product.id]
    assert emu.faults()[0]["hits"] == 2


def test_client_pointed_at_a_closed_port(emu):
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": unreachable_base_url()}, max_network_retries=0)
    with pytest.raises(stripe.APIConnectionError):
        client.v1.products.list()


def test_server_errors_and_rate_limits_for_n_calls(client, emu):
    _, price = catalogue(client)
    emu.fail_api(500, count=2)
    for _ in range(2):
        with pytest.raises(stripe.APIError) as excinfo:
            client.v1.checkout.sessions.create(params=session_params(price.id))
        assert excinfo.value.http_status == 500
        assert excinfo.value.json_body["error"]["type"] == "api_error"
    assert client.v1.checkout.sessions.create(params=session_params(price.id)).status == "open"
    with emu.fail_api(429, path_prefix="/v1/checkout/sessions") as fault:
        with pytest.raises(stripe.RateLimitError) as excinfo:
            client.v1.checkout.sessions.list()
        assert excinfo.value.http_status == 429
        assert excinfo.value.json_body["error"]["code"] == "rate_limit"
        assert client.v1.products.list().data  # other paths still work
    assert [rule["id"] for rule in emu.faults()] == [emu.faults()[0]["id"]]  # only the spent 500 rule is left
    assert fault["id"] not in [rule["id"] for rule in emu.faults()]
    assert client.v1.checkout.sessions.list().data


# -- done in the Stripe Dashboard ----------------------------------------------------
def test_customer_deleted_in_the_dashboard(client, emu, receiver):
    ids = paid_purchase(client, emu)
    customer = ids["customer"]
    deleted = emu.delete_customer(customer)
    assert deleted == {"id": customer, "object": "customer", "deleted": True}
    assert receiver.wait_for_type("customer.deleted")
    retrieved = client.v1.customers.retrieve(customer)
    assert retrieved.to_dict() == {"id": customer, "object": "customer", "deleted": True}
    assert client.v1.customers.list().data == []
    _, price = catalogue(client)
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.create(params=session_params(price.id, customer))
    error = excinfo.value
    assert (error.http_status, error.code, error.param) == (400, "resource_missing", "customer")
    assert error.user_message == f"No such customer: '{customer}'"
    for call in (
        lambda: client.v1.customers.update(customer, params={"name": "Back"}),
        lambda: client.v1.customers.delete(customer),
    ):
        with pytest.raises(stripe.InvalidRequestError) as excinfo:
            call()
        assert (excinfo.value.http_status, excinfo.value.code) == (404, "resource_missing")
        assert excinfo.value.user_message == f"No such customer: '{customer}'"
    # Its history stays: the invoice still names it, and expands to the deleted stub.
    invoice = client.v1.invoices.retrieve(ids["invoice"], params={"expand": ["customer"]})
    assert invoice.customer.deleted is True and invoice.customer.id == customer


def test_credit_note_voided(client, emu, receiver):
    ids = paid_purchase(client, emu)
    note = client.v1.credit_notes.create(params={"invoice": ids["invoice"], "amount": 1000})
    voided = client.v1.credit_notes.void_credit_note(note.id)
    assert (voided.status, voided.id) == ("void", note.id) and voided.voided_at
    receiver.wait_for_type("credit_note.voided")
    event = next(json.loads(d["body"]) for d in receiver.received if b'"credit_note.voided"' in d["body"])
    assert (event["data"]["object"]["id"], event["data"]["object"]["status"]) == (note.id, "void")
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.credit_notes.void_credit_note(note.id)
    assert client.v1.credit_notes.list(params={"invoice": ids["invoice"]}).data[0].status == "void"


def test_refund_made_in_the_dashboard(client, emu, receiver):
    ids = paid_purchase(client, emu)
    receiver.wait_for_type("charge.succeeded")
    receiver.clear()
    emu.clear_requests()
    refund = emu.refund_in_dashboard(ids["charge"], amount=1000)
    assert (refund["object"], refund["amount"], refund["charge"], refund["status"]) == (
        "refund",
        1000,
        ids["charge"],
        "succeeded",
    )
    assert receiver.wait_for(2) == ["charge.refunded", "refund.created"]
    refunded, created = (json.loads(item["body"]) for item in receiver.received)
    assert refunded["data"]["object"]["amount_refunded"] == 1000 and refunded["data"]["object"]["refunded"] is False
    assert created["data"]["object"]["id"] == refund["id"]
    assert refunded["request"]["id"].startswith("req_") and refunded["request"]["idempotency_key"] is None
    assert emu.requests() == []  # not one of the plugin's API calls
    rest = emu.refund_in_dashboard(ids["charge"])
    assert rest["amount"] == 3900
    charge = client.v1.charges.retrieve(ids["charge"])
    assert (charge.amount_refunded, charge.refunded) == (4900, True)
    assert [r.id for r in client.v1.refunds.list(params={"charge": ids["charge"]}).data] == [rest["id"], refund["id"]]
    with pytest.raises(EmulatorError, match="already been refunded"):
        emu.refund_in_dashboard(ids["charge"])


def test_dispute_opened_then_won(client, emu, receiver):
    ids = paid_purchase(client, emu)
    dispute = emu.dispute(ids["charge"], reason="product_not_received")
    receiver.wait_for_type("charge.dispute.created")
    closed = emu.close_dispute(dispute["id"], "won")
    assert closed["status"] == "won"
    receiver.wait_for_type("charge.dispute.closed")
    event = next(json.loads(d["body"]) for d in receiver.received if b'"charge.dispute.closed"' in d["body"])
    assert event["data"]["object"]["status"] == "won"
    assert event["data"]["previous_attributes"] == {"status": "needs_response"}
    assert client.v1.disputes.retrieve(dispute["id"]).reason == "product_not_received"
