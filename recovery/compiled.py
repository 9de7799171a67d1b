"""Hot read queries compiled once per process. Django compiles a queryset to SQL on every run
(about a millisecond for a select with joins and annotations); a list page or a worker task that
runs the same query with other keys each time can compile it once and fill in the keys.

The query is built with `AmongKey` stand-ins for the values that change; `CompiledValues.rows`
runs it with the values, through the same converters `.values()` applies."""

import json
import threading
from collections.abc import Callable

from django.db import connection
from django.db.models import Lookup, QuerySet


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


class CompiledValues:
    """A `.values()` queryset (built by `build`, with `AmongKey` stand-ins) compiled once per
    process and database vendor; `rows(**keys)` runs it and returns the same dicts `.values()`
    would."""

    def __init__(self, build: Callable[[], QuerySet]):
        self._build = build
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self) -> tuple:
        found = self._compiled.get(connection.vendor)
        if found is None:
            with self._lock:
                query = self._build().query
                compiler = query.get_compiler(connection=connection)
                sql, params = compiler.as_sql()
                names = (list(query.selected) if query.selected else
                         [*query.extra_select, *query.values_select, *query.annotation_select])
                columns = [s[0] for s in compiler.select[:compiler.col_count]]
                converters = list(compiler.get_converters(columns).items())
                found = self._compiled[connection.vendor] = (sql, tuple(params), names,
                                                             converters)
        return found

    def rows(self, **keys) -> list[dict]:
        sql, params, names, converters = self._compile()
        values = [p.encode(keys[p.name]) if isinstance(p, _Key) else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            fetched = cursor.fetchall()
        out = []
        for row in fetched:
            if converters:
                row = list(row)
                for position, (functions, expression) in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            out.append(dict(zip(names, row)))
        return out
