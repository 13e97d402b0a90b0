"""Reads that every request makes, compiled to SQL once per connection instead of per call.

Django builds and compiles a queryset's SQL on every evaluation: for a one-row lookup with a
joined table (the request host's tenant, the API token with its user) that costs more Python
time than the statement itself. A `CompiledRead` builds its queryset once per database
connection with a marker in place of each value, keeps the compiled SQL, the column
converters and the recipe for the model instances, and then runs the same SQL with new
values: the same statement, rows and objects (`select_related` included) as the queryset,
without its compilation. Values must reach the SQL unchanged (text compared with `=`), which
compilation checks. The statement goes out prepared (`panel1.db_prepared`): after a few runs
on a connection PostgreSQL does not plan it again either.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from contextlib import ExitStack, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import BooleanField, Func, Model, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.transaction import TransactionManagementError

from panel1.db_prepared import pipelined, prepared


class EqualsAny(Func):
    """`expression = ANY(array)`: a list of values as one parameter (an `IN` has one per
    value, so its compiled text depends on their number). With a `CompiledRead` value:
    `filter(EqualsAny(F("pk"), Value(ids)))`, then `.all(ids=[...])`."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


class CompiledRead:
    """`build(**markers)` answers the queryset; `.first(**values)` runs it with `values`.
    Model instances, or dicts for a `values()` queryset (as iterating it would give)."""

    def __init__(self, build: Callable[..., QuerySet], *names: str, **typed: type):
        """`names` are text values; `typed` names values of another type (`now=datetime`,
        `user_id=uuid.UUID`)."""
        self._build = build
        self._names = {**dict.fromkeys(names, str), **typed}

    def first(self, **values: Any) -> Model | None:
        """The first object the queryset built with `values` would answer, or None."""
        return self._compiled().first(values)

    def all(self, *, prepare: bool = True, **values: Any) -> list[Model]:
        """Every object the queryset built with `values` would answer. `prepare=False`: the
        statement goes out as the queryset's would outside `prepared()`, its values in its
        text, planned for them on every run (for a read whose generic plan does not fit every
        value)."""
        return self._compiled().all(values, prepare=prepare)

    def slice(self, start: int, stop: int, **values: Any) -> list[Model]:
        """`list(queryset[start:stop])` of the queryset built with `values`: one compiled
        statement for every page (LIMIT and OFFSET are parameters, where Django writes them
        into the SQL). The queryset must not be sliced or locking itself."""
        compiled = self._compiled()
        if compiled.sliced_or_locking:
            raise ValueError("slice() of a sliced or locking queryset")
        return compiled.all(values, limit=max(0, stop - start), offset=start)

    def value(self, **values: Any) -> Any:
        """The first column of the first row (None without rows), unconverted: for a
        `values_list` of a column that needs no conversion, such as a count."""
        return self._compiled().value(values)

    def _compiled(self) -> _Compiled:
        # Per connection object (one per thread; `connection` is a proxy of the thread's):
        # converters may hold on to the connection.
        wrapper = connections[DEFAULT_DB_ALIAS]
        compiled_reads = wrapper.__dict__.setdefault("panel1_compiled_reads", {})
        found = compiled_reads.get(self)
        if found is None:
            found = compiled_reads[self] = _Compiled(self._build, self._names)
        return found


def _marker(kind: type):
    """A value no caller passes, of the kind the SQL parameter will have."""
    if kind is str:
        return f"\x00compiled-read:{uuid.uuid4().hex}"
    if kind is uuid.UUID:
        return uuid.uuid4()
    if kind is datetime:
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(microseconds=secrets.randbelow(10**12))
    raise TypeError(f"no marker for {kind}")


def _name_of(param, by_marker: dict) -> str | None:
    try:
        return by_marker.get(param)
    except TypeError:  # an unhashable constant (a list)
        return None


