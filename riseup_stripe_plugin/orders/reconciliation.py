"""
Reconciliation: ask Stripe what happened, and bring the local books in line.

Webhooks can be lost (endpoint misconfigured, LMS down longer than Stripe's
three days of retries) and a process can die between payment and enrollment.
Reconciliation does not trust that anything arrived: it re-reads from Stripe
every order that is still under way (open, paid but not enrolled, disputed)
and the sessions, invoices, credit notes, refunds and disputes created since
``since``, and hands each one to the same service the webhook would have
used (fulfilment, ``billing``). Every service is idempotent under the order's
row lock, so a run racing a webhook, or a second run, changes nothing twice.

It works in two steps: :func:`plan` reads Stripe and says what differs (the
dry run prints that); :func:`reconcile` with ``commit=True`` also applies
each change as it is found. No Stripe call is made inside a transaction: each
service opens its own short one after the call.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from .. import conf
from ..billing.disputes import DISPUTE_CLOSED, apply_dispute
from ..billing.invoices import order_for_invoice, record_invoice
from ..billing.refunds import record_credit_note, record_refund
from ..configuration.installation import is_foreign
from ..exceptions import (
    ForeignInstallation,
    FulfilmentError,
    NotYourOrder,
    PaymentConfigurationError,
    PaymentProviderUnavailable,
    PaymentRequestError,
    StripeGatewayError,
)
from ..models import CreditNote, Invoice, Order, StripeCustomer
from ..states import OPEN_STATES, OrderState
from ..stripe_gateway import StripeGateway, object_id, timestamp
from .customers import update_customer_details
from .fulfilment import PAID_STATUSES, apply_session, mark_payment_failed

log = logging.getLogger(__name__)

#: How far back the lists are read by default: Stripe retries a webhook for three days; one more day
#: lets a daily run overlap the previous one. Older history is read with ``--since``.
DEFAULT_SINCE = timedelta(days=4)

#: Orders re-read from Stripe whatever their age: a purchase under way, money not yet turned into access.
UNSETTLED_STATES = (*OPEN_STATES, OrderState.PAID)

#: PaymentIntent statuses after which a delayed payment will not arrive.
PAYMENT_FAILED = ("requires_payment_method", "canceled")

#: Refund statuses in which the money has left (see ``billing.coverage``).
LIVE_REFUND_STATUSES = ("succeeded", "pending")


class ReconciliationAborted(Exception):
    """Stripe could not be asked (unreachable, or our key refused): the run stopped, nothing more changed."""

    def __init__(self, message: str, report: Report):
        super().__init__(message)
        self.report = report


@dataclass
class Change:
    """One difference between Stripe and the local books, and how to settle it."""

    kind: str
    subject: str
    description: str
    apply: Callable[[], str] = field(repr=False)
    outcome: str = ""
    error: str = ""

    def __str__(self):
        return f"{self.kind}: {self.subject}: {self.description}"


@dataclass
class Report:
    """What one run read, found and did."""

    since: datetime | None
    commit: bool
    checked: Counter = field(default_factory=Counter)
    changes: list[Change] = field(default_factory=list)
    foreign: int = 0

    @property
    def applied(self) -> list[Change]:
        return [change for change in self.changes if change.outcome and not change.error]

    @property
    def failed(self) -> list[Change]:
        return [change for change in self.changes if change.error]

    def by_kind(self) -> Counter:
        return Counter(change.kind for change in self.changes)

    def as_dict(self) -> dict:
        """A summary for logs and the Celery result (counts only: no personal data)."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "commit": self.commit,
            "checked": dict(self.checked),
            "changes": dict(self.by_kind()),
            "applied": len(self.applied),
            "failed": len(self.failed),
            "foreign": self.foreign,
        }


Progress = Callable[[str, int, int | None], None]


def _no_progress(label: str, done: int, total: int | None) -> None:
    return None


