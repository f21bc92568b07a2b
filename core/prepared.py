"""A queryset compiled once per process, then run with other values (issue 12).

Compiling a queryset to SQL (joins, select_related, annotations, a FilteredRelation)
costs Django ~0.9 ms of CPU for the incident-with-membership read that every
incident page and endpoint starts with: twenty times the query's round trip, a
fifth of an API read. Its SQL is the same for every user and incident; only two
values change.

`PreparedQuery(build)` calls `build(**placeholders)` once, with integer
placeholders, compiles the queryset, and keeps its SQL with the positions of the
placeholders among its parameters. `run(**values)` sends that SQL with the real
values and builds the instances as Django's ModelIterable does (`from_db`, the
select_related objects, the annotations), with the converters of each column.

Only for querysets whose SQL does not depend on the values: whole numbers compared
with `=` (a None would turn `=` into `IS NULL`, a list into `IN (...)`), no slicing
by a value. `run` refuses anything but an int.
"""

import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Unlikely values (within a 32-bit integer column's range, which Django checks): each
# must appear exactly once among the compiled parameters.
_PLACEHOLDER_BASE = -2_013_265_000


class PreparedQuery:
    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._lock = threading.Lock()
        self._compiled = None

    def _compile(self, names: tuple[str, ...]):
        placeholders = {name: _PLACEHOLDER_BASE - i for i, name in enumerate(names)}
        queryset = self._build(**placeholders)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        positions = {}
        for name, value in placeholders.items():
            found = [i for i, param in enumerate(params) if param == value and type(param) is int]
            if len(found) != 1:
                raise ValueError(f"PreparedQuery: {name} appears {len(found)} times in the compiled parameters")
            positions[name] = found[0]
        select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
        fields = [column[0] for column in select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        return {
            "names": names,
            "db": queryset.db,
            "sql": sql,
            "params": list(params),
            "positions": positions,
            "select": select,
            "klass_info": klass_info,
            "annotations": annotation_col_map,
            "converters": converters,
            "model": klass_info["model"],
            "slice": (start, end),
            "init_list": init_list,
        }

    def run(self, **values) -> list:
        names = tuple(sorted(values))
        if any(type(value) is not int for value in values.values()):
            raise TypeError("PreparedQuery.run takes whole numbers only")
        compiled = self._compiled
        if compiled is None or compiled["names"] != names:
            with self._lock:
                compiled = self._compiled
                if compiled is None or compiled["names"] != names:
                    compiled = self._compiled = self._compile(names)
        params = list(compiled["params"])
        for name, position in compiled["positions"].items():
            params[position] = values[name]
        db = compiled["db"]
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        converters = compiled["converters"]
        start, end = compiled["slice"]
        populators = get_related_populators(compiled["klass_info"], compiled["select"], db)
        objects = []
        for row in rows:
            if converters:
                row = list(row)
                for position, (functions, expression) in converters.items():
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            obj = compiled["model"].from_db(db, compiled["init_list"], row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for attr_name, position in compiled["annotations"].items():
                setattr(obj, attr_name, row[position])
            objects.append(obj)
        return objects
