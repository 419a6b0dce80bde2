"""LMS URLs, mounted by the platform under ``/riseup-stripe/`` (namespace ``riseup_stripe``)."""

from django.urls import path, re_path

from . import webhooks
from .api import catalog as api_catalog
from .api import offers as api_offers
from .api import storefront as api_storefront
from .api import views as api_views
from .web import catalog as catalog_views
from .web import views

app_name = "riseup_stripe"

COURSE_ID = r"(?P<course_id>[^/]+)"

urlpatterns = [
    re_path(rf"^courses/{COURSE_ID}/$", views.purchase_page, name="purchase"),
    re_path(rf"^courses/{COURSE_ID}/buy/$", views.start_purchase_view, name="start_purchase"),
    path("checkout/return/", views.checkout_return, name="checkout_return"),
    path("invoices/", views.my_invoices, name="my_invoices"),
    path("webhook/", webhooks.stripe_webhook, name="webhook"),
    path("api/v1/invoices/", api_views.InvoiceListView.as_view(), name="api_invoices"),
    path("api/v1/invoices/<str:invoice_id>/", api_views.InvoiceDetailView.as_view(), name="api_invoice"),
    path("api/v1/purchases/", api_views.PurchaseView.as_view(), name="api_purchase"),
    re_path(rf"^api/v1/courses/{COURSE_ID}/offer/$", api_offers.CourseOfferView.as_view(), name="api_offer"),
    path("catalog/", catalog_views.catalog_page, name="catalog"),
    path("api/v1/catalog/", api_catalog.CatalogView.as_view(), name="api_catalog"),
    path("api/v1/storefront/", api_storefront.StorefrontView.as_view(), name="api_storefront"),
]
