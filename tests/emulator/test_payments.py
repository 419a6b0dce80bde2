"""Paying a Checkout Session: hosted page, test call, codes, delayed methods, expiry."""

import urllib.error
import urllib.parse
import urllib.request

import pytest
import stripe

from .helpers import catalogue, paid_purchase, session_params, vat_rate


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(url, fields):
    """POST the payment form; returns (status, location, html)."""
    opener = urllib.request.build_opener(_NoRedirect)
    data = urllib.parse.urlencode(fields).encode()
    try:
        with opener.open(url, data=data) as response:
            return response.status, None, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location"), error.read().decode()


def get_page(url):
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


CARD = {
    "email": "learner@example.com",
    "card_number": "4242 4242 4242 4242",
    "card_expiry": "12 / 34",
    "card_cvc": "123",
    "cardholder_name": "Léa",
}


def new_session(client, amount=4900, currency="eur", **extra):
    _, price = catalogue(client, amount, currency)
    return client.v1.checkout.sessions.create(params=session_params(price.id, **extra))


def test_hosted_page_is_accessible_and_prefilled(client):
    customer = client.v1.customers.create(params={"email": "lea@example.com"})
    session = new_session(client, customer=customer.id)
    status, page = get_page(session.url)
    assert status == 200
    assert '<meta charset="utf-8">' in page and '<html lang="fr">' in page
    assert "Mode test — émulateur" in page and "Emulator merchant" in page
    assert "Introduction to Open edX" in page and "49.00 EUR" in page
    assert 'value="4242 4242 4242 4242"' in page and 'value="lea@example.com"' in page
    for field in ("email", "card_number", "card_expiry", "card_cvc", "promotion_code"):
        assert f'<label for="{field}">' in page and f'id="{field}"' in page
    assert '<button type="submit" id="pay">' in page
    assert 'id="cancel" href="https://lms.example.com/stripe/cancel"' in page


def test_english_page_without_promotion_codes(client):
    session = new_session(client, locale="en", allow_promotion_codes=False)
    _, page = get_page(session.url)
    assert '<html lang="en">' in page and "Test mode — emulator" in page
    assert 'id="promotion_code"' not in page


def test_paying_on_the_page_redirects_to_success_url(client, emu):
    session = new_session(client)
    status, location, _ = post_form(session.url, CARD)
    assert status == 303
    assert location == f"https://lms.example.com/stripe/success?session_id={session.id}"
    paid = client.v1.checkout.sessions.retrieve(session.id)
    assert (paid.status, paid.payment_status) == ("complete", "paid")
    assert paid.customer_details.email == "learner@example.com"
    assert paid.invoice.startswith("in_") and paid.payment_intent.startswith("pi_")
    _, page = get_page(f"{emu.base_url}/pay/{session.id}")
    assert 'id="pay"' not in page


def test_declined_card_shows_an_error_and_changes_nothing(client, emu):
    session = new_session(client)
    status, _, page = post_form(session.url, dict(CARD, card_number="4000 0000 0000 0002"))
    assert status == 402
    assert 'role="alert"' in page and "refusée" in page
    again = client.v1.checkout.sessions.retrieve(session.id)
    assert (again.status, again.payment_status, again.payment_intent) == ("open", "unpaid", None)
    with pytest.raises(Exception, match="402"):
        emu.pay(session.id, outcome="declined")


def test_invalid_promotion_code_on_the_page(client):
    session = new_session(client)
    status, _, page = post_form(session.url, dict(CARD, promotion_code="NOPE"))
    assert status == 400 and 'role="alert"' in page
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_full_discount_code_needs_no_payment(client, emu):
    coupon = client.v1.coupons.create(params={"percent_off": 100, "duration": "once"})
    promo = client.v1.promotion_codes.create(
        params={"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "FREE", "max_redemptions": 1}
    )
    session = new_session(client)
    paid = emu.pay(session.id, promotion_code="free")
    assert (paid["amount_total"], paid["payment_status"], paid["payment_intent"]) == (
        0,
        "no_payment_required",
        None,
    )
    assert paid["total_details"]["amount_discount"] == 4900
    assert paid["discounts"] == [{"coupon": coupon.id, "promotion_code": promo.id}]
    invoice = client.v1.invoices.retrieve(paid["invoice"])
    assert (invoice.total, invoice.status) == (0, "paid")
    assert client.v1.promotion_codes.retrieve(promo.id).times_redeemed == 1
    exhausted = new_session(client)
    with pytest.raises(Exception, match="maximum number of times"):
        emu.pay(exhausted.id, promotion_code="FREE")


def test_partial_discount_and_inactive_code(client, emu):
    coupon = client.v1.coupons.create(params={"amount_off": 900, "currency": "eur", "duration": "once"})
    client.v1.promotion_codes.create(params={"coupon": coupon.id, "code": "NINE"})
    off = client.v1.promotion_codes.create(params={"coupon": coupon.id, "code": "OFF", "active": False})
    session = new_session(client)
    paid = emu.pay(session.id, promotion_code="NINE")
    assert (paid["amount_subtotal"], paid["amount_total"]) == (4900, 4000)
    assert client.v1.payment_intents.retrieve(paid["payment_intent"]).amount == 4000
    with pytest.raises(Exception, match="invalid"):
        emu.pay(new_session(client).id, promotion_code=off.code)


def test_inclusive_tax_rate_and_automatic_tax(client, emu):
    rate = vat_rate(client, 20)
    _, price = catalogue(client, 4900)
    session = client.v1.checkout.sessions.create(params=session_params(price.id, tax_rate_id=rate.id))
    assert (session.amount_total, session.total_details.amount_tax) == (4900, 817)
    automatic = client.v1.checkout.sessions.create(params=session_params(price.id, automatic_tax={"enabled": True}))
    assert (automatic.amount_total, automatic.total_details.amount_tax) == (4900, 817)
    paid = emu.pay(automatic.id)
    invoice = client.v1.invoices.retrieve(paid["invoice"])
    assert invoice.total_taxes[0].amount == 817 and invoice.total_taxes[0].tax_behavior == "inclusive"


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [(5000, "jpy", "5000 JPY"), (12340, "kwd", "12.340 KWD"), (4999, "eur", "49.99 EUR")],
)
def test_zero_and_three_decimal_currencies(client, emu, amount, currency, shown):
    session = new_session(client, amount, currency)
    _, page = get_page(session.url)
    assert shown in page
    paid = emu.pay(session.id)
    assert (paid["amount_total"], paid["currency"]) == (amount, currency)
    assert client.v1.invoices.retrieve(paid["invoice"]).total == amount


