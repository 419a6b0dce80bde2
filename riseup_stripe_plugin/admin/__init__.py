"""
Django admin (LMS and Studio), one module per area.

``base``: the read-only base of the record-keeping admins; ``orders``: orders and Stripe events;
``invoices``: invoices and their cancellation by credit note; ``payment_settings``: the payment
settings page; ``pricing``: course offers; ``audience``: audience rules and learners' scopes;
``backoffice``: back-office enrollments; ``dashboard`` (with ``charts``): the sales dashboard.
Importing this package registers them all.
"""

from . import audience, backoffice, invoices, orders, payment_settings, pricing  # noqa: F401
