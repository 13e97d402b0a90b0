"""Several writes in one statement: the rows of a few tables and a few plain statements as
one `WITH` of data-modifying statements (PostgreSQL runs each exactly once, to completion).

For the end of a `panel1.events.bus.batch()`: the history rows, event rows and bookkeeping of
one change go to the database in one round trip instead of one per table (and an UPDATE
given to `bus.defer_statement`, see `update_sql`). The parts see the
same snapshot and none sees another's rows, so they must not touch the same rows; foreign
keys are checked at commit (Django creates them deferrable). Rows get no values back from
the database (no RETURNING): an auto-increment primary key stays unset, as after
`bulk_create` on a database that cannot return them.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    AutoField,
    BinaryField,
    BooleanField,
    CharField,
    DateTimeField,
    EmailField,
    Field,
    ForeignKey,
    Model,
    Q,
    TextField,
    UUIDField,
    signals,
)
from django.db.models.sql import InsertQuery, UpdateQuery

from panel1.db_prepared import prepared

Statement = tuple[str, Sequence[Any]]


def insert_sql(model: type[Model], rows: list[Model]) -> Statement:
    """The INSERT of `rows` (all with their primary key set, or all without): the rows
    `bulk_create` would write, without RETURNING."""
    opts = model._meta
    for row in rows:
        if row.pk is None:
            row.pk = opts.pk.get_pk_value_on_save(row)  # a UUID default, say
        row._prepare_related_fields_for_save(operation_name="bulk_create")
    with_pk = [row.pk is not None for row in rows]
    if any(with_pk) and not all(with_pk):
        raise ValueError(f"{opts.label}: some rows have a primary key and some have none.")
    plan = _insert_plan(model)
    # The plan's columns leave out an auto-increment key: rows that have one set take the
    # compiler's statement.
    if plan is not None and plan.fields and not (plan.returning is not None and all(with_pk)):
        params = _insert_params(plan, rows)
        if params is not None:
            return _insert_rows_text(model, len(rows)), params
    fields = [f for f in opts.concrete_fields if not f.generated]
    if not any(with_pk):
        fields = [f for f in fields if not isinstance(f, AutoField)]
    query = InsertQuery(model)
    query.insert_values(fields, rows)
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return sql, params


def _insert_params(plan: _InsertPlan, rows: list[Model]) -> list | None:
    """The rows' values for the plan's columns, prepared as the compiler prepares them
    (`pre_save`, `get_db_prep_save`); None when a value is an expression (the compiler
    resolves it)."""
    params = []
    here = _this_connection()
    for row in rows:
        for f, reader in zip(plan.fields, plan.readers, strict=True):
            value = _prepared_value(f, reader, row, here)
            if value is _EXPRESSION:
                return None
            params.append(value)
    return params


# --- A value as the compiler prepares it, without the calls where they change nothing -------
#
# Every row written costs each field's `pre_save` and `get_db_prep_save` (three to six calls
# through the field's class hierarchy); for most fields of most rows they hand the value back
# unchanged. Where that is certain, the value goes as it is (`_Reader`).

_EXPRESSION = object()  # a value the compiler must resolve (F(), a function)
_NONE = type(None)


@dataclass(frozen=True)
class _Reader:
    attname: str | None  # read the attribute itself (the field's pre_save does only that)
    as_is: tuple[type, ...]  # exact value types prepared into themselves
    aware: bool  # a datetime: only an aware one is (a naive one gets a warning and a zone)


def _prepared_value(f: Field, reader: _Reader, row: Model, here: BaseDatabaseWrapper) -> Any:
    """`f.get_db_prep_save(f.pre_save(row, True))`, or _EXPRESSION."""
    value = getattr(row, reader.attname) if reader.attname else f.pre_save(row, True)
    if type(value) in reader.as_is and (
        not reader.aware or value is None or value.utcoffset() is not None
    ):
        return value
    if hasattr(value, "resolve_expression"):
        return _EXPRESSION
    return f.get_db_prep_save(value, connection=here)


def _db_value(f: Field, reader: _Reader, value: Any, here: BaseDatabaseWrapper) -> Any:
    """`f.get_db_prep_save(value)` (a value, not an expression), as `_prepared_value`."""
    if type(value) in reader.as_is and (
        not reader.aware or value is None or value.utcoffset() is not None
    ):
        return value
    return f.get_db_prep_save(value, connection=here)


def _reader(f: Field, vendor: str) -> _Reader:
    """How to read and prepare `f`'s value. Only Django's own field classes (not subclasses,
    which may prepare differently), on PostgreSQL: text is text, a boolean a boolean, a UUID
    a UUID (native column), an aware datetime itself (`adapt_datetimefield_value`); a foreign
    key's value is its target's. Everything else takes the field's own methods."""
    attname = f.attname if type(f).pre_save is Field.pre_save else None
    target = f.target_field if type(f) is ForeignKey else f
    kind = type(target)
    as_is: tuple[type, ...] = ()
    if vendor == "postgresql":
        if kind in (CharField, TextField, EmailField):
            as_is = (str, _NONE)
        elif kind is BooleanField:
            as_is = (bool, _NONE)
        elif kind is UUIDField:
            as_is = (uuid.UUID, _NONE)
        elif kind is DateTimeField:
            as_is = (datetime.datetime, _NONE)
    return _Reader(attname=attname, as_is=as_is, aware=kind is DateTimeField)


