"""Integer minor-unit arithmetic: currencies, discounts and taxes.

Amounts are always integers in the currency's smallest unit, as in Stripe;
ratios go through Decimal with half-up rounding, never through floats.
"""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])
# UGX and ISK are zero-decimal for people but Stripe counts them in hundredths (its "special cases").

#: Rate of the emulator's simplified automatic tax (``automatic_tax.enabled``).
AUTOMATIC_TAX_PERCENTAGE = Decimal(20)


def exponent(currency):
    currency = (currency or "").lower()
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def format_amount(amount, currency):
    """``4900, "eur"`` -> ``"49.00 EUR"``; ``5000, "jpy"`` -> ``"5000 JPY"``."""
    digits = exponent(currency)
    value = Decimal(int(amount)).scaleb(-digits)
    return f"{value:.{digits}f} {currency.upper()}"


def rounded(value):
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(amount, percentage):
    """``percentage`` % of ``amount``, rounded half up."""
    return rounded(Decimal(amount) * Decimal(percentage) / 100)


def included_tax(amount, percentage):
    """Tax already inside a tax-inclusive ``amount``."""
    percentage = Decimal(percentage)
    return rounded(Decimal(amount) * percentage / (100 + percentage))


def split_proportionally(total, weights):
    """Split ``total`` over ``weights`` in integers that add up exactly."""
    weight_sum = sum(weights)
    if not weights:
        return []
    if weight_sum == 0:
        return [0] * (len(weights) - 1) + [total]
    shares = [int((Decimal(total) * weight / weight_sum).to_integral_value(rounding=ROUND_FLOOR)) for weight in weights]
    shares[-1] += total - sum(shares)
    return shares


def percentage_json(value):
    """Decimal percentage as JSON: int when whole (19), else float (25.5)."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)