def test_three_decimal_amounts_must_end_in_zero(client):
    product, _ = catalogue(client)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.prices.create(params={"product": product.id, "unit_amount": 12345, "currency": "kwd"})


def test_delayed_payment_succeeds(client, emu):
    session = new_session(client)
    pending = emu.pay(session.id, outcome="async_pending")
    assert (pending["status"], pending["payment_status"], pending["invoice"]) == ("complete", "unpaid", None)
    intent = client.v1.payment_intents.retrieve(pending["payment_intent"])
    assert intent.status == "processing"
    settled = emu.pay(session.id, outcome="succeeded")
    assert settled["payment_status"] == "paid" and settled["invoice"].startswith("in_")
    oldest_first = [event["type"] for event in emu.events()][::-1]
    assert oldest_first[-8:] == [
        "checkout.session.completed",
        "payment_intent.processing",
        "charge.pending",
        "checkout.session.async_payment_succeeded",
        "invoice.finalized",
        "invoice.paid",
        "payment_intent.succeeded",
        "charge.succeeded",
    ]


def test_delayed_payment_fails(client, emu):
    session = new_session(client)
    emu.pay(session.id, outcome="async_pending")
    failed = emu.pay(session.id, outcome="failed")
    assert (failed["status"], failed["payment_status"], failed["invoice"]) == ("complete", "unpaid", None)
    assert client.v1.payment_intents.retrieve(failed["payment_intent"]).status == "requires_payment_method"
    assert "checkout.session.async_payment_failed" in [event["type"] for event in emu.events()]
    with pytest.raises(Exception, match="no pending"):
        emu.pay(session.id, outcome="succeeded")


def expire_refusal(status):
    return (
        'Only Checkout Sessions with a status in ["open"] can be expired. '
        f"This Checkout Session has a status of `{status}`."
    )


def test_expire_an_open_session(client, emu, receiver):
    session = new_session(client)
    pay_url = session.url
    expired = client.v1.checkout.sessions.expire(session.id)
    assert (expired.status, expired.url) == ("expired", None)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    assert receiver.wait_for_type("checkout.session.expired")[-1] == "checkout.session.expired"
    event = client.v1.events.list(params={"type": "checkout.session.expired"}).data[0]
    assert (event.data.object.id, event.data.object.status) == (session.id, "expired")
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.expire(session.id)
    assert (excinfo.value.http_status, excinfo.value.user_message) == (400, expire_refusal("expired"))
    status, page = get_page(pay_url)
    assert status == 200 and 'id="pay"' not in page and "expiré" in page
    status, _, page = post_form(pay_url, CARD)
    assert status == 409 and "expiré" in page
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "unpaid"
    assert client.v1.payment_intents.list().data == []
    with pytest.raises(Exception, match="no longer open"):
        emu.pay(session.id)


def test_expire_is_idempotent_with_a_key(client, emu):
    session = new_session(client)
    first = client.v1.checkout.sessions.expire(session.id, options={"idempotency_key": "expire-42"})
    again = client.v1.checkout.sessions.expire(session.id, options={"idempotency_key": "expire-42"})
    assert first.id == again.id and again.status == "expired"
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    assert len(emu.events(type="checkout.session.expired")) == 1
    with pytest.raises(stripe.InvalidRequestError):  # another key: a new request, refused
        client.v1.checkout.sessions.expire(session.id, options={"idempotency_key": "expire-43"})
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.expire("cs_test_missing")
    assert (excinfo.value.http_status, excinfo.value.code) == (404, "resource_missing")


