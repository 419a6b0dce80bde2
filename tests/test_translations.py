"""
French ships beside English: every string the plugin shows a person has a French translation.

The plugin's strings are extracted as ``make messages`` extracts them (Django's makemessages, on a copy of
the package), and each must have a French translation in the shipped catalogue, compiled. Field labels,
admin column headers and filter titles are checked too: a field without a ``verbose_name`` would show
its raw name ("issued at") in every language.
"""

import shutil
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

import riseup_stripe_plugin

from . import factories
from .test_invoice_admin import make_invoice

PACKAGE = Path(riseup_stripe_plugin.__file__).resolve().parent
CATALOGUE = PACKAGE / "locale" / "fr" / "LC_MESSAGES"


def untranslated(entry) -> bool:
    if entry.fuzzy or entry.obsolete:
        return True
    if entry.msgid_plural:
        return not entry.msgstr_plural or not all(entry.msgstr_plural.values())
    return not entry.msgstr


@pytest.fixture(scope="module")
def shipped():
    catalogue = polib.pofile(str(CATALOGUE / "django.po"))
    return {(entry.msgctxt, entry.msgid): entry for entry in catalogue}


def test_every_string_of_the_plugin_has_a_french_translation(tmp_path, monkeypatch, shipped):
    copy = tmp_path / "riseup_stripe_plugin"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "migrations"))
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr"], verbosity=0)
    extracted = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    assert len(extracted) > 300  # the extraction saw the templates and the code
    missing = [entry.msgid for entry in extracted
               if (entry.msgctxt, entry.msgid) not in shipped or untranslated(shipped[(entry.msgctxt, entry.msgid)])]
    assert missing == [], "no French translation (make messages, translate, make compile-messages)"
    stale = [entry.msgid for entry in shipped.values() if untranslated(entry)]
    assert stale == []


def test_the_compiled_catalogue_is_up_to_date(shipped):
    compiled = {(entry.msgctxt, entry.msgid): entry for entry in polib.mofile(str(CATALOGUE / "django.mo"))}
    behind = [msgid for (context, msgid), entry in shipped.items() if msgid and (
        (context, msgid) not in compiled or compiled[(context, msgid)].msgstr != entry.msgstr
        or compiled[(context, msgid)].msgstr_plural != entry.msgstr_plural)]
    assert behind == [], "django.mo is older than django.po: make compile-messages"


def plugin_models():
    return list(apps.get_app_config("riseup_stripe_plugin").get_models())


@pytest.mark.parametrize("model", plugin_models(), ids=lambda model: model.__name__)
def test_model_names_fields_and_choices_are_translated(model, shipped):
    labels = [model._meta.verbose_name, model._meta.verbose_name_plural]
    for field in model._meta.concrete_fields:
        if field.auto_created:
            continue  # Django's own "ID"
        labels.append(field.verbose_name)
        labels.extend(label for _, label in field.flatchoices)
    for label in labels:
        assert isinstance(label, Promise), f"{model.__name__}: {label!r} is not marked for translation"
        with translation.override("en"):
            msgid = str(label)
        entry = shipped.get((None, msgid))
        assert entry is not None and not untranslated(entry), f"{model.__name__}: {msgid!r} has no French"


def plugin_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_label == "riseup_stripe_plugin"]


@pytest.mark.parametrize("model,model_admin", plugin_admins(), ids=lambda value: getattr(value, "__name__", ""))
def test_admin_columns_filters_and_actions_are_translated(model, model_admin, shipped, rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    names = [name for name in model_admin.get_list_display(request) if name != "__str__"]
    names += [spec[0] if isinstance(spec, tuple) else spec for spec in model_admin.list_filter
              if isinstance(spec, str | tuple)]
    labels = []
    for name in names:
        with translation.override("en"):
            labels.append(label_for_field(name, model, model_admin))
    for action, _name, description in model_admin._get_base_actions():
        if not getattr(action, "__module__", "").startswith("django."):
            labels.append(description)
    for label in labels:
        with translation.override("en"):
            msgid = str(label)
        entry = shipped.get((None, msgid))
        assert entry is not None and not untranslated(entry), f"{model.__name__}: {msgid!r} has no French"


@pytest.mark.django_db
def test_the_french_admin_list_and_my_invoices_speak_french(client):
    learner = factories.user(first_name="Ada")
    make_invoice(learner, price=4900, discount=490, promotion_code="promo_W10", code="WELCOME10",
                 name="Selling Courses with Stripe")
    admin_user = factories.user(is_staff=True, is_superuser=True)
    client.cookies["django_language"] = "fr"
    client.force_login(admin_user)
    html = client.get(reverse("admin:riseup_stripe_plugin_invoice_changelist")).content.decode()
    for french in ("Numéro", "Date d’émission", "Apprenant", "Total TTC", "Statut", "Par statut", "Par devise",
                   "Par date d’émission", "4,90\u00a0€ (WELCOME10)"):
        assert french in html.replace("\u202f", "\u00a0"), french
    for english in ("Par status", "Par currency", "Par issued at", ">Number<", ">Course key<"):
        assert english not in html, english
    client.force_login(learner)
    mine = client.get(reverse("riseup_stripe:my_invoices")).content.decode()
    assert ">Formation</th>" in mine and ">Cours</th>" not in mine and "code WELCOME10" in mine