class _Compiled:
    def __init__(self, build: Callable[..., QuerySet], names: dict[str, type]):
        markers = {name: _marker(kind) for name, kind in names.items()}
        queryset = build(**markers)
        compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = compiler.as_sql()
        by_marker = {marker: name for name, marker in markers.items()}
        # Each parameter: (the name of the value to put there, or None, the constant).
        self.slots = [(_name_of(p, by_marker), p) for p in params]
        used = {name for name, _constant in self.slots if name is not None}
        if used != set(names):
            raise ValueError(f"values not passed to the SQL unchanged: {set(names) - used}")
        query = queryset.query
        self.sliced_or_locking = query.is_sliced or query.select_for_update
        if issubclass(queryset._iterable_class, ValuesIterable):
            self.recipe = _Rows(compiler)
        elif compiler.klass_info is not None and issubclass(
            queryset._iterable_class, ModelIterable
        ):
            self.recipe = _Recipe(compiler)
        else:
            self.recipe = None
        self.for_update = bool(query.select_for_update)

    def _check_transaction(self) -> None:
        # As the compiler checks every select_for_update() queryset it compiles.
        if self.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )

    def first(self, values: dict[str, Any]) -> Model | None:
        self._check_transaction()
        with prepared(), connection.cursor() as cursor:
            cursor.execute(self.sql, self._params(values))
            row = cursor.fetchone()
        if row is None:
            return None
        return self.recipe.instance(row)

    def all(
        self,
        values: dict[str, Any],
        *,
        limit: int | None = None,
        offset: int = 0,
        prepare: bool = True,
    ):
        self._check_transaction()
        sql, params = self.sql, self._params(values)
        if limit is not None:
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
        with prepared() if prepare else nullcontext(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [self.recipe.instance(row) for row in rows]

    def value(self, values: dict[str, Any]) -> Any:
        with prepared(), connection.cursor() as cursor:
            cursor.execute(self.sql, self._params(values))
            row = cursor.fetchone()
        return None if row is None else row[0]

    def _params(self, values: dict[str, Any]) -> list:
        return [constant if name is None else values[name] for name, constant in self.slots]


class _Recipe:
    """How the queryset's iterable turns a row into its model instance (select_related and
    annotations included), taken from the compiler once."""

    def __init__(self, compiler) -> None:
        select, klass_info = compiler.select, compiler.klass_info
        self.converters = list(
            compiler.get_converters([s[0] for s in select[: compiler.col_count]]).items()
        )
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.related = get_related_populators(klass_info, select, DEFAULT_DB_ALIAS)
        self.annotations = list(compiler.annotation_col_map.items())

    def instance(self, row) -> Model:
        row = _converted(row, self.converters)
        obj = self.model.from_db(DEFAULT_DB_ALIAS, self.init_list, row[self.start : self.end])
        for populator in self.related:
            populator.populate(row, obj)
        for name, pos in self.annotations:
            setattr(obj, name, row[pos])
        return obj


class _Rows:
    """How a `values()` queryset turns a row into its dict: the columns' converters, then the
    names in the order `ValuesIterable` gives them. No model instance is made (~10
    microseconds each, three or four per row of a list that joins its relations)."""

    def __init__(self, compiler) -> None:
        query = compiler.query
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        self.converters = list(
            compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]]).items()
        )

    def instance(self, row) -> dict[str, Any]:
        # As ValuesIterable: columns beyond the names (none here) are left out.
        return dict(zip(self.names, _converted(row, self.converters), strict=False))


def _converted(row, converters: list) -> Any:
    """`row` with each column's converters applied (the row itself if there are none)."""
    if not converters:
        return row
    row = list(row)
    for pos, (convs, expression) in converters:
        value = row[pos]
        for converter in convs:
            value = converter(value, expression, connection)
        row[pos] = value
    return row


