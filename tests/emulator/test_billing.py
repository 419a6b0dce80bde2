"""After the payment: refunds, credit notes and disputes."""

import urllib.request

import pytest
import stripe

from .helpers import paid_purchase


@pytest.fixture
def purchase(client, emu):
    return paid_purchase(client, emu)


def test_partial_then_full_refund(client, emu, purchase):
    first = client.v1.refunds.create(
        params={
            "payment_intent": purchase["payment_intent"],
            "amount": 900,
            "reason": "requested_by_customer",
            "metadata": {"why": "test"},
        }
    )
    assert (first.amount, first.reason, first.charge, first.status) == (
        900,
        "requested_by_customer",
        purchase["charge"],
        "succeeded",
    )
    charge = client.v1.charges.retrieve(purchase["charge"])
    assert (charge.amount_refunded, charge.refunded) == (900, False)
    rest = client.v1.refunds.create(params={"charge": purchase["charge"]})
    assert rest.amount == 4000
    charge = client.v1.charges.retrieve(purchase["charge"])
    assert (charge.amount_refunded, charge.refunded) == (4900, True)
    assert [r.id for r in charge.refunds.data] == [rest.id, first.id]
    refunded_events = emu.events(type="charge.refunded")
    assert len(refunded_events) == 2
    assert refunded_events[0]["data"]["object"]["amount_refunded"] == 4900
    assert len(emu.events(type="refund.created")) == 2
    listed = client.v1.refunds.list(params={"payment_intent": purchase["payment_intent"]}).data
    assert {r.id for r in listed} == {first.id, rest.id}


def test_over_refund_and_bad_reason_are_refused(client, purchase):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"charge": purchase["charge"], "amount": 5000})
    assert excinfo.value.param == "amount"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(params={"charge": purchase["charge"], "reason": "changed_my_mind"})
    client.v1.refunds.create(params={"charge": purchase["charge"]})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(params={"charge": purchase["charge"], "amount": 1})


def test_full_credit_note_refunds_the_payment(client, emu, purchase):
    note = client.v1.credit_notes.create(
        params={
            "invoice": purchase["invoice"],
            "amount": 4900,
            "reason": "order_change",
            "memo": "Bought by mistake",
            "metadata": {"order_id": "42"},
        }
    )
    invoice = client.v1.invoices.retrieve(purchase["invoice"])
    assert note.number == f"{invoice.number}-CN-01"
    assert (note.amount, note.total, note.status, note.type) == (4900, 4900, "issued", "post_payment")
    assert note.pdf.endswith(f"/credit_note/{note.id}/pdf")
    assert note.refunds[0].amount_refunded == 4900
    assert note.total_taxes[0].amount == 817
    assert invoice.post_payment_credit_notes_amount == 4900 and invoice.status == "paid"
    charge = client.v1.charges.retrieve(purchase["charge"])
    assert charge.refunded is True
    types = [event["type"] for event in emu.events()]
    assert {"credit_note.created", "charge.refunded", "refund.created"} <= set(types)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.credit_notes.create(params={"invoice": purchase["invoice"], "amount": 1})
    listed = client.v1.credit_notes.list(params={"invoice": purchase["invoice"]}).data
    assert [n.id for n in listed] == [note.id]


def test_credit_note_with_refund_amount_and_lines(client, purchase):
    invoice = client.v1.invoices.retrieve(purchase["invoice"])
    line = invoice.lines.data[0]
    partial = client.v1.credit_notes.create(params={"invoice": invoice.id, "refund_amount": 1000})
    assert (partial.amount, partial.refunds[0].amount_refunded) == (1000, 1000)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.credit_notes.create(
            params={
                "invoice": invoice.id,
                "lines": [{"type": "invoice_line_item", "invoice_line_item": line.id, "quantity": 1}],
            }
        )
    rest = client.v1.credit_notes.create(
        params={
            "invoice": invoice.id,
            "lines": [
                {
                    "type": "custom_line_item",
                    "unit_amount": 3900,
                    "quantity": 1,
                    "description": "Rest of the course",
                }
            ],
            "refund_amount": 3900,
        }
    )
    assert rest.number.endswith("-CN-02") and rest.lines.data[0].description == "Rest of the course"
    assert client.v1.charges.retrieve(purchase["charge"]).amount_refunded == 4900


def test_credit_note_allocation_must_add_up(client, purchase):
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.credit_notes.create(params={"invoice": purchase["invoice"], "amount": 4900, "refund_amount": 1000})
    note = client.v1.credit_notes.create(
        params={"invoice": purchase["invoice"], "amount": 4900, "out_of_band_amount": 4900}
    )
    assert note.refunds == [] and note.out_of_band_amount == 4900
    assert client.v1.charges.retrieve(purchase["charge"]).amount_refunded == 0


def test_credit_note_linking_an_existing_refund(client, purchase):
    refund = client.v1.refunds.create(params={"charge": purchase["charge"]})
    note = client.v1.credit_notes.create(
        params={"invoice": purchase["invoice"], "amount": 4900, "refunds": [{"refund": refund.id}]}
    )
    assert note.refunds[0].refund == refund.id
    assert client.v1.charges.retrieve(purchase["charge"]).amount_refunded == 4900


def test_void_credit_note(client, emu, purchase):
    note = client.v1.credit_notes.create(
        params={"invoice": purchase["invoice"], "amount": 4900, "out_of_band_amount": 4900}
    )
    voided = client.v1.credit_notes.void_credit_note(note.id)
    assert voided.status == "void" and voided.voided_at
    assert client.v1.invoices.retrieve(purchase["invoice"]).post_payment_credit_notes_amount == 0
    assert emu.events(type="credit_note.voided")
    content = fetch(note.pdf)
    assert content.startswith(b"%PDF") and note.number.encode() in content


def fetch(url):
    with urllib.request.urlopen(url) as response:
        return response.read()


def test_dispute_opened_and_closed(client, emu, purchase):
    dispute = emu.dispute(purchase["charge"])
    assert dispute["id"].startswith("du_")
    assert (dispute["amount"], dispute["reason"], dispute["status"]) == (4900, "fraudulent", "needs_response")
    assert dispute["payment_intent"] == purchase["payment_intent"]
    assert client.v1.charges.retrieve(purchase["charge"]).disputed is True
    assert emu.events(type="charge.dispute.created")[0]["data"]["object"]["id"] == dispute["id"]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(params={"charge": purchase["charge"]})
    closed = emu.close_dispute(dispute["id"], "lost")
    assert closed["status"] == "lost"
    assert emu.events(type="charge.dispute.closed")[0]["data"]["object"]["status"] == "lost"
    assert client.v1.disputes.list(params={"charge": purchase["charge"]}).data[0].status == "lost"
