"""
Money as integer minor units plus an ISO 4217 currency.

Stripe counts amounts in the currency's smallest unit, and its idea of that
unit is not always ISO's, so the exponents below follow Stripe's list.
Conversion goes through Decimal only; a float never touches an amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import list_currencies, parse_pattern
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

#: Currencies Stripe counts in whole units.
ZERO_DECIMAL = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()
)
#: Currencies Stripe counts in thousandths; the last digit must be 0.
THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())

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


def exponent(currency: str) -> int:
    """How many decimals Stripe counts for this currency."""
    code = currency.lower()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


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
    if scaled != scaled.to_integral_value():
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
    exp = exponent(currency)
    return Decimal(minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))


def current_locale() -> str:
    """The Babel locale of the active Django language (fr → fr_FR style)."""
    return to_locale(get_language() or "en")


def format_amount(minor: int, currency: str, locale: str | None = None) -> str:
    """Format for people in their locale: 4900 EUR → "49,00 €" (fr) or "€49.00" (en)."""
    code = currency.upper()
    loc = Locale.parse(locale or current_locale())
    pattern = parse_pattern(loc.currency_formats["standard"].pattern)
    exp = exponent(currency)
    # Stripe's exponent, not the locale's habit, decides how many decimals show.
    pattern.frac_prec = (exp, exp)
    return pattern.apply(to_major(minor, currency), loc, currency=code, currency_digits=False)


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
