"""
Fulfilment: from a Checkout Session Stripe says is paid, to one enrollment.

One function decides, whoever calls it (the webhook, the return page, a
retry): :func:`apply_session`. It re-reads nothing itself; callers hand it a
session freshly retrieved from Stripe. Every state change is a
compare-and-set, the enrollment happens under a row lock, so two callers at
once enroll the learner once.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, InterfaceError, OperationalError, transaction

from .. import edxapp_wrapper as platform
from ..billing.invoices import insert_invoice, invoice_fields, invoice_names_order, link_invoice, record_invoice
from ..enrollment.gate import fulfilling
from ..exceptions import FulfilmentError, NotYourOrder
from ..models import ConcurrentTransition, Invoice, Order
from ..signals import order_fulfilled
from ..states import OrderState
from ..stripe_gateway import object_id
from .customers import record_checkout_customer, remember_checkout_customer

log = logging.getLogger(__name__)

PAID_STATUSES = ("paid", "no_payment_required")
#: The last error of an order refunded before its fulfilment could enroll the learner.
REFUNDED_FIRST = "refunded before fulfilment"


def _reference(session: dict):
    """The order's uuid a session carries (``client_reference_id``, else its metadata)."""
    return session.get("client_reference_id") or (session.get("metadata") or {}).get("riseup_order")


def _checked(order: Order | None, session: dict, expected_user) -> Order:
    """``order`` if the session was made for it (and for ``expected_user``); else :class:`NotYourOrder`."""
    if order is None or order.checkout_session_id != session.get("id"):
        raise NotYourOrder(detail=f"session {session.get('id')} names no order of ours")
    if expected_user is not None and order.user_id != expected_user.pk:
        raise NotYourOrder(detail=f"session {session.get('id')} belongs to another learner")
    return order


def order_for_session(session: dict, expected_user=None) -> Order:
    """The order a session was made for, checked both ways; else :class:`NotYourOrder`."""
    return _checked(Order.by_reference(_reference(session)), session, expected_user)


def amount_problem(order: Order, session: dict) -> str:
    """Why the session's amounts do not match what the learner agreed to pay ('' when they do)."""
    currency = (session.get("currency") or "").lower()
    if currency != order.currency:
        return f"currency {currency!r} differs from the order's {order.currency!r}"
    subtotal = session.get("amount_subtotal")
    total = session.get("amount_total")
    discount = int((session.get("total_details") or {}).get("amount_discount") or 0)
    if subtotal != order.amount:
        return f"subtotal {subtotal} differs from the order's price {order.amount}"
    if total is None or total != subtotal - discount or total < 0:
        return f"total {total} is not the subtotal {subtotal} less the discount {discount}"
    if session.get("payment_status") == "no_payment_required" and total != 0:
        return f"no payment required but the total is {total}"
    return ""


def _move(order: Order, target: str, **changes) -> bool:
    """Transition if still possible; a concurrent caller having moved first is fine."""
    try:
        order.transition(target, **changes)
        return True
    except ConcurrentTransition:
        order.refresh_from_db()
        return False


def _promotion_code(session: dict) -> tuple[str, str]:
    """The promotion code's id and, when the session came expanded, the code the learner typed."""
    for discount in session.get("discounts") or []:
        code = discount.get("promotion_code")
        if code:
            return (code, "") if isinstance(code, str) else (code.get("id", ""), str(code.get("code") or "")[:255])
    return "", ""


def _payment(order: Order, session: dict) -> dict:
    """What a paid session says about its payment, as the order keeps it."""
    promotion_code_id, promotion_code = _promotion_code(session)
    return {
        "stripe_customer_id": order.stripe_customer_id,
        "amount_paid": int(session.get("amount_total") or 0),
        "amount_discount": int((session.get("total_details") or {}).get("amount_discount") or 0),
        "promotion_code_id": promotion_code_id,
        "promotion_code": promotion_code,
        "payment_intent_id": object_id(session.get("payment_intent")),
        "stripe_invoice_id": object_id(session.get("invoice")),
    }


