"""
Money as integer minor units plus an ISO 4217 currency.

Stripe counts amounts in the currency's smallest unit, and its idea of that
unit is not always ISO's, so the exponents below follow Stripe's list.
Conversion goes through Decimal only; a float never touches an amount.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import get_currency_symbol, list_currencies, parse_pattern
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

#: Currencies Stripe counts in whole units.
ZERO_DECIMAL = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf vnd vuv xaf xof xpf".split()
)
#: Currencies Stripe counts in thousandths; the last digit must be 0.
THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())
#: Stripe's "special cases": zero-decimal currencies that its API still counts in hundredths for backwards
#: compatibility, so an amount must be a multiple of 100 (5 ISK is 500). People see whole units.
WHOLE_UNITS_IN_HUNDREDTHS = frozenset("isk ugx".split())
# HUF and TWD, Stripe's other special cases, are charged with two decimals; only their payouts are whole
# units, which the plugin does not make: nothing to refuse at pricing.

#: The currencies Stripe accepts for charges (its "presentment currencies").
STRIPE_CURRENCIES = frozenset("""
    usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn bzd
    cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd
    hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad
    mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd omr pab pen pgk php pkr pln
    pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs tnd top try ttd twd tzs
    uah ugx uyu uzs vnd vuv wst xaf xcd xcg xof xpf yer zar zmw
""".split())

#: Stripe's minimum charge per currency, in major units (its table of minimum charge amounts). For the
#: others Stripe wants the equivalent of 0.50 USD in the account's settlement currency, which depends on
#: the day's exchange rate: Stripe alone can refuse those, at checkout.
MINIMUM_CHARGE = {
    "usd": "0.50", "aed": "2.00", "aud": "0.50", "bgn": "1.00", "brl": "0.50", "cad": "0.50",
    "chf": "0.50", "czk": "15.00", "dkk": "2.50", "eur": "0.50", "gbp": "0.30", "hkd": "4.00",
    "huf": "175.00", "inr": "0.50", "jpy": "50", "mxn": "10", "myr": "2", "nok": "3.00", "nzd": "0.50",
    "pln": "2.00", "ron": "2.00", "sek": "3.00", "sgd": "0.50", "thb": "10",
}

#: Largest price accepted, in major units: anything above is a typo, not a course.
MAX_MAJOR_AMOUNT = Decimal("999999")
#: Stripe takes at most eight digits of minor units (99,999,999), whatever the currency.
STRIPE_MAX_MINOR = 99_999_999


class MoneyError(ValueError):
    """An amount or a currency that cannot be charged."""


def normalize_currency(currency: str) -> str:
    """Lower-case ISO code, as Stripe writes it; raise on an unknown code."""
    code = (currency or "").strip().lower()
    if len(code) != 3 or code.upper() not in _known_currencies():
        raise MoneyError(_("Unknown currency: {currency}.").format(currency=currency))
    return code


_CURRENCIES: frozenset[str] | None = None


def _known_currencies() -> frozenset[str]:
    global _CURRENCIES
    if _CURRENCIES is None:
        _CURRENCIES = frozenset(list_currencies())
    return _CURRENCIES


def chargeable_currency(currency: str) -> str:
    """A currency a course can be priced in: known, and accepted by Stripe for charges."""
    code = normalize_currency(currency)
    if code not in STRIPE_CURRENCIES:
        raise MoneyError(_("Stripe does not accept payments in {currency}.").format(currency=code.upper()))
    return code


def exponent(currency: str) -> int:
    """How many decimals Stripe's API counts for this currency (its minor units)."""
    code = currency.lower()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def decimals(currency: str) -> int:
    """How many decimals people see and type (ISK and UGX: none, though Stripe counts hundredths)."""
    return 0 if currency.lower() in WHOLE_UNITS_IN_HUNDREDTHS else exponent(currency)


def minimum_charge(currency: str) -> int | None:
    """Stripe's minimum charge in minor units, or None when it depends on the exchange rate."""
    major = MINIMUM_CHARGE.get(currency.lower())
    return int(Decimal(major).scaleb(exponent(currency))) if major is not None else None


def check_minimum_charge(minor: int, currency: str) -> None:
    """Refuse a price below what Stripe charges in this currency."""
    least = minimum_charge(currency)
    if least is not None and minor < least:
        raise MoneyError(_("Stripe charges at least {amount}.").format(amount=format_amount(least, currency)))


