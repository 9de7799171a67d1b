"""Hot read queries compiled once per process. Django compiles a queryset to SQL on every run
(about a millisecond for a select with joins and annotations); a list page or a worker task that
runs the same query with other keys each time can compile it once and fill in the keys.

The query is built with stand-ins for the values that change (`AmongKey` for a list of ids,
`Param` for one value); `CompiledValues.rows` and `CompiledModels.objects` run it with the
values, through the converters and the model building the ORM applies. `RawModels` builds the
rows of a hand-written statement as `RawQuerySet` does, matching columns to fields once.
`Prepared` has PostgreSQL plan a hand-written statement once per connection."""

import json
import re
import threading
from collections.abc import Callable

from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Expression, Lookup, QuerySet
from django.db.models.query import get_related_populators
from django.dispatch import receiver


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


def _converted(value, functions, expression):
    """A value read from the database as the ORM hands it over (its converters, in order)."""
    for function in functions:
        value = function(value, expression, connection)
    return value


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
                    row[position] = _converted(row[position], functions, expression)
        return fetched, state


class CompiledValues(_Compiled):
    """A `.values()` queryset compiled once; `rows(**keys)` returns the dicts `.values()`
    would."""

    def _state(self, query, compiler) -> list[str]:
        return (list(query.selected) if query.selected else
                [*query.extra_select, *query.values_select, *query.annotation_select])

    def rows(self, **keys) -> list[dict]:
        fetched, names = self._run(keys)
        return [dict(zip(names, row, strict=True)) for row in fetched]


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


class RawModels:
    """Rows of a hand-written statement (an upsert's or an insert's RETURNING) as instances of
    `model`, converted as `RawQuerySet` converts them, with the columns matched to fields once
    per vendor and column list instead of on every run."""

    def __init__(self, model):
        self.model = model
        self._plans: dict[tuple, tuple] = {}

    def _plan(self, columns: tuple[str, ...]) -> tuple:
        position = {column: i for i, column in enumerate(columns)}
        names, steps = [], []
        # In the model's field order, as `Model.from_db` reads a partial row.
        for field in self.model._meta.concrete_fields:
            if field.column not in position:
                continue
            names.append(field.attname)
            expression = field.get_col(self.model._meta.db_table)
            steps.append((position[field.column], expression,
                          [*connection.ops.get_db_converters(expression),
                           *expression.get_db_converters(connection)]))
        return names, steps

    def objects(self, statement: "str | Prepared", params) -> list:
        with connection.cursor() as cursor:
            if isinstance(statement, Prepared):
                statement.execute(cursor, params)
            else:
                cursor.execute(statement, params)
            columns = tuple(c[0] for c in cursor.description)
            fetched = cursor.fetchall()
        key = (connection.vendor, columns)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(columns)
        names, steps = plan
        out = []
        for row in fetched:
            values = [_converted(row[i], functions, expression)
                      for i, expression, functions in steps]
            out.append(self.model.from_db(connection.alias, names, values))
        return out


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%s|%%")


class Prepared:
    """A hot hand-written statement that PostgreSQL parses and plans once per connection
    (PREPARE, then EXECUTE with the values): for an opened case's INSERT … SELECTs, planning
    cost PostgreSQL more than running them. Other databases run it as written. `sql` takes its
    values as %(name)s (a dict) or %s (a list); PostgreSQL infers their types.

    Only for a statement whose best plan does not depend on the values or on how big the tables
    are (a primary or unique key, small configuration tables): after five runs PostgreSQL may
    keep one generic plan for the connection's life, chosen by the tables as they were then. A
    look-up by customer and store, planned on a new database's empty tables, was kept as a scan
    of the store's cases (the load bench slowed by the minute)."""

    def __init__(self, name: str, sql: str):
        self.name, self.sql = name, sql
        names: list = []

        def number(match: re.Match) -> str:
            if match.group(0) == "%%":
                return "%"
            key = match.group(1)
            if key is None:
                names.append(len(names))
                return f"${len(names)}"
            if key not in names:
                names.append(key)
            return f"${names.index(key) + 1}"

        self._prepare = f"PREPARE {name} AS {_PLACEHOLDER.sub(number, sql)}"
        self._named = [n for n in names if isinstance(n, str)]
        self._execute = f"EXECUTE {name} ({', '.join(['%s'] * len(names))})" if names else \
            f"EXECUTE {name}"

    def execute(self, cursor, params) -> None:
        """Run it on `cursor` (Django's cursor: its `db` is this thread's connection)."""
        if cursor.db.vendor != "postgresql":
            cursor.execute(self.sql, params)
            return
        prepared = cursor.db.__dict__.setdefault("prepared_statements", set())
        if self.name not in prepared:
            cursor.execute(self._prepare)  # kept by the session, even if this transaction fails
            prepared.add(self.name)
        cursor.execute(self._execute, [params[n] for n in self._named]
                       if isinstance(params, dict) else list(params))


@receiver(connection_created)
def _prepared_forget(sender, connection, **kwargs) -> None:
    """A new session has nothing prepared."""
    connection.__dict__.pop("prepared_statements", None)
