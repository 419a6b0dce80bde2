"""List endpoints as Stripe serves them: cursor pagination, ``created`` and the
documented filters, ``expand[]=data.*``, and stripe-python's auto-paging."""

import pytest
import stripe

from .helpers import as_dict, catalogue, paid_purchase, session_params, shape_problems


def ids_of(page):
    return [item.id for item in page.data]


def list_calls(emu, path):
    return [entry["params"] for entry in emu.requests() if entry["method"] == "GET" and entry["path"] == path]


@pytest.fixture
def sessions(client):
    """23 open sessions, oldest first."""
    _, price = catalogue(client)
    return [client.v1.checkout.sessions.create(params=session_params(price.id)).id for _ in range(23)]


def test_pages_newest_first_with_cursors(client, sessions):
    newest_first = sessions[::-1]
    first = client.v1.checkout.sessions.list()
    assert (first.object, first.url, first.has_more) == ("list", "/v1/checkout/sessions", True)
    assert ids_of(first) == newest_first[:10]  # default limit: 10
    second = client.v1.checkout.sessions.list(params={"limit": 10, "starting_after": first.data[-1].id})
    assert ids_of(second) == newest_first[10:20] and second.has_more is True
    last = client.v1.checkout.sessions.list(params={"limit": 10, "starting_after": second.data[-1].id})
    assert ids_of(last) == newest_first[20:] and last.has_more is False
    # ending_before: the items just before the cursor (newer ones), still newest first.
    before = client.v1.checkout.sessions.list(params={"limit": 5, "ending_before": newest_first[12]})
    assert ids_of(before) == newest_first[7:12] and before.has_more is True
    top = client.v1.checkout.sessions.list(params={"limit": 5, "ending_before": newest_first[3]})
    assert ids_of(top) == newest_first[:3] and top.has_more is False
    assert ids_of(client.v1.checkout.sessions.list(params={"limit": 100})) == newest_first


def test_stripe_python_auto_paging_both_ways(client, emu, sessions):
    emu.clear_requests()
    forward = [s.id for s in client.v1.checkout.sessions.list(params={"limit": 10}).auto_paging_iter()]
    assert forward == sessions[::-1]
    calls = list_calls(emu, "/v1/checkout/sessions")
    assert [call.get("starting_after") for call in calls] == [None, sessions[-10], sessions[-20]]
    backward = client.v1.checkout.sessions.list(params={"limit": 4, "ending_before": sessions[2]})
    # Going backwards, stripe-python yields each page's items in reverse: oldest first.
    assert [s.id for s in backward.auto_paging_iter()] == sessions[3:]


def test_limit_and_cursor_errors(client, sessions):
    for limit in (0, 101):
        with pytest.raises(stripe.InvalidRequestError) as excinfo:
            client.v1.checkout.sessions.list(params={"limit": limit})
        assert (excinfo.value.http_status, excinfo.value.param) == (400, "limit")
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.list(params={"starting_after": "cs_test_missing"})
    error = excinfo.value
    assert (error.http_status, error.code, error.param) == (400, "resource_missing", "starting_after")
    assert error.user_message == "No such checkout.session: 'cs_test_missing'"
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.list(params={"starting_after": sessions[5], "ending_before": sessions[1]})
    assert excinfo.value.user_message == "You may only specify one of these parameters: ending_before, starting_after."
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.list(params={"status": "paid"})
    assert excinfo.value.param == "status"
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.customers.list(params={"created": {"after": 1}})
    assert excinfo.value.param == "created[after]"


def test_created_filters(client, emu):
    emu.freeze_clock()  # the wall clock may tick between two creations
    made = []
    for name in ("a", "b", "c"):
        made.append(client.v1.customers.create(params={"email": f"{name}@example.com"}))
        emu.advance_clock(100)
    a, b, c = made
    assert (b.created - a.created, c.created - b.created) == (100, 100)

    def listed(created):
        return ids_of(client.v1.customers.list(params={"created": created}))

    assert listed({"gte": b.created}) == [c.id, b.id]
    assert listed({"gt": b.created}) == [c.id]
    assert listed({"lte": b.created}) == [b.id, a.id]
    assert listed({"lt": b.created}) == [a.id]
    assert listed({"gt": a.created, "lt": c.created}) == [b.id]
    assert listed(b.created) == [b.id]
    # The same filter on events (each customer.created event has its customer's time).
    events = client.v1.events.list(params={"type": "customer.created", "created": {"gte": b.created}}).data
    assert [event.data.object.id for event in events] == [c.id, b.id]


