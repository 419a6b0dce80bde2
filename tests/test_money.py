from decimal import Decimal

import pytest
from django.utils import translation

from riseup_stripe_plugin import money
from riseup_stripe_plugin.money import Money, MoneyError


@pytest.mark.parametrize("amount,currency,minor", [
    ("49.00", "EUR", 4900), ("49", "eur", 4900), ("19.99", "usd", 1999), ("0.01", "eur", 1),
    ("5000", "JPY", 5000), ("5000", "krw", 5000), ("12.340", "KWD", 12340), ("1.5", "bhd", 1500),
    ("49,90", "eur", 4990), (Decimal("0.10"), "eur", 10),
])
def test_to_minor_uses_the_currency_exponent(amount, currency, minor):
    assert money.to_minor(amount, currency) == minor


@pytest.mark.parametrize("amount,currency", [
    ("49.001", "eur"), ("5000.5", "jpy"), ("12.345", "kwd"), ("-1", "eur"), ("abc", "eur"),
    ("1000000", "eur"), ("NaN", "eur"), ("Infinity", "usd"), ("10", "zzz"), ("10", "eu"),
    ("100000", "kwd"),  # 100,000.000 KWD: nine digits of minor units, beyond Stripe
])
def test_to_minor_refuses_what_stripe_would_refuse(amount, currency):
    with pytest.raises(MoneyError):
        money.to_minor(amount, currency)


def test_floats_are_refused():
    with pytest.raises(MoneyError):
        money.to_minor(49.99, "eur")
    with pytest.raises(MoneyError):
        Money(49.0, "eur")


@pytest.mark.parametrize("minor,currency,major", [
    (4900, "eur", Decimal("49.00")), (5000, "jpy", Decimal("5000")), (12340, "kwd", Decimal("12.340")),
])
def test_to_major_round_trips(minor, currency, major):
    assert money.to_major(minor, currency) == major
    assert money.to_minor(money.to_major(minor, currency), currency) == minor


@pytest.mark.parametrize("minor,currency,locale,text", [
    (4900, "eur", "fr_FR", "49,00\u00a0€"),
    (4900, "eur", "en_US", "€49.00"),
    (500000, "jpy", "en_US", "¥500,000"),
    (12340, "kwd", "en_US", "KWD12.340"),
    (1999, "usd", "en_US", "$19.99"),
])
def test_format_amount_by_locale(minor, currency, locale, text):
    assert money.format_amount(minor, currency, locale).replace("\u202f", "\u00a0") == text


def test_price_ttc_in_french_and_english():
    with translation.override("fr"):
        assert money.format_price_ttc(4900, "eur").replace("\u202f", "\u00a0") == "49,00\u00a0€ TTC"
    with translation.override("en"):
        assert money.format_price_ttc(4900, "eur") == "€49.00 incl. tax"


def test_money_value():
    price = Money.from_major("49.00", "EUR")
    assert price == Money(4900, "eur")
    assert price.major == Decimal("49.00")
