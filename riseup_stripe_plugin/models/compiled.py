"""
A query of the ORM compiled once per database, for the few queries on a hot path.

Building and compiling a queryset with subqueries costs more Python than running it. A
:class:`CompiledQuery` lets Django compile it once per database (the SQL stays Django's, whatever the
database), then runs that SQL with the one value that changes, and makes the row into model instances
with the ORM's own converters, ``select_related`` relations and annotations, as the queryset would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.transaction import TransactionManagementError


class CompiledQuery:
    """
    ``build(value)`` returns the queryset filtered on ``model.field == value``; ``sample`` is a value of
    that field's type which appears once among the compiled query's parameters (never a real one).
    """

    def __init__(self, model, field: str, build: Callable[[Any], Any], *, sample):
        self.model, self.field, self.build, self.sample = model, model._meta.get_field(field), build, sample
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()
        self._for_write: bool | None = None

    def first(self, value):
        """The one instance for ``value`` (a unique field), or None."""
        if self._for_write is None:  # a locking query reads the database written to, as the ORM's does
            self._for_write = bool(self.build(self.sample).query.select_for_update)
        alias = (router.db_for_write if self._for_write else router.db_for_read)(self.model)
        plan = self._plans.get(alias)
        if plan is None:
            plan = _Plan(self, alias)
            with self._lock:
                plan = self._plans.setdefault(alias, plan)
        return plan.first(value)


class _Plan:
    """The compiled SQL of one database, where its value goes, and how a row becomes instances."""

    def __init__(self, query: CompiledQuery, alias: str):
        queryset = query.build(query.sample)[:1]
        self.alias, self.field, self.model = alias, query.field, queryset.model
        self.locks = bool(queryset.query.select_for_update)
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        sample = self.field.get_db_prep_value(query.sample, connections[alias])
        places = [i for i, param in enumerate(params) if param == sample]
        if len(places) != 1:
            raise ValueError("the sample value must be exactly one of the compiled query's parameters")
        self.params, self.place = list(params), places[0]
        self.compiler = compiler
        self.converters = compiler.get_converters([column[0] for column in compiler.select])
        info = compiler.klass_info

        def attnames(indices):
            return [compiler.select[i][0].target.attname for i in indices]

        self.fields, self.indices = attnames(info["select_fields"]), info["select_fields"]
        self.related = [(related["model"], attnames(related["select_fields"]), related["select_fields"],
                         related["local_setter"], related["remote_setter"])
                        for related in info.get("related_klass_infos", ())]
        self.annotations = dict(compiler.annotation_col_map)

    def first(self, value):
        connection = connections[self.alias]
        if self.locks and connection.get_autocommit():
            # What the ORM says of select_for_update outside a transaction: the lock would end at once.
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(self.params)
        params[self.place] = self.field.get_db_prep_value(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        instance = self.model.from_db(self.alias, self.fields, [row[i] for i in self.indices])
        for model, fields, indices, local_setter, remote_setter in self.related:
            values = [row[i] for i in indices]
            related = model.from_db(self.alias, fields, values) if values[0] is not None else None
            local_setter(instance, related)
            if related is not None:
                remote_setter(related, instance)
        for name, index in self.annotations.items():
            setattr(instance, name, row[index])
        return instance
