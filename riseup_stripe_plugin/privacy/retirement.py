"""
The platform's user retirement (the right to erasure) reaches the plugin's tables.

Removed: the link to the learner's Stripe Customer, their audience scope, the
request paths of their back-office enrollments, the raw bodies of the webhook
events about them, the Checkout URLs of their orders. Kept, because the law
requires it of invoices (France: CGI art. 289, ten years under the Code de
commerce): each invoice's number, date, buyer as invoiced, amounts and tax, its
credit notes, and the orders behind them. The Stripe Customer is left in Stripe
unless ``RISEUP_STRIPE_DELETE_CUSTOMER_ON_RETIREMENT`` is on: the merchant's Stripe
account is its payment record, and a refund or dispute may still come.
"""

from __future__ import annotations

import logging

from django.db import transaction

from .. import conf
from ..exceptions import StripeGatewayError
from ..models import BackOfficeEnrollment, LearnerScope, Order, StripeCustomer, StripeEvent
from ..stripe_gateway import StripeGateway
from .retention import erase_bodies, events_about

log = logging.getLogger(__name__)


def retire_learner(user) -> dict:
    """Remove the learner's personal data from the plugin's tables; idempotent. Returns what was done."""
    with transaction.atomic():
        customers = list(StripeCustomer.objects.filter(user=user).values_list("customer_id", flat=True))
        orders = Order.objects.filter(user=user)
        ids = customers + [value for row in orders.values_list("checkout_session_id", "payment_intent_id",
                                                               "stripe_invoice_id") for value in row]
        done = {
            "events": erase_bodies(StripeEvent.objects.filter(events_about(ids))) if ids else 0,
            "customers": StripeCustomer.objects.filter(user=user).delete()[0],
            "scopes": LearnerScope.objects.filter(user=user).delete()[0],
            "back_office": BackOfficeEnrollment.objects.filter(learner=user).exclude(request_path="").update(
                request_path=""),
        }
        LearnerScope.objects.filter(set_by=user).update(set_by=None)
        orders.exclude(checkout_url="").update(checkout_url="")
        if customers and conf.get("RISEUP_STRIPE_DELETE_CUSTOMER_ON_RETIREMENT"):
            # After the commit: never a Stripe call inside the retirement's transaction.
            transaction.on_commit(lambda: delete_customers(customers))
    log.info("Learner %s retired: %s", user.pk, done)
    return done


def delete_customers(customer_ids: list[str]) -> None:
    gateway = StripeGateway()
    for customer_id in customer_ids:
        try:
            gateway.delete_customer(customer_id)
        except StripeGatewayError as exc:
            log.error("Could not delete Stripe customer %s of a retired learner: %s; delete it in the Dashboard",
                      customer_id, exc.detail)
