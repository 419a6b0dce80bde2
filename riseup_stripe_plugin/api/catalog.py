"""Catalog API: the courses the requesting learner may see, with prices tax included, filters and pages."""

from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import conf
from ..catalog import listing as catalog
from ..web.ratelimit import RateLimited, check_rate, client_address
from .serializers import catalog_courses_data
from .views import learner_authentication_classes, rate_limited_response


class CatalogView(APIView):
    """
    GET: the catalog as the requesting learner sees it (anonymous visitors: public courses only).

    Query parameters: ``q`` (words of the title), ``price`` (``free`` or ``paid``), ``min_price`` and
    ``max_price`` (major units, e.g. ``49.90``), ``currency`` (ISO code), ``sort`` (``title``, ``price``,
    ``start``; ``-`` reverses), ``page``, ``page_size`` (at most 100). Bad values: 400 with one message
    per parameter.
    """

    authentication_classes = learner_authentication_classes()
    permission_classes = [AllowAny]

    def get(self, request):
        if not request.user.is_authenticated:
            try:  # anonymous callers share the storefront's rate, counted on their own
                check_rate("catalog", [f"addr:{client_address(request)}"],
                           conf.get("RISEUP_STRIPE_STOREFRONT_ANONYMOUS_RATE"))
            except RateLimited as exc:
                return rate_limited_response(exc)
        try:
            filters = catalog.parse_filters(request.query_params)
        except catalog.CatalogFilterError as exc:
            return Response(
                {"error": "invalid_filter", "message": exc.message,
                 "errors": {name: str(message) for name, message in exc.errors.items()}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = catalog.search(request.user, filters)
        data = catalog_courses_data(result.entries, request)
        return Response({
            "count": result.count,
            "page": filters.page,
            "num_pages": result.num_pages,
            "page_size": filters.page_size,
            "next": self._page_url(request, filters.page + 1) if filters.page < result.num_pages else None,
            "previous": self._page_url(request, filters.page - 1) if 1 < filters.page <= result.num_pages else None,
            "currencies": result.currencies,
            "results": data,
        })

    @staticmethod
    def _page_url(request, page):
        params = request.query_params.copy()
        params["page"] = str(page)
        return request.build_absolute_uri(request.path + "?" + params.urlencode())
