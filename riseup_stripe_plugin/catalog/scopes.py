"""
Audience scopes: who a paid course is sold to (internal, partner, public).

A course offer stores its scopes in one column ("internal,partner"); forms show
them as a row of checkboxes. The rules deciding a learner's own scope live in
``audience``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class AudienceScope(models.TextChoices):
    INTERNAL = "internal", _("Internal (the organisation's own people)")
    PARTNER = "partner", _("Partners")
    PUBLIC = "public", _("Public")


#: Every scope, in display order.
ALL_SCOPES = tuple(AudienceScope.values)
#: The scope of anonymous visitors and of learners no rule matches.
DEFAULT_SCOPE = AudienceScope.PUBLIC.value


def split_scopes(value) -> list[str]:
    """ "internal,public" (or a list) → ["internal", "public"], in display order, duplicates dropped."""
    if isinstance(value, str):
        items = value.split(",")
    else:
        items = list(value or [])
    wanted = {str(item).strip().lower() for item in items if str(item).strip()}
    return [scope for scope in ALL_SCOPES if scope in wanted] + sorted(wanted - set(ALL_SCOPES))


def join_scopes(value) -> str:
    return ",".join(split_scopes(value))


def validate_scopes(value) -> None:
    scopes = split_scopes(value)
    unknown = [scope for scope in scopes if scope not in ALL_SCOPES]
    if unknown:
        raise ValidationError(_("Unknown audience scope: %(scope)s."), params={"scope": ", ".join(unknown)})
    if not scopes:
        raise ValidationError(_("Choose at least one audience scope."))


class ScopesField(models.CharField):
    """Several audience scopes in one text column; a set of checkboxes in forms and in the admin."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("default", DEFAULT_SCOPE)
        super().__init__(*args, **kwargs)
        if validate_scopes not in self.validators:
            self.validators.append(validate_scopes)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)  # added by __init__ every time
        # The path migration 0003 names, kept wherever the class lives (see ``riseup_stripe_plugin.scopes``).
        return name, "riseup_stripe_plugin.scopes.ScopesField", args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return join_scopes(value) if isinstance(value, (list, tuple)) else value

    def get_prep_value(self, value):
        if isinstance(value, (list, tuple, set, frozenset)):
            value = join_scopes(value)
        return super().get_prep_value(value)

    def value_from_object(self, obj):
        return split_scopes(super().value_from_object(obj))

    def save_form_data(self, instance, data):
        setattr(instance, self.attname, join_scopes(data))

    def formfield(self, **kwargs):
        # The admin passes a text widget for every CharField: a list of checkboxes is what fits here.
        return forms.MultipleChoiceField(
            choices=AudienceScope.choices,
            widget=forms.CheckboxSelectMultiple,
            required=not self.blank,
            label=kwargs.get("label") or capfirst(self.verbose_name),
            help_text=self.help_text,
        )