@pytest.fixture
def two_purchases(client, emu):
    first = paid_purchase(client, emu)
    second = paid_purchase(client, emu, amount=2900)
    refund = client.v1.refunds.create(params={"charge": first["charge"], "amount": 1000})
    note = client.v1.credit_notes.create(params={"invoice": second["invoice"], "amount": 900})
    dispute = emu.dispute(second["charge"])
    _, price = catalogue(client, name="Unpaid")
    open_session = client.v1.checkout.sessions.create(params=session_params(price.id))
    return first, second, refund, note, dispute, open_session


def test_documented_filters(client, two_purchases):
    first, second, refund, note, dispute, open_session = two_purchases
    v1 = client.v1
    sessions = v1.checkout.sessions
    assert ids_of(sessions.list(params={"status": "open"})) == [open_session.id]
    assert ids_of(sessions.list(params={"status": "complete"})) == [second["session"], first["session"]]
    assert ids_of(sessions.list(params={"status": "expired"})) == []
    assert ids_of(sessions.list(params={"customer": first["customer"]})) == [first["session"]]
    assert ids_of(sessions.list(params={"payment_intent": second["payment_intent"]})) == [second["session"]]

    assert ids_of(v1.invoices.list(params={"customer": second["customer"]})) == [second["invoice"]]
    assert ids_of(v1.invoices.list(params={"status": "paid"})) == [second["invoice"], first["invoice"]]
    assert ids_of(v1.invoices.list(params={"status": "open"})) == []
    # Accepted; payment-mode invoices belong to no subscription, so none matches.
    assert ids_of(v1.invoices.list(params={"subscription": "sub_123"})) == []

    assert ids_of(v1.charges.list(params={"customer": first["customer"]})) == [first["charge"]]
    assert ids_of(v1.charges.list(params={"payment_intent": second["payment_intent"]})) == [second["charge"]]
    assert ids_of(v1.payment_intents.list(params={"customer": second["customer"]})) == [second["payment_intent"]]
    assert ids_of(v1.payment_intents.list()) == [second["payment_intent"], first["payment_intent"]]

    credit_refund = note.refunds[0].refund
    assert ids_of(v1.refunds.list()) == [credit_refund, refund.id]
    assert ids_of(v1.refunds.list(params={"charge": first["charge"]})) == [refund.id]
    assert ids_of(v1.refunds.list(params={"payment_intent": second["payment_intent"]})) == [credit_refund]

    assert ids_of(v1.credit_notes.list(params={"invoice": second["invoice"]})) == [note.id]
    assert ids_of(v1.credit_notes.list(params={"invoice": first["invoice"]})) == []
    assert ids_of(v1.credit_notes.list(params={"customer": second["customer"]})) == [note.id]

    assert ids_of(v1.disputes.list(params={"charge": second["charge"]})) == [dispute["id"]]
    assert ids_of(v1.disputes.list(params={"payment_intent": first["payment_intent"]})) == []

    customers = v1.customers.list(params={"email": "learner@example.com"})
    assert ids_of(customers) == [second["customer"], first["customer"]]
    assert ids_of(v1.customers.list(params={"email": "LEARNER@example.com"})) == []  # case-sensitive


def test_event_filters(client, two_purchases):
    first, second, refund, note, dispute, _ = two_purchases
    events = client.v1.events
    paid = events.list(params={"type": "invoice.paid"}).data
    assert [event.data.object.id for event in paid] == [second["invoice"], first["invoice"]]
    some = events.list(params={"types": ["charge.refunded", "credit_note.created"], "limit": 100}).data
    assert [event.type for event in some] == ["credit_note.created", "charge.refunded", "charge.refunded"]
    disputes = events.list(params={"type": "charge.dispute.*"}).data
    assert [(event.type, event.data.object.id) for event in disputes] == [("charge.dispute.created", dispute["id"])]
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        events.list(params={"type": "invoice.paid", "types": ["invoice.paid"]})
    assert excinfo.value.user_message == "You may only specify one of these parameters: type, types."
    with pytest.raises(stripe.InvalidRequestError):
        events.list(params={"types": [f"type.{n}" for n in range(21)]})


