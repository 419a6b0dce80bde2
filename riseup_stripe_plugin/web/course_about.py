"""The course about page (``CourseAboutRenderStarted``): the price and the Buy button of a paid course."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openedx_filters import PipelineStep

from .. import edxapp_wrapper as platform
from .. import money
from ..catalog.audience import visible_in_scope
from ..catalog.offers import get_offer
from ..catalog.offers import purchase_url as offer_purchase_url
from ..catalog.scopes import DEFAULT_SCOPE
from ..orders import eligibility as eligibility_codes
from ..orders.eligibility import eligibility
from .steps import leaves_page_unchanged


def course_about_state(user, course_key, offer, *, registered=None, course=None) -> tuple[str, str]:
    """
    What the course page offers this visitor for a paid course: ``(state, message)``, from the purchase
    decision (``orders.eligibility``).

    States: ``buy`` (a buy button; visitors are asked to sign in on the purchase page), ``enrolled``,
    ``bought``, ``out_of_scope`` (not offered to them), ``unavailable`` (not on sale, payment switched
    off, enrollment closed, a payment on its way). A constant number of queries.
    """
    known = {} if course is None else {"course": course}
    if registered is not None:
        known["enrolled"] = registered
    decision = eligibility(user, course_key, offer=offer, **known)
    if decision.code in (eligibility_codes.AVAILABLE, eligibility_codes.SIGNED_OUT):
        if not visible_in_scope(offer, DEFAULT_SCOPE) and decision.code == eligibility_codes.SIGNED_OUT:
            return "out_of_scope", decision.message
        return "buy", ""
    states = {eligibility_codes.OUT_OF_SCOPE: "out_of_scope", eligibility_codes.BOUGHT: "bought",
              eligibility_codes.ALREADY_ENROLLED: "enrolled"}
    return states.get(decision.code, "unavailable"), decision.message


class CourseAboutPurchaseStep(PipelineStep):
    """
    On the platform's course about page, sell paid courses through the plugin.

    Uses the legacy template's own context values (``lms/templates/courseware/course_about.html``):
    ``ecommerce_checkout`` and ``ecommerce_checkout_link`` turn "Enroll Now" into a link to the purchase
    page (``single_paid_mode`` gives it the ``add-to-cart`` class, so no script submits the enrollment
    form instead), ``course_price`` with ``is_cosmetic_price_enabled`` prints the price in the sidebar.
    Out-of-scope visitors get no enroll or buy button (``can_enroll`` false). Everything is also in
    ``riseup_stripe`` (state, price, buy label, message) for themes. Free courses are left untouched.
    """

    @leaves_page_unchanged
    def run_filter(self, context, template_name):  # pylint: disable=arguments-differ
        context = dict(context or {})  # a copy: a failure half-way leaves the platform's context intact
        course_key = platform.about_page_course_key(context)
        offer = get_offer(course_key)
        if offer is None or not offer.is_paid:
            return {"context": context, "template_name": template_name}
        user = platform.get_current_user()
        registered = context.get("registered") if user is not None else None
        # The page's own course object carries the enrollment dates: no need to read them again.
        state, message = course_about_state(user, course_key, offer, registered=registered,
                                            course=context.get("course"))
        price = money.format_price_ttc(offer.price, offer.currency)
        purchase_url = offer_purchase_url(course_key)
        context["riseup_stripe"] = {
            "state": state, "message": message, "price": price, "amount": int(offer.price),
            "currency": offer.currency, "purchase_url": purchase_url,
            "buy_label": _("Buy – {price}").format(price=price),
        }
        if state == "buy":
            context.update({
                "ecommerce_checkout": True,
                "ecommerce_checkout_link": purchase_url,
                "single_paid_mode": context.get("single_paid_mode") or True,
                "course_price": price,
                "is_cosmetic_price_enabled": True,
                "active_reg_button": False,  # no hidden self-enrollment form: the link is the way in
            })
        elif state == "out_of_scope":
            context.update({
                "ecommerce_checkout": False,
                "ecommerce_checkout_link": "",
                "can_enroll": False,
                "invitation_only": True,  # the template's "by invitation only": staff may still enroll them
                "active_reg_button": False,
                "course_price": "",
            })
        elif state == "unavailable":
            context.update({
                "ecommerce_checkout": False,
                "can_enroll": False,
                "active_reg_button": False,
                "course_price": price,
                "is_cosmetic_price_enabled": True,
            })
        # "enrolled" and "bought": the platform's own "View course" / enrollment button, untouched.
        return {"context": context, "template_name": template_name}