def _this_connection() -> BaseDatabaseWrapper:
    """The thread's connection itself: `connection` is a proxy that looks it up (through
    asgiref's thread-local storage) on every attribute read, and each field's value
    preparation reads several."""
    return connections[DEFAULT_DB_ALIAS]


@functools.cache
def _insert_rows_text(model: type[Model], count: int) -> str:
    """The INSERT of `count` rows of `model` (the columns and placeholders of its plan),
    built once per model and row count instead of by the compiler for every batch."""
    plan = _insert_plan(model)
    values = ", ".join([f"({plan.placeholders})"] * count)
    return f"{plan.head} VALUES {values}"


def update_sql(instance: Model, field_names: Sequence[str]) -> Statement:
    """The UPDATE that `instance.save(update_fields=field_names)` would send (without its
    signals: for models nobody listens to). Its text is built by Django's compiler once per
    model and fields (per connection vendor); the values are prepared as the compiler
    prepares them (`get_db_prep_save`, the primary key's `get_db_prep_value`)."""
    opts = instance._meta
    fields = [opts.get_field(name) for name in field_names]
    values = [field.pre_save(instance, False) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        return _update_compiled(instance, fields, values)
    sql = _update_text(type(instance), tuple(field_names), connection.alias)
    if sql is None:
        return _update_compiled(instance, fields, values)
    here = _this_connection()
    readers = _field_readers(type(instance), tuple(field_names), here.vendor)
    params = [
        _db_value(field, reader, value, here)
        for field, reader, value in zip(fields, readers, values, strict=True)
    ]
    params.append(opts.pk.get_db_prep_value(instance.pk, here))
    return sql, params


@functools.cache
def _field_readers(model: type[Model], field_names: tuple[str, ...], vendor: str) -> tuple:
    return tuple(_reader(model._meta.get_field(name), vendor) for name in field_names)


def update_one(instance: Model, field_names: Sequence[str]) -> None:
    """`instance.save(update_fields=field_names)` now, by the statement of `update_sql`
    (its text compiled once per model and fields). Models with save signals or a save() of
    their own, and field names save() would refuse, take save()."""
    model = type(instance)
    opts = model._meta
    fields = [opts.fields_map.get(name) or _attname_field(opts, name) for name in field_names]
    if (
        not field_names
        or any(f is None or not f.concrete or f.many_to_many or f.primary_key for f in fields)
        or model.save is not Model.save
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
    ):
        instance.save(update_fields=field_names)
        return
    instance._prepare_related_fields_for_save(operation_name="save", fields=fields)
    sql, params = update_sql(instance, field_names)
    with prepared(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    instance._state.adding = False
    instance._state.db = connection.alias


def _attname_field(opts, name: str) -> Field | None:
    return next((f for f in opts.concrete_fields if f.attname == name), None)


def _update_compiled(instance: Model, fields, values) -> Statement:
    query = UpdateQuery(type(instance))
    query.add_update_fields(
        [(field, None, value) for field, value in zip(fields, values, strict=True)]
    )
    query.add_q(Q(pk=instance.pk))
    return query.get_compiler(connection=connection).as_sql()


@functools.cache
def _update_text(model: type[Model], field_names: tuple[str, ...], alias: str) -> str | None:
    """The UPDATE text for `field_names` of one row by primary key, as the compiler writes it
    for values (not expressions, not NULL: the same statement with a NULL parameter); None
    for a field with a placeholder of its own (then the compiler builds each statement)."""
    opts = model._meta
    fields = [opts.get_field(name) for name in field_names]
    if any(hasattr(field, "get_placeholder") for field in [*fields, opts.pk]):
        return None
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    return f"UPDATE {table} SET {sets} WHERE {table}.{quote(opts.pk.column)} = %s"


def write_together(
    groups: dict[type[Model], list[Model]], *, statements: Iterable[Statement] = ()
) -> int:
    """Insert each model's rows and run `statements` (none may return rows) in one
    statement; answers how many statements that saved (0 or more)."""
    parts = [insert_sql(model, rows) for model, rows in groups.items() if rows]
    parts += list(statements)
    if not parts:
        return 0
    *first, (last_sql, last_params) = parts
    sql = last_sql
    if first:
        ctes = ", ".join(f"write_{n} AS ({part})" for n, (part, _params) in enumerate(first))
        sql = f"WITH {ctes} {last_sql}"
    params = [value for _sql, values in first for value in values] + list(last_params)
    # Prepared (`panel1.db_prepared`): a batch of the same shape (a new ticket's rows, say)
    # is parsed and planned once per connection, and its values go out bound, not quoted
    # into the text.
    with prepared(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    for rows in groups.values():
        for row in rows:
            row._state.adding = False
            row._state.db = connection.alias
    return len(parts) - 1


# --- One row now: the INSERT compiled once per model ----------------------------------------


@dataclass(frozen=True)
class _InsertPlan:
    sql: str
    head: str  # INSERT INTO table (columns)
    placeholders: str  # one row's
    each_placeholder: tuple[str, ...]  # the fields'
    fields: tuple[Field, ...]
    readers: tuple[_Reader, ...]  # the fields'
    returning: Field | None  # an auto-increment primary key, read back
    generated: tuple[str, ...]  # computed by the database: left unloaded (deferred)


@functools.cache
def _insert_plan(model: type[Model]) -> _InsertPlan | None:
    """The INSERT of one `model` row, as `save()` sends it, or None where that takes more
    than a plain INSERT (parents, ordering, database defaults, a field with a value-dependent
    placeholder)."""
    opts = model._meta
    if opts.parents or opts.order_with_respect_to or opts.proxy:
        return None
    auto = opts.pk if isinstance(opts.pk, AutoField) else None
    fields = tuple(f for f in opts.local_concrete_fields if not f.generated and f is not auto)
    if any(f.has_db_default() for f in fields):
        return None
    placeholders = []
    for f in fields:
        if isinstance(f, ArrayField):
            placeholders.append(f.get_placeholder(None, None, connection))
        elif hasattr(f, "get_placeholder") and not isinstance(f, BinaryField):
            return None
        else:
            placeholders.append("%s")
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({})".format(
        quote(opts.db_table), ", ".join(quote(f.column) for f in fields)
    )
    row = ", ".join(placeholders)
    sql = f"{head} VALUES ({row})"
    if auto is not None:
        sql += f" RETURNING {quote(auto.column)}"
    generated = tuple(f.attname for f in opts.local_concrete_fields if f.generated)
    return _InsertPlan(
        sql=sql,
        head=head,
        placeholders=row,
        each_placeholder=tuple(placeholders),
        fields=fields,
        readers=tuple(_reader(f, connection.vendor) for f in fields),
        returning=auto,
        generated=generated,
    )


def insert_one(instance: Model) -> Model:
    """Insert `instance` now, as `instance.save(force_insert=True)` would, with SQL compiled
    once per model instead of per call, and without reading back columns the database
    computes (a `GeneratedField` such as a search vector is left unloaded: reading it later
    loads it). Models with save signals or more than a plain INSERT take `save()`, and so do
    models with a `save()` of their own, unless they declare `save_adds_nothing` (a save that
    only refuses updates, say)."""
    model = type(instance)
    plan = _insert_plan(model)
    if (
        plan is None
        or (model.save is not Model.save and not getattr(model, "save_adds_nothing", False))
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
    ):
        instance.save(force_insert=True)
        return instance
    instance._prepare_related_fields_for_save(operation_name="save")
    opts = model._meta
    if plan.returning is None and instance.pk is None:
        instance.pk = opts.pk.get_pk_value_on_save(instance)
    params = []
    here = _this_connection()
    for f, reader in zip(plan.fields, plan.readers, strict=True):
        value = _prepared_value(f, reader, instance, here)
        if value is _EXPRESSION:
            instance.save(force_insert=True)  # an expression: Django's compiler resolves it
            return instance
        params.append(value)
    with prepared(), connection.cursor() as cursor:
        cursor.execute(plan.sql, params)
        if plan.returning is not None:
            setattr(instance, plan.returning.attname, cursor.fetchone()[0])
    for attname in plan.generated:
        instance.__dict__.pop(attname, None)
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def insert_one_returning(
    instance: Model,
    *,
    ctes: str = "",
    cte_params: Sequence[Any] = (),
    expressions: dict[str, str] | None = None,
    returning: Sequence[str] = (),
) -> tuple | None:
    """Insert `instance` as `insert_one` does, in one statement with `WITH ctes` (taking
    `cte_params`) ahead of it and, for the columns named in `expressions`, an SQL expression
    in place of the value's placeholder: it holds `%s` once, where the field's value goes,
    and may read the CTEs (`COALESCE((SELECT ... FROM found), %s)`). Answers the row of
    `returning` (column names; values unconverted), or None, writing nothing, for a model
    that `insert_one` would save another way. The statement's text is built once per shape."""
    model = type(instance)
    plan = _insert_plan(model)
    if (
        plan is None
        or plan.returning is not None
        or (model.save is not Model.save and not getattr(model, "save_adds_nothing", False))
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
    ):
        return None
    instance._prepare_related_fields_for_save(operation_name="save")
    if instance.pk is None:
        instance.pk = model._meta.pk.get_pk_value_on_save(instance)
    params = list(cte_params)
    here = _this_connection()
    for f, reader in zip(plan.fields, plan.readers, strict=True):
        value = _prepared_value(f, reader, instance, here)
        if value is _EXPRESSION:
            return None
        params.append(value)
    sql = _insert_returning_text(
        model, ctes, tuple(sorted((expressions or {}).items())), tuple(returning)
    )
    with prepared(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    for attname in plan.generated:
        instance.__dict__.pop(attname, None)
    instance._state.adding = False
    instance._state.db = connection.alias
    return row


@functools.cache
def _insert_returning_text(
    model: type[Model], ctes: str, expressions: tuple[tuple[str, str], ...], returning: tuple
) -> str:
    plan = _insert_plan(model)
    by_column = dict(expressions)
    values = []
    for f, placeholder in zip(plan.fields, plan.each_placeholder, strict=True):
        expression = by_column.pop(f.column, None)
        if expression is not None:
            if expression.count("%s") != 1 or placeholder != "%s":
                raise ValueError(f"{f.column}: one plain placeholder, please")
            placeholder = expression
        values.append(placeholder)
    if by_column:
        raise ValueError(f"no such columns: {sorted(by_column)}")
    quote = connection.ops.quote_name
    sql = f"{plan.head} VALUES ({', '.join(values)})"
    if ctes:
        sql = f"WITH {ctes} {sql}"
    if returning:
        sql += " RETURNING " + ", ".join(quote(column) for column in returning)
    return sql


# --- Commits that need not wait for the disk ----------------------------------------------

# A select-list item (or a condition, `= 'off'`) that turns PostgreSQL's asynchronous commit
# on for the rest of the transaction, without a statement of its own.
NO_FLUSH_WAIT = "set_config('synchronous_commit', 'off', true)"


def may_skip_flush_wait() -> bool:
    """Whether the transaction running here may commit without waiting for its WAL to reach
    the disk (`NO_FLUSH_WAIT`; settings.ASYNC_COMMIT).

    For work that something redoes when a database crash takes it back: an event dispatch
    (the sweeper delivers unclaimed events again), the processing of a mail whose raw bytes
    were committed before (the stuck-mail job processes it again). The commit stays atomic;
    only a crash within a fraction of a second (three `wal_writer_delay`s at most) loses
    it, whole. One disk sync less per request: the largest single cost of a create on a
    busy disk. Only in the outermost block: in a caller's transaction the setting would
    reach the caller's own writes too."""
    return settings.ASYNC_COMMIT and len(connection.atomic_blocks) == 1
