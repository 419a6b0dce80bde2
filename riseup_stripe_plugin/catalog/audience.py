"""
Which audience a learner belongs to, and which paid courses they may see and buy.

A learner's scope comes from, in order: an explicit assignment made by an
administrator (``LearnerScope``), then the active email-domain rules
(``AudienceRule``), else ``public``. Anonymous visitors are ``public``.

A paid course is offered to the scopes ticked on its offer; a free course (no
offer, or an offer that is not paid) is open to everyone. Resolving a learner's
scope costs one query, whatever the number of courses compared with it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.utils.translation import gettext as _

from ..models import AudienceRule, LearnerScope
from .scopes import ALL_SCOPES, DEFAULT_SCOPE, split_scopes


def email_domain(email: str) -> str:
    """The lower-case domain of an address ("Ann@EU.Acme.com" → "eu.acme.com"), or ""."""
    _local, at, domain = (email or "").strip().rpartition("@")
    return AudienceRule.normalize_domain(domain) if at else ""


def candidate_domains(domain: str) -> list[str]:
    """The domain and its parents that a rule may name: eu.acme.com → [eu.acme.com, acme.com]."""
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)] if domain else []


def scope_from_rules(email: str) -> str | None:
    """The scope the active rules give this address (lowest priority number, then most specific), or None."""
    candidates = candidate_domains(email_domain(email))
    if not candidates:
        return None
    rules = AudienceRule.objects.filter(active=True, domain__in=candidates).values_list("priority", "domain", "scope")
    best = min(rules, key=lambda rule: (rule[0], -len(rule[1])), default=None)
    return best[2] if best else None


def learner_scope(user) -> str:
    """The learner's scope: explicit assignment, then rules, then public (anonymous: public)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return DEFAULT_SCOPE
    # One query: the assignment and the rules matching the address, read together. Every catalog and
    # storefront page of a signed-in learner asks it: its SQL is written once per number of candidate
    # domains (the UNION the ORM would compile each time), the domains as parameters.
    candidates = candidate_domains(email_domain(verified_email(user)))
    alias = router.db_for_read(LearnerScope)
    with connections[alias].cursor() as cursor:
        cursor.execute(_scope_sql(alias, len(candidates)), [user.pk, *([True, *candidates] if candidates else [])])
        rows = cursor.fetchall()
    assigned = [row[3] for row in rows if row[0] == 0]
    if assigned and assigned[0]:
        return assigned[0]
    best = min((row for row in rows if row[0] == 1), key=lambda rule: (rule[1], -len(rule[2])), default=None)
    return best[3] if best else DEFAULT_SCOPE


@lru_cache(maxsize=16)
def _scope_sql(alias: str, candidates: int) -> str:
    """``(kind, priority, domain, scope)`` rows: the assignment (kind 0), then the active rules of the domains (1)."""
    quote = connections[alias].ops.quote_name

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    sql = (f"SELECT 0, 0, '', {column(LearnerScope, 'scope')} FROM {quote(LearnerScope._meta.db_table)} "
           f"WHERE {column(LearnerScope, 'user')} = %s")
    if candidates:
        marks = ", ".join(["%s"] * candidates)
        sql += (f" UNION ALL SELECT 1, {column(AudienceRule, 'priority')}, {column(AudienceRule, 'domain')}, "
                f"{column(AudienceRule, 'scope')} FROM {quote(AudienceRule._meta.db_table)} "
                f"WHERE {column(AudienceRule, 'active')} = %s AND {column(AudienceRule, 'domain')} IN ({marks})")
    return sql


def verified_email(user) -> str:
    """The email the domain rules may trust: an account not yet activated proves nothing about it."""
    return getattr(user, "email", "") if getattr(user, "is_active", False) else ""


def scope_source(user) -> str:
    """Where the learner's scope comes from: "assignment", "rule" or "default" (for administrators)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "default"
    if LearnerScope.objects.filter(user_id=user.pk).exists():
        return "assignment"
    return "rule" if scope_from_rules(verified_email(user)) else "default"


def offer_scopes(offer) -> list[str]:
    return split_scopes(getattr(offer, "scopes", DEFAULT_SCOPE))


def visible_in_scope(offer, scope: str) -> bool:
    """
    Whether a course with this offer (None: no offer) is offered to learners of ``scope``; no query.

    A public course is offered to everyone, the organisation's own people and partners included;
    an internal or partner course only to that audience.
    """
    if offer is None or not offer.is_paid:
        return True
    scopes = offer_scopes(offer)
    return DEFAULT_SCOPE in scopes or scope in scopes


def offer_visible_to(user, offer) -> bool:
    """Whether this learner may see and buy the course of this offer."""
    if offer is None or not offer.is_paid:
        return True  # free: no query
    return visible_in_scope(offer, learner_scope(user))


def visible_offers(user, offers) -> dict:
    """``{offer.pk: visible}`` for many offers, resolving the learner's scope once."""
    offers = list(offers)
    scope = learner_scope(user) if any(o.is_paid for o in offers) else DEFAULT_SCOPE
    return {offer.pk: visible_in_scope(offer, scope) for offer in offers}


# --- Bulk assignment from CSV ------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    """What a CSV import did: rows applied, rows refused (with the reason), line by line."""

    applied: list = field(default_factory=list)   # (line, user, scope, created)
    refused: list = field(default_factory=list)   # (line, text, reason)


def _find_user(identifier: str):
    User = get_user_model()
    if "@" in identifier:
        matches = list(User.objects.filter(email__iexact=identifier)[:2])
        if len(matches) == 1:
            return matches[0], None
        if len(matches) > 1:
            return None, _("Several accounts use this email address; give the username.")
    user = User.objects.filter(username=identifier).first()
    return (user, None) if user else (None, _("No account with this username or email."))


def import_learner_scopes(text: str, *, actor=None, max_rows: int = 10000) -> ImportReport:
    """
    Apply "username or email, scope" rows; a header row is allowed, blank lines and ``#`` comments are skipped.

    Each row is applied or refused on its own; nothing is half-applied.
    """
    report = ImportReport()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for line, row in enumerate(reader, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if line == 1 and cells[0].lower() in ("username", "email", "user", "username or email", "learner"):
            continue
        if len(report.applied) + len(report.refused) >= max_rows:
            report.refused.append((line, ",".join(cells), _("Too many rows: import at most {count} at once.")
                                   .format(count=max_rows)))
            break
        if len(cells) < 2 or not cells[0] or not cells[1]:
            report.refused.append((line, ",".join(cells), _("Expected two columns: username or email, scope.")))
            continue
        identifier, scope = cells[0], cells[1].lower()
        if scope not in ALL_SCOPES:
            report.refused.append((line, ",".join(cells), _("Unknown scope {scope}: use internal, partner or public.")
                                   .format(scope=cells[1])))
            continue
        user, problem = _find_user(identifier)
        if user is None:
            report.refused.append((line, ",".join(cells), problem))
            continue
        with transaction.atomic():
            _row, created = LearnerScope.objects.update_or_create(
                user=user, defaults={"scope": scope, "set_by": actor},
            )
        report.applied.append((line, user, scope, created))
    return report
