"""
Telling the learner: an email after a purchase and after a cancellation.

``RISEUP_STRIPE_LEARNER_EMAILS`` says who sends them: ``platform`` (here, through the platform's messaging,
edx-ace on Open edX), ``stripe`` (Stripe's own receipt and refund emails, turned on in the Stripe
Dashboard: the plugin then sends nothing, so the learner does not get two) or ``none``. An email that
cannot be sent is logged and never undoes the purchase or the cancellation it tells about.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.template.defaultfilters import date as date_format
from django.urls import reverse
from django.utils import timezone, translation

from .. import conf, money
from .. import edxapp_wrapper as platform

log = logging.getLogger(__name__)

PLATFORM, STRIPE, NONE = "platform", "stripe", "none"
MODES = (PLATFORM, STRIPE, NONE)
PURCHASE_CONFIRMED = "purchaseconfirmed"
PURCHASE_CANCELLED = "purchasecancelled"


def sends_emails() -> bool:
    """Whether the plugin itself emails learners; a value it does not know sends nothing, and says so."""
    mode = (conf.get("RISEUP_STRIPE_LEARNER_EMAILS") or NONE).strip().lower()
    if mode not in MODES:
        log.warning("RISEUP_STRIPE_LEARNER_EMAILS=%r is not one of %s: no email sent", mode, ", ".join(MODES))
    return mode == PLATFORM


def _absolute(path: str) -> str:
    return path if "://" in path else platform.lms_root_url() + path


def _send(name: str, user, build_context) -> None:
    if not sends_emails() or not getattr(user, "email", ""):
        return
    try:
        language = platform.learner_language(user) or settings.LANGUAGE_CODE
        with translation.override(language):  # amounts and dates in the learner's language
            context = build_context()
        platform.send_learner_message(name, user, context, language)
    except Exception:  # noqa: BLE001 - the purchase or cancellation stands; the failure is logged once
        log.exception("The %s email to user %s could not be sent", name, user.pk)
    else:
        log.info("Email %s sent to user %s", name, user.pk)


def _course_context(order, *, name: str = "") -> dict:
    """The course's name and addresses; ``name``: the course's name already known (the course is not read)."""
    if name:
        course_name, course_url = name, platform.course_url(order.course_key)
    else:
        course = platform.get_course(order.course_key)
        course_name = course.display_name if course else str(order.course_key)
        course_url = course.course_url if course else ""
    return {
        "course_name": course_name,
        "course_url": _absolute(course_url) if course_url else "",
        "invoices_url": _absolute(reverse("riseup_stripe:my_invoices")),
        "purchase_url": _absolute(reverse("riseup_stripe:purchase", kwargs={"course_id": str(order.course_key)})),
    }


def purchase_confirmed(order) -> None:
    """The learner paid and is enrolled."""
    def context():
        paid = order.amount_paid if order.amount_paid is not None else order.amount
        return {**_course_context(order, name=order.course_name),
                "amount": money.format_price_ttc(paid, order.currency),
                "promotion_code": order.promotion_code}
    _send(PURCHASE_CONFIRMED, order.user, context)


def purchase_cancelled(invoice) -> None:
    """An administrator (or a full refund in Stripe) cancelled the purchase: refunded, access removed."""
    def context():
        note = invoice.credit_notes.order_by("-amount", "created").first()
        when = invoice.cancelled_at or timezone.now()
        return {**_course_context(invoice.order), "invoice_number": invoice.number,
                "credit_note_number": note.number if note else "",
                "refunded": money.format_amount(invoice.amount_refunded, invoice.currency),
                "cancelled_on": date_format(timezone.localtime(when), "DATE_FORMAT")}
    _send(PURCHASE_CANCELLED, invoice.user, context)