def apply_session(session: dict, *, expected_user=None, gateway=None, invoice: dict | None = None) -> Order:
    """Bring the order in line with the session; enroll when it is paid and right."""
    invoice_ref = session.get("invoice")
    if invoice is None and isinstance(invoice_ref, dict):
        invoice = invoice_ref
    recorded = False
    if session.get("status") == "complete" and session.get("payment_status") in PAID_STATUSES:
        order, recorded = _settle_paid(session, expected_user, gateway, invoice)
    else:
        order = _apply_unpaid(session, expected_user, gateway)
    if recorded:
        return order
    if (invoice is None and invoice_ref and gateway is not None
            and not Invoice.objects.filter(stripe_invoice_id=invoice_ref, stripe_status="paid").exists()):
        invoice = gateway.retrieve_invoice(invoice_ref)
    if invoice is not None:
        record_invoice(invoice, order=order)
    return order


def _apply_unpaid(session: dict, expected_user, gateway) -> Order:
    """A session not paid (yet): expired, or completed with a delayed payment on its way."""
    order = order_for_session(session, expected_user)
    status = session.get("status")
    S = OrderState
    remember_checkout_customer(order, session, gateway)
    if status == "expired" and order.state in (S.CREATED, S.AWAITING_PAYMENT):
        _move(order, S.EXPIRED)
    elif status == "complete" and session.get("payment_status") == "unpaid" and order.state == S.AWAITING_PAYMENT:
        _move(order, S.PAYMENT_PENDING, payment_intent_id=object_id(session.get("payment_intent")))
    elif order.state == S.PAID:
        order = fulfil(order)
    return order


def _settle_paid(session: dict, expected_user, gateway, invoice: dict | None) -> tuple[Order, bool]:
    """
    A paid session: the order paid, the learner enrolled and the invoice stored, under one lock if possible.

    Returns the order and whether the invoice was stored with it. Anything unusual that the one
    transaction cannot settle (a unique key refusing a write, an unexpected error from the platform)
    rolls all of it back, and the step-by-step path runs instead: the payment recorded first, in its own
    transaction, then the enrollment, each checked on its own, so a payment is never lost to a
    failure of what follows it. A database that is busy or gone is not retried here: nothing was
    kept, and the caller's retry (Stripe's next delivery) finds the same session.
    """
    try:
        return _settle_paid_at_once(session, expected_user, gateway, invoice)
    except (NotYourOrder, FulfilmentError, OperationalError, InterfaceError):
        raise
    except Exception as exc:  # noqa: BLE001 - rolled back: the checked path below says what to do
        log.warning("Session %s settled step by step: %s", session.get("id"), exc.__class__.__name__)
    return _settle_paid_stepwise(session, expected_user, gateway), False


def _settle_paid_at_once(session: dict, expected_user, gateway, invoice: dict | None) -> tuple[Order, bool]:
    """
    One transaction under the order's row lock, taken by reference (no read before it): the Customer
    Checkout made, the invoice when the session brought it, the enrollment, then the order moved to
    FULFILLED through PAID in one UPDATE. The enrollment is made before the order says FULFILLED, so
    the gate is told the order is being fulfilled (:func:`~..enrollment.gate.fulfilling`). A refusal
    by the platform's enrollment filter comes before the platform writes anything: the order is then
    kept PAID with the refusal as its last error, for a retry, and :class:`FulfilmentError` raised.
    """
    S = OrderState
    refused = None
    recorded = False
    with transaction.atomic():
        order = _checked(Order.locked_by_reference(_reference(session)), session, expected_user)
        known_customer = order.stripe_customer_id
        record_checkout_customer(order, session, gateway)  # in memory on the order, written with its next UPDATE
        # The Customer just recorded, for the writes of an order already paid (a paying one writes its payment).
        customer = {"stripe_customer_id": order.stripe_customer_id} if order.stripe_customer_id != known_customer \
            else {}
        if order.state in (S.AWAITING_PAYMENT, S.PAYMENT_PENDING):
            payment = _payment(order, session)
            problem = amount_problem(order, session)
            if problem:
                # The payment ids are kept: an administrator may refund or release the order later.
                log.error("Order %s flagged: %s", order.uuid, problem)
                order.transition(S.FLAGGED, flag_reason=problem, **payment)
            elif order.has_cancelled_invoice:
                # Refunded before it was fulfilled (a Dashboard refund racing the session event), seen under
                # the lock that cancellation takes too.
                order.transition(S.CANCELLED, through=S.PAID, last_error=REFUNDED_FIRST, **payment)
            else:
                recorded = _store_new_invoice(order, invoice, payment["promotion_code"])
                refused = _enroll_paid(order, through=S.PAID, **payment)
        elif order.state == S.PAID:  # paid earlier, its enrollment refused then: try again
            if order.has_cancelled_invoice:
                order.transition(S.CANCELLED, last_error=REFUNDED_FIRST, **customer)
            else:
                recorded = _store_new_invoice(order, invoice, order.promotion_code)
                refused = _enroll_paid(order, **customer)
        else:
            if customer:
                Order.objects.filter(pk=order.pk).update(**customer)
            if order.state in (S.FULFILLED, S.FLAGGED):
                recorded = _store_new_invoice(order, invoice, order.promotion_code)
    if refused is not None:
        log.error("Order %s is paid but the enrollment was refused: %s", order.uuid, refused)
        raise FulfilmentError(detail=str(refused)) from refused
    return order, recorded