def to_minor(amount: Decimal | str | int, currency: str) -> int:
    """
    Convert a major-unit amount ("49.00") to integer minor units (4900).

    Refuse what Stripe would refuse or round: more decimals than the currency
    has, a non-zero last digit for three-decimal currencies, a negative or
    absurd amount.
    """
    code = normalize_currency(currency)
    if isinstance(amount, float):
        raise MoneyError("Amounts are never floats.")
    try:
        value = Decimal(str(amount).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(_("{amount} is not a number.").format(amount=amount)) from exc
    if not value.is_finite():
        raise MoneyError(_("{amount} is not a number.").format(amount=amount))
    if value < 0:
        raise MoneyError(_("A price cannot be negative."))
    if value > MAX_MAJOR_AMOUNT:
        raise MoneyError(_("A price above {max} is not accepted.").format(max=MAX_MAJOR_AMOUNT))
    exp = exponent(code)
    scaled = value.scaleb(exp)
    if value.scaleb(decimals(code)) != value.scaleb(decimals(code)).to_integral_value():
        if code in WHOLE_UNITS_IN_HUNDREDTHS:
            raise MoneyError(_("Stripe charges {currency} in whole units only; {amount} has decimals.").format(
                currency=code.upper(), amount=amount))
        raise MoneyError(
            _("{currency} has {count} decimal(s); {amount} has more.").format(
                currency=code.upper(), count=exp, amount=amount
            )
        )
    minor = int(scaled)
    if minor > STRIPE_MAX_MINOR:
        raise MoneyError(_("This amount is above what Stripe accepts for {currency}.").format(currency=code.upper()))
    if code in THREE_DECIMAL and minor % 10:
        raise MoneyError(
            _("Stripe needs the last decimal of a {currency} amount to be 0.").format(currency=code.upper())
        )
    return minor


def to_major(minor: int, currency: str) -> Decimal:
    """Convert integer minor units back to a Decimal in major units (4900 → 49.00)."""
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise MoneyError("Minor units are integers.")
    return Decimal(minor).scaleb(-exponent(currency)).quantize(Decimal(1).scaleb(-decimals(currency)))


def current_locale() -> str:
    """The Babel locale of the active Django language (fr → fr_FR style)."""
    return to_locale(get_language() or "en")


def format_amount(minor: int, currency: str, locale: str | None = None) -> str:
    """Format for people in their locale: 4900 EUR → "49,00 €" (fr) or "€49.00" (en)."""
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise MoneyError("Minor units are integers.")
    return _formatted(minor, currency, locale or current_locale())


@lru_cache(maxsize=4096)
def _formatted(minor: int, currency: str, locale: str) -> str:
    """A pure function of its arguments, remembered: a catalog page shows the same few prices again and again."""
    code = currency.upper()
    loc = Locale.parse(locale)
    pattern = parse_pattern(loc.currency_formats["standard"].pattern)
    digits = decimals(currency)
    # Stripe's decimals, not the locale's habit, decide how many show.
    pattern.frac_prec = (digits, digits)
    text = pattern.apply(to_major(minor, currency), loc, currency=code, currency_digits=False)
    return currency_spacing(text, get_currency_symbol(code, loc))


#: CLDR's currencySpacing (the same in every locale): a no-break space between a digit and a currency
#: symbol whose side facing it is not itself a symbol. Babel does not apply it, so "KWD12.340" needs it.
CURRENCY_SPACE = "\u00a0"


def _is_symbol_or_space(char: str) -> bool:
    return unicodedata.category(char)[0] in "SZ"


def currency_spacing(text: str, symbol: str) -> str:
    """Insert CLDR's currency spacing around ``symbol`` in a formatted amount ("KWD12.340" → "KWD 12.340")."""
    at = text.find(symbol) if symbol else -1
    if at < 0:
        return text
    end = at + len(symbol)
    if end < len(text) and text[end].isdigit() and not _is_symbol_or_space(symbol[-1]):
        text = text[:end] + CURRENCY_SPACE + text[end:]
    if at > 0 and text[at - 1].isdigit() and not _is_symbol_or_space(symbol[0]):
        text = text[:at] + CURRENCY_SPACE + text[at:]
    return text


def format_price_ttc(minor: int, currency: str, locale: str | None = None) -> str:
    """A price shown tax included: "49,00 € TTC" in French, "€49.00 incl. tax" in English."""
    return _("{amount} incl. tax").format(amount=format_amount(minor, currency, locale))


@dataclass(frozen=True)
class Money:
    """An amount and its currency, kept together so they never drift apart."""

    minor: int
    currency: str

    def __post_init__(self):
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise MoneyError("Minor units are integers.")
        object.__setattr__(self, "currency", self.currency.lower())

    @classmethod
    def from_major(cls, amount, currency: str) -> Money:
        return cls(to_minor(amount, currency), normalize_currency(currency))

    @property
    def major(self) -> Decimal:
        return to_major(self.minor, self.currency)

    def format(self, locale: str | None = None) -> str:
        return format_amount(self.minor, self.currency, locale)