class Reconciler:
    """One run: reads Stripe, records each difference, applies it at once when committing."""

    def __init__(self, *, since: datetime | None, commit: bool, gateway: StripeGateway | None = None,
                 now: datetime | None = None, progress: Progress | None = None):
        self.gateway = gateway or StripeGateway()
        self.now = now or timezone.now()
        self.since = since
        self.commit = commit
        self.progress = progress or _no_progress
        self.report = Report(since=since, commit=commit)
        self._seen_orders: set[int] = set()
        self._seen_charges: set[str] = set()
        #: Disputes already compared (an open one is read by id, then listed again if recent).
        self._seen_disputes: set[str] = set()
        #: Orders already given a change: what it settles (their invoice, say) is not listed twice.
        self._planned_orders: set[int] = set()

    # -- running ----------------------------------------------------------

    def run(self) -> Report:
        if connection.in_atomic_block:
            raise RuntimeError("Reconciliation calls Stripe: run it outside any transaction.")
        steps = (self.check_orders, self.check_disputed_orders, self.check_sessions, self.check_invoices,
                 self.check_credit_notes, self.check_refunds, self.check_disputes, self.check_customer_details)
        try:
            for step in steps:
                step()
        except (PaymentProviderUnavailable, PaymentConfigurationError) as exc:
            raise ReconciliationAborted(str(exc.detail or exc), self.report) from exc
        log.info("Stripe reconciliation: %s", " ".join(f"{k}={v}" for k, v in self.report.as_dict().items()))
        return self.report

    def found(self, kind: str, subject: str, description: str, apply: Callable[[], str],
              order: Order | None = None) -> None:
        change = Change(kind, subject, description, apply)
        self.report.changes.append(change)
        if order is not None:
            self._planned_orders.add(order.pk)
        if not self.commit:
            return
        try:
            change.outcome = apply() or "done"
        except (PaymentProviderUnavailable, PaymentConfigurationError):
            change.error = "Stripe unreachable"
            raise
        except (FulfilmentError, StripeGatewayError, NotYourOrder, ForeignInstallation) as exc:
            change.error = str(getattr(exc, "detail", "") or exc)
        except Exception as exc:  # noqa: BLE001 - one broken object must not stop the others
            log.exception("Reconciliation could not apply %s", change)
            change.error = f"{exc.__class__.__name__}: {exc}"
        if change.error:
            log.error("Reconciliation: %s failed: %s", change, change.error)
        else:
            log.info("Reconciliation: %s -> %s", change, change.outcome)

    def _each(self, label: str, items, total: int | None = None):
        done = 0
        for item in items:
            done += 1
            self.report.checked[label] += 1
            self.progress(label, done, total)
            if is_foreign(item):
                self.report.foreign += 1
                continue
            yield item
        self.progress(label, done, done)

    # -- orders under way -------------------------------------------------

    def check_orders(self) -> None:
        orders = Order.objects.filter(state__in=UNSETTLED_STATES).select_related("user").order_by("pk")
        total = orders.count()
        for order in self._each("orders", orders.iterator(), total):
            self._seen_orders.add(order.pk)
            if not order.checkout_session_id:
                self._check_order_without_session(order)
                continue
            try:
                session = self.gateway.retrieve_checkout_session(order.checkout_session_id)
            except ForeignInstallation:
                self.report.foreign += 1
                continue
            except PaymentRequestError as exc:
                log.warning("Order %s: its session %s cannot be read: %s", order.uuid, order.checkout_session_id,
                            exc.detail)
                continue
            self._check_session(order, session)

    def _check_order_without_session(self, order: Order) -> None:
        """A purchase that never reached Stripe's page (its session was never made): closed once stale."""
        if order.state != OrderState.CREATED or (order.checkout_expires_at or order.created) > self.now:
            return

        def expire() -> str:
            order.refresh_from_db()
            if order.state == OrderState.CREATED and not order.checkout_session_id:
                order.transition(OrderState.EXPIRED, last_error="abandoned before checkout")
            return f"order {order.uuid}: {order.state}"

        self.found("expire", f"order {order.uuid}", "never reached Stripe Checkout; expire it", expire)

    def _check_session(self, order: Order, session: dict) -> None:
        """What the session says about its order, if the order does not say it yet."""
        S = OrderState
        status, payment_status = session.get("status"), session.get("payment_status")
        subject = f"order {order.uuid}"
        apply = self._applier(session)
        if status == "complete" and payment_status in PAID_STATUSES and order.state in (
                S.CREATED, S.AWAITING_PAYMENT, S.PAYMENT_PENDING):
            self.found("fulfil", subject, f"paid at Stripe (session {session['id']}), never recorded here",
                       apply, order)
        elif status == "complete" and payment_status in PAID_STATUSES and order.state == S.PAID:
            reason = f" (last error: {order.last_error})" if order.last_error else ""
            self.found("retry", subject, f"paid but not enrolled{reason}; fulfil again", apply, order)
        elif status == "complete" and payment_status == "unpaid" and order.state == S.AWAITING_PAYMENT:
            self.found("pending", subject, "delayed payment under way at Stripe", apply, order)
        elif status == "complete" and payment_status == "unpaid" and order.state == S.PAYMENT_PENDING:
            self._check_delayed_payment(order, session)
        elif status == "expired" and order.state in (S.CREATED, S.AWAITING_PAYMENT):
            self.found("expire", subject, f"session {session['id']} expired at Stripe", apply, order)
        elif status == "open" and order.state in (S.CREATED, S.AWAITING_PAYMENT) and self._abandoned(order, session):
            self.found("expire", subject, f"abandoned; expire session {session['id']} at Stripe, then the order",
                       self._expirer(order), order)

    def _abandoned(self, order: Order, session: dict) -> bool:
        """Open past its time: our own deadline, or the session's."""
        deadline = order.checkout_expires_at or timestamp(session.get("expires_at"))
        return deadline is not None and deadline <= self.now

    def _applier(self, session: dict) -> Callable[[], str]:
        def apply() -> str:
            order = apply_session(session, gateway=self.gateway)
            return f"order {order.uuid}: {order.state}"
        return apply

    def _expirer(self, order: Order) -> Callable[[], str]:
        def apply() -> str:
            # Stripe first: once expired there, the session can no longer be paid.
            try:
                session = self.gateway.expire_checkout_session(order.checkout_session_id)
            except PaymentRequestError:  # paid or expired meanwhile: Stripe's present truth decides
                session = self.gateway.retrieve_checkout_session(order.checkout_session_id)
            settled = apply_session(session, gateway=self.gateway)
            return f"order {settled.uuid}: {settled.state}"
        return apply

    def _check_delayed_payment(self, order: Order, session: dict) -> None:
        intent_id = object_id(session.get("payment_intent")) or order.payment_intent_id
        if not intent_id:
            return
        intent = self.gateway.retrieve_payment_intent(intent_id)
        if intent.get("status") not in PAYMENT_FAILED:
            return

        def fail() -> str:
            order.refresh_from_db()
            return f"order {mark_payment_failed(order).uuid}: {order.state}"

        self.found("fail", f"order {order.uuid}", f"delayed payment {intent_id} failed at Stripe", fail)

    def check_customer_details(self) -> None:
        """Customers whose learner's name and stamp a webhook's request left for later (never seen again since)."""
        pending = StripeCustomer.objects.filter(details_pending=True).select_related("user").order_by("pk")
        for customer in self._each("customer details", pending.iterator()):
            def send(customer=customer) -> str:
                sent = update_customer_details(customer.user, gateway=self.gateway, customer_id=customer.customer_id,
                                               pending=True)
                if not sent:
                    raise StripeGatewayError(detail=f"customer {customer.customer_id} not updated")
                return f"customer {customer.customer_id}: details sent"

            self.found("customer", f"customer {customer.customer_id}", "the learner's name not sent to Stripe yet",
                       send)

    def check_disputed_orders(self) -> None:
        """Orders with a dispute still open here: the bank may have decided since (even before ``since``)."""
        orders = Order.objects.exclude(dispute_id="").exclude(dispute_status__in=DISPUTE_CLOSED).order_by("pk")
        for order in self._each("disputed orders", orders.iterator()):
            try:
                dispute = self.gateway.retrieve_dispute(order.dispute_id)
            except ForeignInstallation:
                self.report.foreign += 1
                continue
            self._check_dispute(order, dispute)

    # -- Stripe's recent objects -----------------------------------------

    def check_sessions(self) -> None:
        """Recent sessions of orders not checked above (an order closed here that Stripe saw otherwise)."""
        for session in self._each("sessions", self.gateway.list_checkout_sessions(self.since)):
            if not (session.get("metadata") or {}).get("riseup_order"):
                continue
            order = Order.by_reference(session.get("client_reference_id") or session["metadata"]["riseup_order"])
            if order is None or order.pk in self._seen_orders or order.checkout_session_id != session["id"]:
                continue
            self._seen_orders.add(order.pk)
            self._check_session(order, session)

    def check_invoices(self) -> None:
        for data in self._each("invoices", self.gateway.list_invoices(self.since)):
            order = order_for_invoice(data)
            if order is None or data.get("status") in ("draft", None) or order.pk in self._planned_orders:
                continue
            local = Invoice.objects.filter(stripe_invoice_id=data["id"]).first()
            if local is None:
                self.found("invoice", f"invoice {data['id']}", f"made in Stripe for order {order.uuid}, not recorded "
                           "here", self._invoice_recorder(data))
            elif (local.stripe_status, local.number, local.total, local.amount_paid) != (
                    data.get("status") or "", data.get("number") or "", int(data.get("total") or 0),
                    int(data.get("amount_paid") or 0)):
                self.found("invoice", f"invoice {data['id']}", f"{local.stripe_status or 'unknown'} here, "
                           f"{data.get('status')} at Stripe", self._invoice_recorder(data))

    def _invoice_recorder(self, data: dict) -> Callable[[], str]:
        def apply() -> str:
            record = record_invoice(data)
            return f"invoice {data['id']}: {record.stripe_status if record else 'not ours'}"
        return apply

    def check_credit_notes(self) -> None:
        for data in self._each("credit notes", self.gateway.list_recent_credit_notes(self.since)):
            invoice_id = object_id(data.get("invoice")) or "-"
            if not (Invoice.objects.filter(stripe_invoice_id=invoice_id).exists()
                    or Order.objects.filter(stripe_invoice_id=invoice_id).exists()):
                continue
            local = CreditNote.objects.filter(stripe_credit_note_id=data["id"]).first()
            if local is None and data.get("status") != "void":
                description = f"issued in Stripe on invoice {invoice_id}, not recorded here"
            elif data.get("status") == "void" and (local is None or local.voided_at is None):
                description = f"voided in Stripe on invoice {invoice_id}, still live here"
            else:
                continue
            self.found("credit note", f"credit note {data['id']}", description,
                       lambda data=data: record_credit_note(data, self.gateway))

    def check_refunds(self) -> None:
        for refund in self._each("refunds", self.gateway.list_recent_refunds(self.since)):
            charge_id = object_id(refund.get("charge"))
            if refund.get("status") not in LIVE_REFUND_STATUSES or not charge_id or charge_id in self._seen_charges:
                continue
            order = Order.objects.filter(payment_intent_id=object_id(refund.get("payment_intent")) or "-").first()
            if order is None:
                continue
            self._seen_charges.add(charge_id)
            try:
                charge = self.gateway.retrieve_charge(charge_id)
            except ForeignInstallation:
                self.report.foreign += 1
                continue
            refunded = int(charge.get("amount_refunded") or 0)
            invoice = Invoice.objects.filter(order=order).first()
            if invoice is None:
                order.refresh_from_db()
                if not (refunded >= int(charge.get("amount") or 0) > 0 and order.state in (
                        OrderState.PAID, OrderState.FULFILLED, OrderState.FLAGGED)):
                    continue
                description = f"refunded in full at Stripe ({refunded} {charge.get('currency')}), order still live"
            else:
                credited = sum(note.amount for note in invoice.credit_notes.filter(voided_at=None))
                if invoice.amount_refunded >= refunded and credited >= refunded:
                    continue
                description = (f"{refunded} {charge.get('currency')} refunded at Stripe, "
                               f"{invoice.amount_refunded} recorded on invoice {invoice.stripe_invoice_id}")
            self.found("refund", f"order {order.uuid}", description,
                       lambda charge=charge: record_refund(charge, self.gateway))

    def check_disputes(self) -> None:
        for dispute in self._each("disputes", self.gateway.list_disputes(self.since)):
            order = Order.objects.filter(payment_intent_id=object_id(dispute.get("payment_intent")) or "-").first()
            if order is not None:
                self._check_dispute(order, dispute)

    def _check_dispute(self, order: Order, dispute: dict) -> None:
        if dispute["id"] in self._seen_disputes:
            return
        self._seen_disputes.add(dispute["id"])
        if (order.dispute_id, order.dispute_status) == (dispute["id"], dispute.get("status") or ""):
            return
        here = f"{order.dispute_status} here" if order.dispute_id == dispute["id"] else "not recorded here"
        self.found("dispute", f"order {order.uuid}", f"dispute {dispute['id']} {dispute.get('status')} at Stripe, "
                   f"{here}", lambda: apply_dispute(order, dispute))


def default_since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - DEFAULT_SINCE


def reconcile(*, since: datetime | None = None, commit: bool = False, gateway: StripeGateway | None = None,
              now: datetime | None = None, progress: Progress | None = None) -> Report:
    """
    Compare Stripe with the local books; with ``commit``, settle each difference.

    ``since`` bounds the lists (default :data:`DEFAULT_SINCE` ago); orders under way
    are re-read whatever their age. Raises :class:`ReconciliationAborted` when
    Stripe cannot be reached (what was settled before stays settled; run it again).
    """
    if not conf.stripe_settings().secret_key:
        raise ReconciliationAborted("no Stripe secret key configured", Report(since=since, commit=commit))
    since = default_since(now) if since is None else since
    return Reconciler(since=since, commit=commit, gateway=gateway, now=now, progress=progress).run()
