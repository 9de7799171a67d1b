"""Hot read queries compiled once per process. Django compiles a queryset to SQL on every run
(about a millisecond for a select with joins and annotations); a list page or a worker task that
runs the same query with other keys each time can compile it once and fill in the keys.

The query is built with stand-ins for the values that change (`AmongKey` for a list of ids,
`Param` for one value); `CompiledValues.rows` and `CompiledModels.objects` run it with the
values, through the converters and the model building the ORM applies."""

import json
import threading
from collections.abc import Callable

from django.db import connection
from django.db.models import Expression, Lookup, QuerySet
from django.db.models.query import get_related_populators


class _Key:
    """Where a run's value goes among the compiled parameters, and how it is passed."""

    __slots__ = ("name", "encode")

    def __init__(self, name: str, encode: Callable):
        self.name, self.encode = name, encode


def _int_list(ids) -> list[int]:
    return [int(i) for i in ids]


class AmongKey(Lookup):
    """`column IN <the ids given at run time>`: one parameter whatever their number (a
    PostgreSQL array; a JSON list read by `json_each` on SQLite)."""

    lookup_name = "among_key"
    prepare_rhs = False

    def as_sql(self, compiler, conn):
        lhs, params = self.process_lhs(compiler, conn)
        return (f"{lhs} IN (SELECT value FROM json_each(%s))",
                (*params, _Key(self.rhs, lambda ids: json.dumps(_int_list(ids)))))

    def as_postgresql(self, compiler, conn):
        lhs, params = self.process_lhs(compiler, conn)
        return f"{lhs} = ANY(%s::bigint[])", (*params, _Key(self.rhs, _int_list))


class Param(Expression):
    """A value given at run time (`rows(name=…)`, `objects(name=…)`), passed to the database as
    `output_field` passes it."""

    def __init__(self, name: str, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, conn):
        field = self.output_field
        return "%s", [_Key(self.name, lambda value: field.get_db_prep_value(value, conn))]


class _Compiled:
    """A queryset (built by `build`, with `AmongKey` and `Param` stand-ins) compiled once per
    process and database vendor."""

    def __init__(self, build: Callable[[], QuerySet]):
        self._build = build
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _state(self, query, compiler) -> tuple:
        raise NotImplementedError

    def _compiled_here(self) -> tuple:
        found = self._compiled.get(connection.vendor)
        if found is None:
            with self._lock:
                query = self._build().query
                compiler = query.get_compiler(connection=connection)
                sql, params = compiler.as_sql()
                columns = [s[0] for s in compiler.select[:compiler.col_count]]
                converters = list(compiler.get_converters(columns).items())
                found = self._compiled[connection.vendor] = (
                    sql, tuple(params), converters, self._state(query, compiler))
        return found

    def sql(self, **keys) -> tuple[str, list]:
        """The statement and its parameters for these keys, to run or to put inside another
        statement (the statement is the same whatever the keys)."""
        sql, params, _converters, _state = self._compiled_here()
        return sql, [p.encode(keys[p.name]) if isinstance(p, _Key) else p for p in params]

    def _run(self, keys: dict) -> tuple[list, tuple]:
        """The rows, converted as the ORM converts them, and the compiled state."""
        _sql, _params, converters, state = self._compiled_here()
        sql, values = self.sql(**keys)
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            fetched = cursor.fetchall()
        if converters:
            for i, row in enumerate(fetched):
                row = fetched[i] = list(row)
                for position, (functions, expression) in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
        return fetched, state


class CompiledValues(_Compiled):
    """A `.values()` queryset compiled once; `rows(**keys)` returns the dicts `.values()`
    would."""

    def _state(self, query, compiler) -> list[str]:
        return (list(query.selected) if query.selected else
                [*query.extra_select, *query.values_select, *query.annotation_select])

    def rows(self, **keys) -> list[dict]:
        fetched, names = self._run(keys)
        return [dict(zip(names, row)) for row in fetched]


class CompiledModels(_Compiled):
    """A queryset of model instances (with `select_related`) compiled once; `objects(**keys)`
    builds them as the ORM's iterator does (`django.db.models.query.ModelIterable`)."""

    def _state(self, query, compiler) -> tuple:
        if compiler.annotation_col_map:
            raise ValueError("CompiledModels builds no annotations: use CompiledValues")
        info, select = compiler.klass_info, compiler.select
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        return (info["model"], [f[0].target.attname for f in select[start:end]], start, end,
                get_related_populators(info, select, connection.alias))

    def objects(self, **keys) -> list:
        fetched, (model, names, start, end, related) = self._run(keys)
        out = []
        for row in fetched:
            obj = model.from_db(connection.alias, names, row[start:end])
            for populator in related:
                populator.populate(row, obj)
            out.append(obj)
        return out
