"""The catalog page: the courses offered to the learner, a price filter, "see more" to the course page."""

from __future__ import annotations

from django.views.decorators.http import require_GET

from .. import edxapp_wrapper as platform
from ..catalog import listing as catalog
from .pages import render_page

#: The query parameters the page's form sends; kept when moving between pages.
FORM_FIELDS = ("q", "price", "min_price", "max_price", "currency", "sort")


@require_GET
def catalog_page(request):
    """A plain GET form (works without JavaScript); bad filter values are explained, with a 400."""
    values = {name: request.GET.get(name, "") for name in FORM_FIELDS}
    context = {"values": values, "sorts": list(catalog.SORTS.items()), "errors": {}, "result": None,
               "login_url": platform.login_url(request.get_full_path())}
    status = 200
    try:
        filters = catalog.parse_filters(request.GET)
    except catalog.CatalogFilterError as exc:
        context["errors"] = exc.errors
        status = 400
        currencies = catalog.visible_currencies(request.user)
        context["show_price_filter"] = True
    else:
        result = catalog.search(request.user, filters)
        context["result"] = result
        currencies = result.currencies
        # The price filter appears once the learner can see a paid course (or is already filtering by price).
        context["show_price_filter"] = result.has_paid or bool(
            filters.price or filters.has_range or filters.currency)
        query = request.GET.copy()
        query.pop("page", None)
        context["page_query"] = query.urlencode()
    if values["currency"] and values["currency"].lower() not in currencies and not context["errors"].get("currency"):
        currencies = sorted({*currencies, values["currency"].lower()})
    context["currencies"] = currencies
    return render_page(request, "riseup_stripe_plugin/catalog.html", context, status=status)