def test_expand_data_on_lists(client, two_purchases):
    first, second, *_ = two_purchases
    page = client.v1.checkout.sessions.list(
        params={"status": "complete", "expand": ["data.customer", "data.line_items", "data.payment_intent"]}
    )
    session = page.data[0]
    assert session.customer.object == "customer" and session.customer.id == second["customer"]
    assert session.payment_intent.latest_charge == second["charge"]
    assert session.line_items.data[0].price.id == second["price"]
    invoices = client.v1.invoices.list(params={"expand": ["data.customer"], "limit": 1}).data
    assert invoices[0].customer.email == "learner@example.com"
    charges = client.v1.charges.list(params={"expand": ["data.payment_intent"], "customer": first["customer"]})
    assert charges.data[0].payment_intent.id == first["payment_intent"]
    notes = client.v1.credit_notes.list(params={"expand": ["data.invoice"]}).data
    assert notes[0].invoice.id == second["invoice"]
    refunds = client.v1.refunds.list(params={"expand": ["data.charge"], "charge": first["charge"]}).data
    assert refunds[0].charge.amount_refunded == 1000
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.list(params={"expand": ["data.nothing_here"]})
    assert excinfo.value.param == "expand"


def test_line_items_pages(client, emu):
    prices = [catalogue(client, amount=1000 * (n + 1), name=f"Course {n}")[1] for n in range(3)]
    session = client.v1.checkout.sessions.create(
        params=dict(session_params(prices[0].id), line_items=[{"price": p.id, "quantity": 1} for p in prices])
    )
    items = client.v1.checkout.sessions.line_items
    page = items.list(session.id, params={"limit": 2})
    assert (page.url, page.has_more) == (f"/v1/checkout/sessions/{session.id}/line_items", True)
    assert [item.price.id for item in page.data] == [prices[0].id, prices[1].id]  # the session's order
    rest = items.list(session.id, params={"limit": 2, "starting_after": page.data[-1].id})
    assert [item.price.id for item in rest.data] == [prices[2].id] and rest.has_more is False
    back = items.list(session.id, params={"ending_before": rest.data[0].id})
    assert [item.id for item in back.data] == [item.id for item in page.data]
    every = items.list(session.id, params={"limit": 1}).auto_paging_iter()
    assert [item.amount_total for item in every] == [1000, 2000, 3000]
    expanded = items.list(session.id, params={"expand": ["data.price.product"], "limit": 1}).data[0]
    assert expanded.price.product.name == "Course 0"
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        items.list(session.id, params={"starting_after": "li_missing"})
    assert excinfo.value.code == "resource_missing"


#: (stripe-python list call, Stripe resource name in fixtures3.json)
LISTS = [
    (lambda client, ids: client.v1.checkout.sessions.list(), "checkout.session"),
    (lambda client, ids: client.v1.checkout.sessions.line_items.list(ids["session"]), "item"),
    (lambda client, ids: client.v1.invoices.list(), "invoice"),
    (lambda client, ids: client.v1.charges.list(), "charge"),
    (lambda client, ids: client.v1.refunds.list(), "refund"),
    (lambda client, ids: client.v1.credit_notes.list(), "credit_note"),
    (lambda client, ids: client.v1.disputes.list(), "dispute"),
    (lambda client, ids: client.v1.events.list(), "event"),
    (lambda client, ids: client.v1.customers.list(), "customer"),
    (lambda client, ids: client.v1.payment_intents.list(), "payment_intent"),
]


@pytest.mark.parametrize("call, resource", LISTS, ids=[resource for _, resource in LISTS])
def test_list_items_have_stripes_shape(stripe_fixtures, client, emu, call, resource):
    ids = paid_purchase(client, emu)
    client.v1.credit_notes.create(params={"invoice": ids["invoice"], "amount": 1000})
    emu.dispute(ids["charge"])
    page = as_dict(call(client, ids))
    assert set(page) == {"object", "url", "has_more", "data"} and page["object"] == "list"
    assert page["data"], f"no {resource} listed"
    for item in page["data"]:
        assert item["object"] == stripe_fixtures[resource]["object"]
        assert shape_problems(stripe_fixtures[resource], item) == []


def test_a_frozen_clock_moves_only_when_advanced(emu):
    frozen = emu.freeze_clock()
    assert frozen["frozen"] is True
    assert emu.advance_clock(0)["now"] == frozen["now"]
    assert emu.advance_clock(30)["now"] == frozen["now"] + 30
    running = emu.freeze_clock(False)
    assert running["frozen"] is False and running["now"] >= frozen["now"] + 30
