"""Sell Open edX courses with Stripe Checkout."""

__version__ = "0.1.0"
