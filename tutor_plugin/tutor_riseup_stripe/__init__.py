"""Tutor plugin that installs and configures riseup-stripe-plugin."""
