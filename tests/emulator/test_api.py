"""API behaviour shared by every route: parameter checks, idempotency, logs, faults."""

import time

import pytest
import stripe

from .helpers import catalogue, session_params


def test_unknown_parameter_is_rejected_like_stripe(client):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.products.create(params={"name": "Course", "colour": "red"})
    error = excinfo.value
    assert error.http_status == 400
    assert error.param == "colour"
    assert "Received unknown parameter: colour" in error.user_message


def test_unknown_nested_parameter_names_its_path(client):
    _, price = catalogue(client)
    params = session_params(price.id)
    params["line_items"][0]["colour"] = "red"
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.create(params=params)
    assert excinfo.value.param == "line_items[0][colour]"


def test_missing_required_parameter(client):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.prices.create(params={"unit_amount": 100, "product": "prod_x"})
    assert excinfo.value.param == "currency"
    assert excinfo.value.code == "parameter_missing"


def test_error_body_is_stripe_shaped(emu):
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{emu.base_url}/v1/prices",
        data=b"currency=eur&nope=1",
        method="POST",
        headers={"Authorization": "Bearer sk_test_x"},
    )
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request)
    payload = json.loads(excinfo.value.read())
    assert excinfo.value.code == 400
    assert payload == {
        "error": {
            "type": "invalid_request_error",
            "code": "parameter_unknown",
            "param": "nope",
            "message": "Received unknown parameter: nope",
        }
    }


def test_missing_api_key_is_401(emu):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(f"{emu.base_url}/v1/products")
    assert excinfo.value.code == 401


def test_idempotent_replay_returns_the_same_object(client, emu):
    params = {"name": "Course", "metadata": {"k": "v"}}
    first = client.v1.products.create(params=params, options={"idempotency_key": "create-course-1"})
    second = client.v1.products.create(params=params, options={"idempotency_key": "create-course-1"})
    assert first.id == second.id
    assert len(client.v1.products.list().data) == 1
    replays = [entry for entry in emu.requests() if entry["idempotency_key"] == "create-course-1"]
    assert len(replays) == 2


def test_idempotency_key_with_other_params_is_an_idempotency_error(client):
    client.v1.products.create(params={"name": "A"}, options={"idempotency_key": "key-2"})
    with pytest.raises(stripe.IdempotencyError):
        client.v1.products.create(params={"name": "B"}, options={"idempotency_key": "key-2"})


def test_idempotent_session_creation(client):
    _, price = catalogue(client)
    params = session_params(price.id)
    first = client.v1.checkout.sessions.create(params=params, options={"idempotency_key": "order-42-attempt-1"})
    again = client.v1.checkout.sessions.create(params=params, options={"idempotency_key": "order-42-attempt-1"})
    assert first.id == again.id
    assert len(client.v1.checkout.sessions.list().data) == 1


def test_request_log_records_version_and_idempotency_key(client, emu):
    emu.clear_requests()
    client.v1.customers.create(params={"email": "a@example.com"}, options={"idempotency_key": "cus-key"})
    client.v1.customers.list(params={"email": "a@example.com"})
    log = emu.requests()
    assert [(entry["method"], entry["path"]) for entry in log] == [
        ("POST", "/v1/customers"),
        ("GET", "/v1/customers"),
    ]
    assert log[0]["idempotency_key"] == "cus-key"
    assert log[0]["params"] == {"email": "a@example.com"}
    assert log[1]["params"] == {"email": "a@example.com"}
    assert {entry["stripe_version"] for entry in log} == {"2026-10-28.endive"}
    emu.clear_requests()
    assert emu.requests() == []


def test_request_count_per_endpoint(client, emu):
    emu.clear_requests()
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    client.v1.customers.retrieve(customer.id)
    client.v1.customers.retrieve(customer.id)
    emu.webhook_status()  # test-only routes are not API calls: not counted
    assert emu.request_count() == {
        "count": 3, "by_endpoint": {"GET /v1/customers/{id}": 2, "POST /v1/customers": 1},
    }
    emu.clear_requests()
    assert emu.request_count() == {"count": 0, "by_endpoint": {}}


def test_faults_fail_the_next_calls_then_clear(client, emu):
    emu.add_fault("/v1/checkout/sessions", status=503, count=2)
    _, price = catalogue(client)
    for _ in range(2):
        with pytest.raises(stripe.APIError) as excinfo:
            client.v1.checkout.sessions.create(params=session_params(price.id))
        assert excinfo.value.http_status == 503
    assert client.v1.checkout.sessions.create(params=session_params(price.id)).status == "open"
    emu.add_fault("/v1/", status=500)
    with pytest.raises(stripe.APIError):
        client.v1.products.list()
    emu.clear_faults()
    assert client.v1.products.list().data


