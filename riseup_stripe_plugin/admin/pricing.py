"""Admin: course offers ("paid" and its price tax included, in the course's configuration)."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from .. import conf, money
from .. import edxapp_wrapper as platform
from ..catalog.offers import offer_course_key
from ..catalog.pricing import PricingError, check_chargeable, parse_price, set_offer, sync_stripe
from ..models import CourseOffer, OfferChange


class CourseOfferForm(forms.ModelForm):
    """The price is typed as people write it ("49.00"), tax included, and checked against the currency."""

    course_id = forms.CharField(label=_("course id"), help_text=_("For example course-v1:Org+Course+Run."))
    price_major = forms.CharField(
        label=_("price tax included"), required=False,
        help_text=_("In the currency's units, e.g. 49.00 EUR or 5000 JPY."),
    )

    class Meta:
        model = CourseOffer
        fields = ["is_paid", "currency", "active", "enrollment_mode"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["currency"].initial = conf.stripe_settings().default_currency
        if self.instance.pk:
            self.fields["course_id"].initial = str(self.instance.course_key)
            self.fields["course_id"].disabled = True
            if self.instance.price:
                self.fields["price_major"].initial = str(money.to_major(int(self.instance.price),
                                                                        self.instance.currency))

    def clean_course_id(self):
        value = self.cleaned_data["course_id"].strip()
        try:
            key = CourseKey.from_string(value)
        except InvalidKeyError as exc:
            raise forms.ValidationError(_("Not a course id: {value}.").format(value=value)) from exc
        if platform.get_course(key) is None:
            raise forms.ValidationError(_("Unknown course: {course_id}.").format(course_id=value))
        if offer_course_key(key) != key:
            raise forms.ValidationError(_("A custom course (CCX) is sold at its master course's price: change "
                                          "the offer of {course_id}.").format(course_id=offer_course_key(key)))
        if not self.instance.pk and CourseOffer.objects.filter(course_key=key).exists():
            raise forms.ValidationError(_("This course already has an offer: edit it instead."))
        return key

    def clean(self):
        cleaned = super().clean()
        price = cleaned.get("price_major")
        if cleaned.get("is_paid") and not price:
            self.add_error("price_major", _("A paid course needs a price."))
        elif price:
            try:
                minor, code = parse_price(price, cleaned.get("currency") or "")
            except PricingError as exc:
                self.add_error("price_major" if exc.field == "price" else "currency", exc.message)
            else:
                if cleaned.get("is_paid") and minor <= 0:
                    self.add_error("price_major", _("A paid course needs a price above zero."))
                elif cleaned.get("is_paid"):
                    try:
                        check_chargeable(minor, code)
                    except PricingError as exc:
                        self.add_error("price_major", exc.message)
                cleaned["price_minor"], cleaned["currency"] = minor, code
                self.instance.price, self.instance.currency = minor, code
        return cleaned

    def _post_clean(self):
        # The field errors already say what is wrong; the model's own checks would repeat them.
        if not self.errors:
            super()._post_clean()


class OfferChangeInline(admin.TabularInline):
    """Every change of the offer's sale terms, newest first: read only, kept for the audit."""

    model = OfferChange
    fields = ("created", "actor", "source", "before", "after")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created", "-pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CourseOffer)
class CourseOfferAdmin(admin.ModelAdmin):
    form = CourseOfferForm
    inlines = [OfferChangeInline]
    list_display = ("course_key", "is_paid", "display_price", "active", "stripe_price_id", "modified")
    list_filter = ("is_paid", "active", "currency")
    search_fields = ("course_key",)
    readonly_fields = ("stripe_product_id", "stripe_price_id", "modified")
    fieldsets = (
        (None, {"fields": ("course_id", "is_paid", "price_major", "currency", "active", "enrollment_mode")}),
        (_("Stripe"), {"fields": ("stripe_product_id", "stripe_price_id", "modified")}),
    )

    @admin.display(description=_("price tax included"))
    def display_price(self, obj):
        return money.format_price_ttc(obj.price, obj.currency) if obj.is_paid else "—"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        key = obj.course_key if change else data["course_id"]
        result = set_offer(
            key, is_paid=data["is_paid"], active=data["active"], enrollment_mode=data.get("enrollment_mode", ""),
            price=str(money.to_major(data["price_minor"], data["currency"])) if "price_minor" in data else None,
            currency=data.get("currency", ""), scopes=data.get("scopes"),
            actor=request.user, source=OfferChange.Source.ADMIN, sync=False,
        )
        obj.pk, obj.course_key = result.offer.pk, result.offer.course_key
        # The admin saves inside its own transaction: Stripe is asked once that has committed.
        transaction.on_commit(lambda: self._sync_stripe(request, obj.pk))

    def _sync_stripe(self, request, offer_pk):
        result = sync_stripe(offer_pk)
        if result is not None and result.stripe_error:
            self.message_user(request, _("Saved, but Stripe could not be updated: %s") % result.stripe_error,
                              level=messages.WARNING)
