"""
What the plugin stores, one module per part: offers, customers, orders, billing (invoices and credit
notes), the catalog's read model, Stripe events, payment settings, back-office enrollments and audience scopes.

Every model is importable from here (``riseup_stripe_plugin.models``), the path the rest of the code,
the migrations and other plugins use. Amounts are integer minor units next to their ISO currency.
"""

from .audience import AudienceRule, LearnerScope
from .billing import CreditNote, Invoice, InvoiceStatus
from .catalog import CatalogCourse
from .configuration import Installation, PaymentConfiguration, TaxMode
from .customers import StripeCustomer
from .enrollment import BackOfficeEnrollment
from .events import EventStatus, StripeEvent
from .offers import CourseOffer, OfferChange
from .orders import ConcurrentTransition, Order

__all__ = [
    "AudienceRule", "BackOfficeEnrollment", "CatalogCourse", "ConcurrentTransition", "CourseOffer", "CreditNote",
    "EventStatus", "Installation", "Invoice", "InvoiceStatus", "LearnerScope", "OfferChange", "Order",
    "PaymentConfiguration", "StripeCustomer", "StripeEvent", "TaxMode",
]