def test_faults_and_stripe_python_retries(emu):
    """With retries on, a client rides over one 503 (and the log shows both calls)."""
    client = emu.client(max_network_retries=1)
    emu.add_fault("/v1/products", status=503, count=1, should_retry=True)
    emu.clear_requests()
    product = client.v1.products.create(params={"name": "Retried"}, options={"idempotency_key": "retry-1"})
    statuses = [entry["status"] for entry in emu.requests()]
    assert statuses == [503, 200]
    assert product.name == "Retried"


def test_product_update_and_list(client):
    product = client.v1.products.create(
        params={
            "name": "Old",
            "description": "d",
            "images": ["https://e.com/i.png"],
            "tax_code": "txcd_10000000",
            "active": True,
        }
    )
    updated = client.v1.products.update(
        product.id, params={"name": "New", "metadata": {"a": "1"}, "active": False, "images": ""}
    )
    assert (updated.name, updated.active, updated.metadata.to_dict(), updated.images) == (
        "New",
        False,
        {"a": "1"},
        [],
    )
    assert [p.id for p in client.v1.products.list(params={"active": False}).data] == [product.id]


def test_price_rules(client):
    product, price = catalogue(client, tax_behavior="inclusive")
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.prices.update(price.id, params={"unit_amount": 100})
    assert excinfo.value.param == "unit_amount"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.prices.update(price.id, params={"tax_behavior": "exclusive"})
    updated = client.v1.prices.update(
        price.id, params={"active": False, "nickname": "old", "lookup_key": "c1", "metadata": {"v": "1"}}
    )
    assert (updated.active, updated.nickname, updated.lookup_key) == (False, "old", "c1")
    other = client.v1.prices.create(params={"product": product.id, "unit_amount": 5900, "currency": "eur"})
    assert other.tax_behavior == "unspecified"
    assert client.v1.prices.update(other.id, params={"tax_behavior": "inclusive"}).tax_behavior == "inclusive"
    listed = client.v1.prices.list(params={"product": product.id, "active": True}).data
    assert [p.id for p in listed] == [other.id]


def test_customer_and_tax_rate(client):
    customer = client.v1.customers.create(
        params={
            "email": "l@example.com",
            "name": "Léa",
            "metadata": {"user_id": "7"},
            "preferred_locales": ["fr"],
        }
    )
    assert customer.preferred_locales == ["fr"] and customer.metadata["user_id"] == "7"
    assert client.v1.customers.update(customer.id, params={"name": "Lea"}).name == "Lea"
    rate = client.v1.tax_rates.create(
        params={
            "display_name": "TVA",
            "percentage": "5.5",
            "inclusive": True,
            "country": "FR",
            "jurisdiction": "FR",
        }
    )
    assert (rate.percentage, rate.inclusive, rate.country) == (5.5, True, "FR")


def test_coupon_without_id_and_promotion_codes(client):
    coupon = client.v1.coupons.create(params={"percent_off": 10, "duration": "once", "name": "Ten"})
    assert coupon.id and coupon.percent_off == 10
    old_style = client.v1.promotion_codes.create(params={"coupon": coupon.id, "code": "OLDSTYLE"})
    new_style = client.v1.promotion_codes.create(
        params={
            "promotion": {"type": "coupon", "coupon": coupon.id},
            "code": "NEWSTYLE",
            "max_redemptions": 3,
            "metadata": {"campaign": "spring"},
        }
    )
    assert old_style.promotion.coupon == new_style.promotion.coupon == coupon.id
    client.v1.promotion_codes.update(old_style.id, params={"active": False})
    assert [p.code for p in client.v1.promotion_codes.list(params={"active": True}).data] == ["NEWSTYLE"]
    assert [p.id for p in client.v1.promotion_codes.list(params={"code": "newstyle"}).data] == [new_style.id]
    amount = client.v1.coupons.create(params={"amount_off": 500, "currency": "eur", "duration": "once"})
    assert amount.amount_off == 500


def test_session_creation_rules(client):
    _, price = catalogue(client)
    now = int(time.time())
    for bad in (
        {"expires_at": now + 60},
        {"expires_at": now + 25 * 3600},
        {"mode": "subscription"},
        {"discounts": [{"coupon": "nope"}]},
        {"customer_email": "a@b.c", "customer": "cus_missing"},
    ):
        with pytest.raises(stripe.InvalidRequestError):
            client.v1.checkout.sessions.create(params=session_params(price.id, **bad))
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.create(params=dict(session_params(price.id), line_items=[]))
    assert excinfo.value.param == "line_items"


def test_account_for_the_connection_check(client):
    account = client.v1.accounts.retrieve_current()
    assert account.id == "acct_emulator"
    assert account.settings.dashboard.display_name == "Emulator merchant"
    assert account.charges_enabled is True and account.default_currency == "eur"
