"""
Generated webhook bodies and signature headers (Hypothesis): every forged one is refused with 400 and
nothing is stored or processed; every valid one is processed once, however often it is delivered.
"""

import itertools
import json
import time
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riseup_stripe_plugin.models import Order, StripeEvent
from riseup_stripe_plugin.stripe_gateway import WEBHOOK_EVENTS

from ..conftest import sign_payload

pytestmark = pytest.mark.django_db

FORGED_EXAMPLES = 800
VALID_EXAMPLES = 300
_ids = itertools.count()
_tally = Counter()

HYPOTHESIS = settings(deadline=None, database=None, derandomize=True,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

ALNUM = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=6, max_size=24)
#: Objects no order of ours is behind (none names a riseup order): handlers settle them without Stripe.
OBJECT_PREFIX = {"checkout.session": "cs_test_", "invoice": "in_", "charge": "ch_", "credit_note": "cn_",
                 "dispute": "dp_", "customer": "cus_", "payment_intent": "pi_"}


def _object_for(event_type: str):
    kind = event_type.rsplit(".", 1)[0].removeprefix("charge.") if event_type.startswith("charge.dispute") \
        else event_type.rsplit(".", 1)[0]
    prefix = OBJECT_PREFIX.get(kind, "obj_")
    foreign = st.fixed_dictionaries({"riseup_installation": st.sampled_from(["other-site", "staging"])})
    others = st.dictionaries(st.sampled_from(["source", "crm_id", "note"]), ALNUM, min_size=1, max_size=3)
    return st.fixed_dictionaries({
        "id": ALNUM.map(lambda s: prefix + s),
        "object": st.just(kind),
        "metadata": st.one_of(others, foreign),
        "payment_intent": ALNUM.map(lambda s: "pi_" + s),
        "invoice": ALNUM.map(lambda s: "in_" + s),
        "amount": st.integers(min_value=0, max_value=10**9),
        "currency": st.sampled_from(["eur", "usd", "jpy", "kwd"]),
    })


event_types = st.sampled_from(sorted(WEBHOOK_EVENTS) + ["customer.created", "payment_intent.succeeded",
                                                         "refund.created", "unheard.of"])


@st.composite
def events(draw):
    event_type = draw(event_types)
    return {
        "id": f"evt_{draw(ALNUM)}{next(_ids)}",
        "object": "event",
        "type": event_type,
        "api_version": draw(st.sampled_from(["2026-10-28.endive", "2024-06-20", None])),
        "created": draw(st.integers(min_value=1_500_000_000, max_value=2_000_000_000)),
        "livemode": draw(st.booleans()),
        "data": {"object": draw(_object_for(event_type))},
    }


def _secret():
    return django_settings.RISEUP_STRIPE_WEBHOOK_SECRET


@st.composite
def forgeries(draw):
    """(body, header or None, how it was forged)."""
    body = json.dumps(draw(events())).encode()
    how = draw(st.sampled_from(["random header", "wrong secret", "tampered body", "stale", "no header",
                                "v0 only", "malformed", "random body", "not an event", "no evt id"]))
    now = int(time.time())
    if how == "random header":
        return body, draw(st.text(max_size=200)), how
    if how == "wrong secret":
        return body, sign_payload(body, "whsec_" + draw(ALNUM)), how
    if how == "tampered body":
        header = sign_payload(body, _secret())
        index = draw(st.integers(min_value=0, max_value=len(body) - 1))
        flipped = bytes([body[index] ^ draw(st.integers(min_value=1, max_value=255))])
        return body[:index] + flipped + body[index + 1:], header, how
    if how == "stale":
        return body, sign_payload(body, _secret(), now - draw(st.integers(min_value=301, max_value=10**7))), how
    if how == "no header":
        return body, None, how
    if how == "v0 only":
        return body, sign_payload(body, _secret()).replace("v1=", "v0="), how
    if how == "malformed":
        good = sign_payload(body, _secret())
        return body, draw(st.sampled_from([good.replace(",", ";"), good.replace("t=", "t=x"),
                                           good.split(",")[1], good.upper(), good[:-1]])), how
    if how == "random body":
        raw = draw(st.binary(max_size=300))
        return raw, draw(st.one_of(st.none(), st.text(max_size=80), st.just(sign_payload(body, _secret())))), how
    if how == "not an event":
        raw = draw(st.sampled_from([b"[]", b"null", b"42", b"not json", "é".encode("latin-1"), b'"evt_1"']))
        return raw, sign_payload(raw, _secret()), how
    raw = json.dumps({**json.loads(body), "id": draw(st.sampled_from(["", "ch_1", "event_1", None]))}).encode()
    return raw, sign_payload(raw, _secret()), how


def _post(client, body, header):
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header is not None else {}
    return client.post(reverse("riseup_stripe:webhook"), data=body, content_type="application/json", **extra)


@settings(HYPOTHESIS, max_examples=FORGED_EXAMPLES)
@given(forged=forgeries())
def test_every_forged_delivery_is_refused_and_nothing_is_stored(client, stripe, forged):
    body, header, how = forged
    stored, orders = StripeEvent.objects.count(), Order.objects.count()
    response = _post(client, body, header)
    assert response.status_code == 400, (how, header, body[:200])
    assert (StripeEvent.objects.count(), Order.objects.count()) == (stored, orders)
    _tally["forged", how] += 1


@settings(HYPOTHESIS, max_examples=VALID_EXAMPLES)
@given(event=events(), copies=st.integers(min_value=1, max_value=3))
def test_every_valid_delivery_is_processed_once(client, stripe, event, copies):
    body = json.dumps(event).encode()
    responses = [_post(client, body, sign_payload(body, _secret())) for _ in range(copies)]
    assert [r.status_code for r in responses] == [200] * copies, responses[0].content
    record = StripeEvent.objects.get(event_id=event["id"])
    assert record.processed and record.attempts == 1 and record.verified
    assert record.outcome.startswith("ignored")  # no order of ours is behind any generated object
    _tally["valid"] += 1
    _tally["valid deliveries"] += copies


def test_the_generated_figure(figure):
    """Runs after the two above (file order): the figure of what they generated."""
    forged = {how: n for (kind, *rest), n in _tally.items() if kind == "forged" for how in rest}
    total_forged = sum(forged.values())
    if not total_forged or not _tally["valid"]:
        pytest.skip("run with the two generating tests")
    assert total_forged + _tally["valid"] >= 1000
    figure("forged-webhooks",
           f"{total_forged} forged deliveries refused with 400, 0 stored "
           f"({', '.join(f'{k} {v}' for k, v in sorted(forged.items()))}); "
           f"{_tally['valid']} valid events in {_tally['valid deliveries']} deliveries, each stored and processed once")
