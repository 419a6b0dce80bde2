"""The catalog's read model: one row per platform course, with its offer's columns, kept in step by signals."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogCourse(models.Model):
    """
    A course as the catalog lists it: the platform's course (title, dates, visibility) and the offer that
    applies to it (a CCX: its master's), in one row, so that a catalog page is one indexed read of one table.

    Derived data, never edited by hand: written in the transaction that saves or deletes an offer or a
    platform course (``catalog.index``), rebuilt by ``riseup_stripe_rebuild_catalog``, compared with its
    sources by the same command's ``--check`` and by ``manage.py check --database default`` (W004).

    .. no_pii:
    """

    course_id = models.CharField(max_length=255, primary_key=True, verbose_name=_("course"))
    #: The course whose offer applies (the master course of a CCX, else the course itself).
    offer_key = models.CharField(max_length=255, db_index=True, verbose_name=_("offer's course"))
    title = models.TextField(blank=True, default="", verbose_name=_("title"))
    #: The title lower-cased, its first 255 characters (sorting and search, the same on every database).
    title_lower = models.CharField(max_length=255, blank=True, default="", verbose_name=_("title, lower-cased"))
    org = models.CharField(max_length=255, blank=True, default="", verbose_name=_("organization"))
    image_url = models.CharField(max_length=1024, blank=True, default="", verbose_name=_("image address"))
    start = models.DateTimeField(null=True, blank=True, verbose_name=_("start"))
    end = models.DateTimeField(null=True, blank=True, verbose_name=_("end"))
    enrollment_start = models.DateTimeField(null=True, blank=True, verbose_name=_("enrollment start"))
    enrollment_end = models.DateTimeField(null=True, blank=True, verbose_name=_("enrollment end"))
    invitation_only = models.BooleanField(default=False, verbose_name=_("by invitation only"))
    #: Listed in the catalog: the platform's ``catalog_visibility`` is neither "about" nor "none".
    listed = models.BooleanField(default=True, verbose_name=_("listed in the catalog"))
    is_paid = models.BooleanField(default=False, verbose_name=_("paid"))
    #: Paid, on sale and priced above zero (the offer's ``purchasable``).
    on_sale = models.BooleanField(default=False, verbose_name=_("on sale"))
    price = models.PositiveBigIntegerField(default=0, verbose_name=_("price tax included (minor units)"))
    #: The price in thousandths of the currency's major unit, so that prices in any currency compare.
    price_thousandths = models.PositiveBigIntegerField(default=0, verbose_name=_("price in thousandths"))
    currency = models.CharField(max_length=3, blank=True, default="", verbose_name=_("currency"))
    scopes = models.CharField(max_length=64, blank=True, default="", verbose_name=_("audience scopes"))

    class Meta:
        verbose_name = _("catalog course")
        verbose_name_plural = _("catalog courses")
        indexes = [
            # The catalog in title order (every course, or the free ones), and the paid ones in title order.
            models.Index(fields=["listed", "title_lower", "course_id"], name="riseup_cat_title"),
            models.Index(fields=["listed", "is_paid", "title_lower", "course_id"], name="riseup_cat_paid_title"),
            # Counting the paid courses in a price range offered to a scope, from the index alone.
            models.Index(fields=["listed", "is_paid", "price_thousandths", "currency", "scopes"],
                         name="riseup_cat_price"),
        ]

    def __str__(self):
        return self.course_id
