"""Builders shared by the emulator tests: a catalogue, a session, a purchase;
and the shape comparison with Stripe's own example objects."""

import json
import os
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_NAME = Path("shared") / "stripe" / "fixtures3.json"


def stripe_fixtures_path():
    """Where Stripe's ``fixtures3.json`` is: ``RISEUP_STRIPE_FIXTURES``, else
    ``../shared/stripe/`` next to the project, or, in a git worktree, next to
    the main checkout (the first that exists; the usual place otherwise)."""
    candidates = []
    if os.environ.get("RISEUP_STRIPE_FIXTURES"):
        candidates.append(Path(os.environ["RISEUP_STRIPE_FIXTURES"]))
    candidates.append(REPO_ROOT.parent / FIXTURES_NAME)
    git = REPO_ROOT / ".git"
    if git.is_file():  # a worktree: ".git" holds "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(git.read_text().partition(":")[2].strip())
        commondir = gitdir / "commondir"
        main_git = (gitdir / commondir.read_text().strip()).resolve() if commondir.exists() else gitdir.parents[1]
        candidates.append(main_git.parent.parent / FIXTURES_NAME)
    return next((path for path in candidates if path.exists()), candidates[0])


def as_dict(obj):
    """A stripe-python object as plain JSON data (what went over the wire)."""
    return json.loads(json.dumps(obj.to_dict(), default=str)) if hasattr(obj, "to_dict") else obj


#: Python type -> JSON type name; bool first, as a bool is also an int.
JSON_TYPES = ((bool, "bool"), (int, "int"), (float, "float"), (str, "str"), (list, "list"), (dict, "dict"))


def json_type(value):
    for python_type, name in JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def types_agree(expected, actual):
    """Same JSON type; an int is acceptable where Stripe shows a float, not the reverse."""
    expected_type, actual_type = json_type(expected), json_type(actual)
    return expected_type == actual_type or (expected_type == "float" and actual_type == "int")


def shape_problems(reference, actual):
    """Keys of Stripe's example missing from ``actual``, or of another JSON type."""
    problems = []
    for key, expected in reference.items():
        if key not in actual:
            problems.append(f"missing key {key!r}")
        elif expected is not None and actual[key] is not None and not types_agree(expected, actual[key]):
            problems.append(f"{key!r}: Stripe has {json_type(expected)}, emulator has {json_type(actual[key])}")
    return problems


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
