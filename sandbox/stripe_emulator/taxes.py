"""Tax amounts of one line, from its TaxRates (inclusive and/or exclusive)."""

from decimal import Decimal

from .money import rounded


def line_taxes(net, rates, taxability_reason=None):
    """Taxes on a line whose discounted amount is ``net`` (minor units).

    Inclusive rates are inside ``net``: the taxable base is what remains once
    they are taken out; exclusive rates are added on that base.
    """
    inclusive_total = sum((Decimal(rate._percentage) for rate in rates if rate.inclusive), Decimal(0))
    base = Decimal(net) * 100 / (100 + inclusive_total)
    taxes = []
    for rate in rates:
        amount = rounded(base * Decimal(rate._percentage) / 100)
        taxes.append(
            {
                "rate": rate,
                "amount": amount,
                "taxable_amount": 0,
                "taxability_reason": taxability_reason or ("standard_rated" if rate._percentage else "zero_rated"),
            }
        )
    included = sum(tax["amount"] for tax in taxes if tax["rate"].inclusive)
    for tax in taxes:
        tax["taxable_amount"] = net - included
    return taxes