def test_completed_session_cannot_be_expired_or_paid_twice(client, emu):
    session = new_session(client)
    emu.pay(session.id)
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.expire(session.id)
    error = excinfo.value
    assert (error.http_status, error.user_message) == (400, expire_refusal("complete"))
    assert error.json_body["error"]["type"] == "invalid_request_error"
    assert client.v1.checkout.sessions.retrieve(session.id).status == "complete"
    assert emu.events(type="checkout.session.expired") == []
    with pytest.raises(Exception, match="no longer open"):
        emu.pay(session.id)


def test_sessions_expire_when_their_time_has_passed(client, emu):
    session = new_session(client)
    emu.advance_clock(3601)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    assert emu.events(type="checkout.session.expired")


def test_retrieve_expand_and_line_items(client, emu):
    ids = paid_purchase(client, emu)
    session = client.v1.checkout.sessions.retrieve(
        ids["session"], params={"expand": ["invoice", "payment_intent", "line_items"]}
    )
    assert session.invoice.id == ids["invoice"] and session.payment_intent.id == ids["payment_intent"]
    assert session.line_items.data[0].price.id == ids["price"]
    items = client.v1.checkout.sessions.line_items.list(ids["session"])
    assert items.data[0].quantity == 1 and items.data[0].amount_total == 4900
    assert items.data[0].description == "Introduction to Open edX"


def test_retrieve_expands_the_total_details_breakdown(client, emu):
    ids = paid_purchase(client, emu)
    session = client.v1.checkout.sessions.retrieve(ids["session"], params={"expand": ["total_details.breakdown"]})
    breakdown = session.total_details.breakdown
    assert breakdown.discounts == [] and session.total_details.amount_discount == 0
    assert sum(tax.amount for tax in breakdown.taxes) == session.total_details.amount_tax
    assert all(tax.rate.object == "tax_rate" for tax in breakdown.taxes)
    plain = client.v1.checkout.sessions.retrieve(ids["session"])
    assert "breakdown" not in plain.total_details
    with_discounts = client.v1.checkout.sessions.retrieve(ids["session"],
                                                          params={"expand": ["line_items.data.discounts"]})
    assert with_discounts.line_items.data[0].discounts == []


def test_list_sessions_with_filters(client, emu):
    ids = paid_purchase(client, emu)
    new_session(client)
    assert [s.id for s in client.v1.checkout.sessions.list(params={"status": "complete"}).data] == [ids["session"]]
    by_intent = client.v1.checkout.sessions.list(params={"payment_intent": ids["payment_intent"]}).data
    assert [s.id for s in by_intent] == [ids["session"]]
    assert [s.id for s in client.v1.checkout.sessions.list(params={"customer": ids["customer"]}).data] == [
        ids["session"]
    ]
    assert len(client.v1.checkout.sessions.list(params={"created": {"gte": 0}}).data) == 2


def test_invoice_details_pages_and_pdf(client, emu):
    ids = paid_purchase(client, emu)
    invoice = client.v1.invoices.retrieve(ids["invoice"])
    assert invoice.number.startswith("EMU-") and invoice.number.endswith("-0001")
    assert invoice.metadata["order_id"] == "42" and invoice.footer == "Merci !"
    assert invoice.custom_fields[0].value == "42"
    assert invoice.customer_email == "learner@example.com"
    assert (invoice.amount_paid, invoice.amount_remaining, invoice.subtotal) == (4900, 0, 4900)
    status, page = get_page(invoice.hosted_invoice_url)
    assert status == 200 and '<meta charset="utf-8">' in page and invoice.number in page and "49.00 EUR" in page
    with urllib.request.urlopen(invoice.invoice_pdf) as response:
        content = response.read()
        assert response.headers["Content-Type"] == "application/pdf"
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    assert invoice.number.encode() in content and b"49.00 EUR" in content
    start = int(content.rsplit(b"startxref", 1)[1].split()[0])
    assert content[start : start + 4] == b"xref"
    listed = client.v1.invoices.list(params={"customer": ids["customer"], "status": "paid"}).data
    assert [i.id for i in listed] == [ids["invoice"]]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.invoices.void_invoice(ids["invoice"])
    second = paid_purchase(client, emu)
    assert client.v1.invoices.retrieve(second["invoice"]).number != invoice.number


def test_invoice_numbers_increase_per_customer(client, emu):
    _, price = catalogue(client)
    customer = client.v1.customers.create(params={"email": "same@example.com"})
    numbers = []
    for _ in range(2):
        session = client.v1.checkout.sessions.create(params=session_params(price.id, customer.id))
        numbers.append(client.v1.invoices.retrieve(emu.pay(session.id)["invoice"]).number)
    assert numbers[0][:-4] == numbers[1][:-4]
    assert (numbers[0][-4:], numbers[1][-4:]) == ("0001", "0002")