def _settle_paid_stepwise(session: dict, expected_user, gateway) -> Order:
    """The paid session step by step: the payment recorded on its own, then :func:`fulfil`."""
    order = order_for_session(session, expected_user)
    S = OrderState
    paying = order.state in (S.AWAITING_PAYMENT, S.PAYMENT_PENDING)
    # A paying order records its Customer with the payment (one UPDATE), any other one at once.
    remember_checkout_customer(order, session, gateway, save_order=not paying)
    if paying:
        payment = _payment(order, session)
        problem = amount_problem(order, session)
        if problem:
            log.error("Order %s flagged: %s", order.uuid, problem)
            _move(order, S.FLAGGED, flag_reason=problem, **payment)
            return order
        _move(order, S.PAID, **payment)
        if payment["promotion_code"]:  # an invoice stored before the payment was confirmed learns its code now
            Invoice.objects.filter(order=order, promotion_code="").update(promotion_code=payment["promotion_code"])
    if order.state == S.PAID:
        order = fulfil(order)
    return order


def _store_new_invoice(order: Order, invoice: dict | None, promotion_code: str) -> bool:
    """
    Store the invoice the session brought, in fulfilment's transaction, when the locked order has none.

    Under the order's lock, with no invoice of the order stored (the lock's query says so) and the
    invoice naming this order, the one ``INSERT`` has nothing to meet: the unique keys are the order's
    and the Stripe id, and every writer of an order's invoice holds the order's lock. It comes before
    the enrollment, so that even an unexpected refusal of it undoes nothing already made (the whole
    transaction is rolled back and the checked path runs). An invoice already stored, or one naming
    another order, is left to :func:`record_invoice` after the commit.
    """
    if (invoice is None or order.invoice_stripe_id is not None or not invoice.get("id")
            or not invoice_names_order(invoice, order)):
        if invoice is not None and order.invoice_stripe_id is not None and promotion_code:
            Invoice.objects.filter(order=order, promotion_code="").update(promotion_code=promotion_code)
        return False
    insert_invoice(order, invoice["id"], invoice_fields(invoice), promotion_code)
    order.invoice_stripe_id = invoice["id"]
    if order.stripe_invoice_id != invoice["id"] and order.state in (OrderState.FULFILLED, OrderState.FLAGGED):
        link_invoice(order, invoice["id"])
    return True


def _enroll_paid(order: Order, *, through: str | None = None, **changes):
    """
    Enroll the learner of the locked, paid ``order``, then mark it FULFILLED (through PAID when it is
    not PAID yet, in the same UPDATE). Returns the platform's refusal, having kept the order PAID with
    it as its last error, or None.
    """
    try:
        with fulfilling(order):
            platform.enroll(order.user, order.course_key, mode=order.enrollment_mode or None)
    except platform.EnrollmentRefused as exc:
        error = f"enrollment refused: {exc}"[:2000]
        if through is not None:
            order.transition(through, last_error=error, **changes)
        else:
            Order.objects.filter(pk=order.pk).update(last_error=error, **changes)
            order.last_error = error
        return exc
    order.transition(OrderState.FULFILLED, through=through, last_error="", **changes)
    transaction.on_commit(lambda: order_fulfilled.send(sender=Order, order=order))
    transaction.on_commit(lambda: log.info("Order %s fulfilled: user %s enrolled in %s", order.uuid, order.user_id,
                                           order.course_key))
    return None


