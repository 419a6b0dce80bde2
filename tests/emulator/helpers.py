"""Builders shared by the emulator tests: a catalogue, a session, a purchase."""

import time


def catalogue(client, amount=4900, currency="eur", tax_behavior="inclusive", name="Introduction to Open edX"):
    product = client.v1.products.create(params={"name": name, "metadata": {"course_key": "course-v1:Org+C1+R"}})
    price = client.v1.prices.create(
        params={
            "product": product.id,
            "unit_amount": amount,
            "currency": currency,
            "tax_behavior": tax_behavior,
        }
    )
    return product, price


def vat_rate(client, percentage=20):
    return client.v1.tax_rates.create(
        params={
            "display_name": "TVA",
            "percentage": percentage,
            "inclusive": True,
            "country": "FR",
            "jurisdiction": "FR",
        }
    )


def session_params(price_id, customer_id=None, tax_rate_id=None, **extra):
    item = {"price": price_id, "quantity": 1}
    if tax_rate_id:
        item["tax_rates"] = [tax_rate_id]
    params = {
        "mode": "payment",
        "line_items": [item],
        "client_reference_id": "order-42",
        "metadata": {"order_id": "42"},
        "allow_promotion_codes": True,
        "invoice_creation": {
            "enabled": True,
            "invoice_data": {
                "metadata": {"order_id": "42"},
                "footer": "Merci !",
                "custom_fields": [{"name": "Order", "value": "42"}],
                "description": "Course purchase",
            },
        },
        "expires_at": int(time.time()) + 3600,
        "locale": "fr",
        "success_url": "https://lms.example.com/stripe/success?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://lms.example.com/stripe/cancel",
        "payment_intent_data": {"metadata": {"order_id": "42"}},
    }
    if customer_id:
        params["customer"] = customer_id
    params.update(extra)
    return params


def paid_purchase(client, emu, amount=4900, currency="eur", **extra):
    """Product, price, VAT rate, customer, a paid session; returns a dict of ids."""
    product, price = catalogue(client, amount, currency)
    rate = vat_rate(client)
    customer = client.v1.customers.create(
        params={"email": "learner@example.com", "name": "Léa Learner", "preferred_locales": ["fr"]}
    )
    session = client.v1.checkout.sessions.create(params=session_params(price.id, customer.id, rate.id, **extra))
    emu.pay(session.id)
    session = client.v1.checkout.sessions.retrieve(session.id)
    intent = client.v1.payment_intents.retrieve(session.payment_intent)
    return {
        "product": product.id,
        "price": price.id,
        "tax_rate": rate.id,
        "customer": customer.id,
        "session": session.id,
        "invoice": session.invoice,
        "payment_intent": intent.id,
        "charge": intent.latest_charge,
    }
