"""
The Stripe Customer each learner is billed as: made by Checkout, recorded, kept up to date, recreated.

Starting a purchase is one Stripe call, the Checkout Session: a learner with a stored Customer is sent
with it; a new learner is sent with their email and Checkout creates the Customer (``customer_creation``),
which fulfilment then records from the session. A Customer deleted in the Dashboard (Stripe answers
``resource_missing``) is forgotten and Checkout makes a new one, instead of failing every later purchase.
The learner's new email or name reaches Stripe when the platform says it changed, never on the Buy path.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import IntegrityError, transaction

from ..exceptions import PaymentRequestError, StripeGatewayError
from ..models import StripeCustomer
from ..stripe_gateway import StripeGateway, checkout_locale, object_id

log = logging.getLogger(__name__)

#: Set while a webhook is processed in its own request: a new Customer's details wait (see :func:`details_deferred`).
_details_deferred: ContextVar[bool] = ContextVar("riseup_stripe_customer_details_deferred", default=False)


@contextmanager
def details_deferred():
    """
    A new Customer recorded inside this block gets its name, locale and stamp later, not in this request.

    The webhook's request (request mode) answers Stripe once the purchase is settled: the Customer's details
    are the one Stripe call it does not need. They are sent by the learner's return page
    (:func:`send_pending_details`), by the next reconciliation run, or with the learner's next change of
    email or name, whichever comes first; ``StripeCustomer.details_pending`` says they are still due.
    Nothing waits for them: Checkout made the Customer with the learner's email, the invoice is already
    issued, and objects without the stamp count as this installation's.
    """
    token = _details_deferred.set(True)
    try:
        yield
    finally:
        _details_deferred.reset(token)


def _after_recording(order, session: dict, gateway, customer_id: str, deferred: bool) -> None:
    if not deferred:
        transaction.on_commit(lambda: update_customer_details(
            order.user, gateway=gateway, language=session.get("locale"), customer_id=customer_id))


def learner_name(user) -> str:
    """The name the learner is invoiced under (the account's full name, else the username)."""
    return ((user.get_full_name() if hasattr(user, "get_full_name") else "") or user.username or "")[:256]


def stored_customer_id(user, livemode: bool) -> str:
    return StripeCustomer.objects.filter(user=user, livemode=livemode).values_list("customer_id", flat=True).first() \
        or ""


def checkout_customer_params(user, customer_id: str) -> dict:
    """The session's customer parameters: the stored Customer, or the email Checkout creates one with."""
    if customer_id:
        return {"customer": customer_id}
    return {"customer_email": user.email, "customer_creation": "always"}


def is_missing_customer(exc: PaymentRequestError) -> bool:
    """Stripe's answer about a Customer that no longer exists (deleted in the Dashboard)."""
    return exc.code == "resource_missing" and exc.param == "customer"


def forget_customer(user, customer_id: str) -> None:
    """The stored Customer is gone at Stripe: the next purchase lets Checkout create another."""
    deleted, _ = StripeCustomer.objects.filter(user=user, customer_id=customer_id).delete()
    if deleted:
        log.warning("Stripe customer %s of user %s no longer exists; a new one will be made", customer_id, user.pk)


def remember_checkout_customer(order, session: dict, gateway: StripeGateway | None = None, *,
                               save_order: bool = True) -> None:
    """
    Record the Customer Checkout created for a new learner (one per learner and mode), and give it the
    learner's name, locale and this installation's stamp after the commit.

    ``save_order=False``: the caller writes the order's ``stripe_customer_id`` (set here in memory)
    with the state change it is about to make, one UPDATE instead of two.
    """
    customer_id = object_id(session.get("customer"))
    if not customer_id or order.stripe_customer_id == customer_id:
        return
    if save_order:
        type(order).objects.filter(pk=order.pk).update(stripe_customer_id=customer_id)
    order.stripe_customer_id = customer_id
    livemode = bool(session.get("livemode"))
    # A learner with a stored Customer was sent to Checkout with it (the order names it since Buy), so
    # this is a new learner's: insert, and let the unique key say whether another caller was first.
    deferred = _details_deferred.get()
    try:
        with transaction.atomic():
            StripeCustomer.objects.create(user_id=order.user_id, livemode=livemode, customer_id=customer_id,
                                          details_pending=deferred)
    except IntegrityError:
        return  # recorded by the other caller (return page and webhook at once)
    _after_recording(order, session, gateway, customer_id, deferred)


def record_checkout_customer(order, session: dict, gateway: StripeGateway | None = None) -> None:
    """
    :func:`remember_checkout_customer` inside the caller's transaction, under the order's row lock.

    The order's ``stripe_customer_id`` is set in memory only: the caller writes it with the order's next
    UPDATE. The row is inserted with the unique keys settling a race (``ignore_conflicts``: a learner's
    other purchase recorded their first Customer, which stays theirs), so no savepoint is needed and
    nothing here can undo the caller's transaction.
    """
    customer_id = object_id(session.get("customer"))
    if not customer_id or order.stripe_customer_id == customer_id:
        return
    order.stripe_customer_id = customer_id
    deferred = _details_deferred.get()
    StripeCustomer.objects.bulk_create(
        [StripeCustomer(user_id=order.user_id, livemode=bool(session.get("livemode")), customer_id=customer_id,
                        details_pending=deferred)],
        ignore_conflicts=True)
    _after_recording(order, session, gateway, customer_id, deferred)


def update_customer_details(user, *, gateway: StripeGateway | None = None, language: str | None = None,
                            customer_id: str = "", pending: bool = False) -> bool:
    """
    Send the learner's present email and name to their Stripe Customer (invoices go to that email).

    Off the Buy path: after a Checkout made the Customer, and when the platform says the email or the
    name changed. A failure is logged (the next change, or purchase, tries again); a Customer deleted
    at Stripe is forgotten. ``customer_id``: the Customer just recorded (not read again). ``pending``:
    the Customer's details may still be due (:func:`details_deferred`), and are no longer once sent.
    Returns whether nothing is left to send (sent, or the Customer gone).
    """
    gateway = gateway or StripeGateway()
    try:
        customer_id = customer_id or stored_customer_id(user, gateway.settings.livemode)
        if not customer_id:
            return True
        gateway.update_customer(customer_id, user_id=user.pk, email=user.email, name=learner_name(user),
                                locale=checkout_locale(language) if language else "")
    except PaymentRequestError as exc:
        if exc.code == "resource_missing":  # the Customer is gone (is_missing_customer, whatever param Stripe names)
            forget_customer(user, customer_id)
            return True
        log.warning("Stripe customer of user %s not updated: %s", user.pk, exc.detail)
        return False
    except StripeGatewayError as exc:
        log.warning("Stripe customer of user %s not updated: %s", user.pk, exc.detail)
        return False
    if pending:
        StripeCustomer.objects.filter(customer_id=customer_id, details_pending=True).update(details_pending=False)
    return True


def send_pending_details(user, *, gateway: StripeGateway | None = None, language: str | None = None) -> None:
    """The learner's Customer details a webhook's request left for later (:func:`details_deferred`), sent now."""
    if user is None or not getattr(user, "pk", None):
        return
    for customer_id in StripeCustomer.objects.filter(user=user, details_pending=True).values_list("customer_id",
                                                                                                  flat=True):
        update_customer_details(user, gateway=gateway, language=language, customer_id=customer_id, pending=True)


def learner_contact_changed(user) -> None:
    """The platform changed a learner's email or name: their Customer follows, once the change has committed."""
    if user is None or not getattr(user, "pk", None):
        return
    if not StripeCustomer.objects.filter(user=user).exists():
        return  # never bought anything: nothing at Stripe to update
    transaction.on_commit(lambda: update_customer_details(user, pending=True))