def retry_fulfilment(order: Order) -> Order:
    """
    Try again to enroll the learner of a PAID order whose fulfilment failed (an administrator, a command).

    The payment is already confirmed (the order is PAID), so nothing is asked of Stripe; any
    other state is left alone. Raises :class:`FulfilmentError` when the platform refuses again.
    """
    order = Order.objects.select_related("user").get(pk=order.pk)
    if order.state != OrderState.PAID:
        return order
    return fulfil(order)


def grant_access(order: Order, *, savepoint: bool = True, **changes) -> None:
    """
    An order grants its course step by step (:func:`fulfil`: a retry, or a paid session the one
    transaction could not settle) or on a release: mark it FULFILLED and enroll, together. A paid
    session settled at once enrolls first instead, the gate told of it (:func:`_enroll_paid`), and
    marks the order in the same UPDATE as its payment.

    The caller holds the order's row lock (:meth:`Order.locked`). The transition
    comes first, so the enrollment gate sees an order that grants access; a
    refusal by the platform, or another order already granting the course
    (IntegrityError on the access slot), undoes both. ``savepoint=False``: the
    caller's transaction holds nothing else to keep, so a failure rolls all of it
    back (no savepoint to set and release on every fulfilment).
    """
    before = None if savepoint else {f.attname: getattr(order, f.attname) for f in order._meta.concrete_fields}
    try:
        with transaction.atomic(savepoint=savepoint):
            order.transition(OrderState.FULFILLED, **changes)
            platform.enroll(order.user, order.course_key, mode=order.enrollment_mode or None)
    except Exception:
        # The in-memory order said FULFILLED; the database did not keep it.
        if before is None:
            order.refresh_from_db()
        else:  # the transaction is marked for rollback: no query until it ends, and the lock read is what stays
            order.__dict__.update(before)
        raise


def release_flagged(order: Order) -> Order:
    """An administrator checked a flagged payment and lets it through: enroll, once."""
    with transaction.atomic():
        order = order.locked()
        if order.state != OrderState.FLAGGED:
            return order
        try:
            grant_access(order, flag_reason=f"{order.flag_reason} (released)"[:2000])
        except platform.EnrollmentRefused as exc:
            raise FulfilmentError(detail=str(exc)) from exc
        except IntegrityError as exc:  # another order of this learner already grants the course
            raise FulfilmentError(detail="the learner already holds this course through another order") from exc
    log.info("Flagged order %s released: user %s enrolled in %s", order.uuid, order.user_id, order.course_key)
    return order


def mark_payment_failed(order: Order) -> Order:
    """A delayed payment failed (``checkout.session.async_payment_failed``)."""
    if order.state in (OrderState.AWAITING_PAYMENT, OrderState.PAYMENT_PENDING):
        _move(order, OrderState.FAILED, last_error="asynchronous payment failed")
    return order


def fulfil(order: Order) -> Order:
    """Enroll the learner of a PAID order, once, then mark it fulfilled."""
    refused = None
    with transaction.atomic():
        order = order.locked(with_cancelled_invoice=True)
        if order.state != OrderState.PAID:
            return order
        if order.has_cancelled_invoice:
            # Refunded before it was fulfilled (a Dashboard refund racing the session event); seen
            # under the lock that cancellation takes too.
            _move(order, OrderState.CANCELLED, last_error=REFUNDED_FIRST)
            return order
        try:
            grant_access(order, savepoint=False, last_error="")
        except platform.EnrollmentRefused as exc:
            refused = exc
        else:
            transaction.on_commit(lambda: order_fulfilled.send(sender=Order, order=order))
    if refused is not None:
        # The order stays PAID: Stripe's webhook retries and the return page call fulfil again.
        Order.objects.filter(pk=order.pk).update(last_error=f"enrollment refused: {refused}"[:2000])
        log.error("Order %s is paid but the enrollment was refused: %s", order.uuid, refused)
        raise FulfilmentError(detail=str(refused)) from refused
    log.info("Order %s fulfilled: user %s enrolled in %s", order.uuid, order.user_id, order.course_key)
    return order
