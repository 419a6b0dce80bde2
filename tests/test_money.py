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
    (12340, "kwd", "en_US", "KWD\u00a012.340"),  # CLDR's currency spacing: a code is not glued to digits
    (12340, "kwd", "fr_FR", "12,340\u00a0KWD"),
    (1234, "chf", "en_US", "CHF\u00a012.34"),
    (-1234, "chf", "en_US", "-CHF\u00a012.34"),
    (1999, "usd", "en_US", "$19.99"),
])
def test_format_amount_by_locale(minor, currency, locale, text):
    assert money.format_amount(minor, currency, locale).replace("\u202f", "\u00a0") == text


def test_price_ttc_in_french_and_english():
    with translation.override("fr"):
        assert money.format_price_ttc(4900, "eur").replace("\u202f", "\u00a0") == "49,00\u00a0€ TTC"
    with translation.override("en"):
        assert money.format_price_ttc(4900, "eur") == "€49.00 incl. tax"
        assert money.format_price_ttc(12340, "kwd") == "KWD\u00a012.340 incl. tax"


def test_money_value():
    price = Money.from_major("49.00", "EUR")
    assert price == Money(4900, "eur")
    assert price.major == Decimal("49.00")


# --- What Stripe accepts as an amount (its currency notes) ------------------------------------------------

@pytest.mark.parametrize("currency", ["isk", "ugx"])
def test_isk_and_ugx_are_whole_units_sent_in_hundredths(currency):
    assert money.to_minor("5", currency) == 500  # "to charge 5 ISK, provide an amount value of 500"
    assert money.to_major(500000, currency) == Decimal("5000")
    with pytest.raises(money.MoneyError, match="whole units"):
        money.to_minor("5.50", currency)


@pytest.mark.parametrize("currency", ["huf", "twd"])
def test_huf_and_twd_are_charged_with_two_decimals(currency):
    # Stripe's special case for these is their payouts (whole units), not their charges.
    assert money.to_minor("175.50", currency) == 17550


@pytest.mark.parametrize("amount, currency, least", [
    ("0.49", "usd", "$0.50"), ("0.49", "eur", "€0.50"), ("0.29", "gbp", "£0.30"), ("49", "jpy", "¥50"),
    ("174.99", "huf", "HUF 175.00"), ("9.99", "mxn", "MX$10.00"),
])
def test_below_stripes_minimum_charge_is_refused(amount, currency, least):
    minor = money.to_minor(amount, currency)
    with pytest.raises(money.MoneyError) as refused:
        money.check_minimum_charge(minor, currency)
    assert str(refused.value).replace("\xa0", " ") == f"Stripe charges at least {least}."
    money.check_minimum_charge(money.minimum_charge(currency), currency)  # the minimum itself is fine


def test_currencies_stripe_does_not_charge_in_are_refused():
    assert money.chargeable_currency("EUR") == "eur"
    for code in ("xau", "ves", "kpw"):  # ISO codes (gold, bolívar, North Korean won) Stripe does not take
        with pytest.raises(money.MoneyError, match="Stripe does not accept payments in"):
            money.chargeable_currency(code)