def all_together(*reads: tuple[CompiledRead, dict[str, Any]]) -> list[list[Model]]:
    """`[read.all(**values) for read, values in reads]` in one round trip: the prepared
    statements are sent together (`pipelined()`), each with its own snapshot, and read after.
    For independent reads of one page (a ticket's thread, its history, who else is there)."""
    compiled = [(read._compiled(), values) for read, values in reads]
    for found, _values in compiled:
        found._check_transaction()
    results = rows_together([(found.sql, found._params(values)) for found, values in compiled])
    return [
        [found.recipe.instance(row) for row in rows]
        for (found, _values), rows in zip(compiled, results, strict=True)
    ]


def rows_together(statements: list[tuple[str, list[Any]]]) -> list[list[tuple]]:
    """The rows of each `(sql, params)` statement, in order, in one round trip: sent together
    as prepared statements (`pipelined()`), each run after the one before with its own
    snapshot (one statement alone goes out as usual). Any may write (`RETURNING` rows)."""
    with prepared(), ExitStack() as cursors_open:
        cursors = [cursors_open.enter_context(connection.cursor()) for _ in statements]
        with pipelined() if len(statements) > 1 else nullcontext():
            for cursor, (sql, params) in zip(cursors, statements, strict=True):
                cursor.execute(sql, params)
        return [cursor.fetchall() for cursor in cursors]


def first_joined_as_written(queryset: QuerySet) -> Model | None:
    """`queryset.first()`, planned with its joins in the order written (one round trip).

    For a lookup by a unique key whose joins follow foreign keys from that one row (a ticket
    with its requester, assignee, category, SLA clock...), the written order is the best
    plan, and PostgreSQL's search over the orders of eight joined tables took ~4 ms of
    planning, ten times the execution."""
    queryset = queryset if queryset.ordered else queryset.order_by("pk")
    rows = list_joined_as_written(queryset[:1])
    return rows[0] if rows else None


def list_joined_as_written(queryset: QuerySet) -> list[Model]:
    """`list(queryset)` planned with its joins in the order written: for rows found through
    the first table's own index (an id list, an index walk in the page's order) whose other
    tables hang off them by foreign key. SET LOCAL holds for the implicit transaction of this
    one message, or the caller's transaction, hence the reset after the read."""
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SET LOCAL join_collapse_limit = 1; {sql}; SET LOCAL join_collapse_limit = DEFAULT",
            params,
        )
        cursor.nextset()
        rows = cursor.fetchall()
        cursor.nextset()
    if not rows:
        return []
    recipe = _Recipe(compiler)
    return [recipe.instance(row) for row in rows]


class WithStatement:
    """A model queryset's statement with `WITH ctes` (and their `params`) ahead of its SQL,
    compiled once: `list_with` without the compilation, for a caller that keeps it and runs
    it again with other values in the same places (`run`). Raises EmptyResultSet as the
    compiler does."""

    def __init__(self, queryset: QuerySet, ctes: str, params) -> None:
        if not issubclass(queryset._iterable_class, ModelIterable):
            raise TypeError("WithStatement answers model instances")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, query_params = compiler.as_sql()
        self.sql = f"WITH {ctes} {sql}"
        self.params = [*params, *query_params]
        self._recipe = _Recipe(compiler)

    def run(self, params) -> list[Model]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        return [self._recipe.instance(row) for row in rows]


def list_with(queryset: QuerySet, ctes: str, params) -> list:
    """`list(queryset)` with `WITH ctes` (and their `params`) ahead of its SQL: common table
    expressions its conditions read by name, such as a MATERIALIZED one that several parts of
    the statement share and PostgreSQL computes once. Model instances (`select_related` and
    annotations included), or the rows of a `values_list`."""
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        sql, query_params = compiler.as_sql()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {ctes} {sql}", [*params, *query_params])
        rows = cursor.fetchall()
    if issubclass(queryset._iterable_class, ModelIterable):
        recipe = _Recipe(compiler)
        return [recipe.instance(row) for row in rows]
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    if converters:
        rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
    if issubclass(queryset._iterable_class, FlatValuesListIterable):
        return [row[0] for row in rows]
    if not issubclass(queryset._iterable_class, ValuesListIterable):
        raise TypeError("list_with() answers instances or values_list() rows")
    return rows
