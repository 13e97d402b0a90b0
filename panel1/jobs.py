"""Tenant-aware job helpers on django-q2.

Every task runs inside the schema of the tenant it was enqueued for: `enqueue()` records the
current schema and dispatches after commit; the worker-side entry point `run_in_schema()`
enters `schema_context` (never a bare `set_tenant`: worker processes are reused). Periodic jobs
fan out: one public schedule enqueues one task per tenant. A schedule may declare a `due`
check (a queryset on one tenant model meaning "there is work"): the fan-out then asks every
tenant schema at once, in one query, and enqueues tasks only for the tenants with work, so a
tick over a thousand idle tenants costs one query instead of a thousand tasks.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import ProgrammingError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from panel1.logs import current_request_id, reset_request_id, set_request_id

logger = logging.getLogger(__name__)
# The keyword that carries the enqueuing request's id into the worker (never a task's own).
REQUEST_ID = "_panel1_request_id"


# `due(now)` answers querysets whose rows mean "this tenant has work" (any of them matching);
# evaluated in every schema. One queryset per index keeps each probe an index lookup.
DueCheck = Callable[[dt.datetime], "QuerySet | list[QuerySet]"]
# Schemas per due-check query (one statement, one EXISTS per schema).
DUE_CHECK_CHUNK = 500


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    minutes: int
    per_tenant: bool
    due: DueCheck | None = None


_schedules: dict[str, ScheduleSpec] = {}


def register_schedule(
    *, name: str, func: str, minutes: int, per_tenant: bool, due: DueCheck | None = None
) -> None:
    """Declare a periodic job; `manage.py setup_schedules` creates it idempotently.

    `due` (per-tenant jobs only) makes the fan-out skip tenants where it matches no row.
    """
    _schedules[name] = ScheduleSpec(
        name=name, func=func, minutes=minutes, per_tenant=per_tenant, due=due
    )


def registered_schedules() -> list[ScheduleSpec]:
    return sorted(_schedules.values(), key=lambda spec: spec.name)


def enqueue(func: str, *args: Any, schema_name: str | None = None, **kwargs: Any) -> None:
    """Queue `func` (dotted path) to run in the current tenant's schema after commit.

    The jobs one transaction enqueues (at one savepoint depth) go out together after its
    commit: with the database broker as one INSERT (`_send_batch`).
    """
    call = _call(schema_name or connection.schema_name, func, args, kwargs)
    batch = _open_batch()
    if batch is not None:
        batch.calls.append(call)
        return
    transaction.on_commit(_Batch(call))


def enqueue_merged(func: str, item: Any, *, schema_name: str | None = None) -> None:
    """Queue `func(items)`: the items the transaction gathers for `func` (at one savepoint
    depth, in one schema) go to one job, `func([item, ...])`, instead of a job each (the
    mails of a new ticket's `ticket.created` and of its routed `ticket.assigned`: one job
    to build and pickle, one for the worker to run). Outside a transaction, a job now."""
    schema = schema_name or connection.schema_name
    key = (schema, func)
    batch = _open_batch()
    if batch is not None and key in batch.merged:
        batch.merged[key].append(item)
        return
    items = [item]
    call = _call(schema, func, (items,), {})
    if batch is not None:
        batch.calls.append(call)
    else:
        batch = _Batch(call)
        transaction.on_commit(batch)  # outside a transaction it runs now: merged unused
    batch.merged[key] = items


def _call(schema: str, func: str, args: tuple, kwargs: dict) -> tuple:
    return (
        ("panel1.jobs.run_in_schema", schema, func, *args),
        {**kwargs, REQUEST_ID: current_request_id()},
    )


def _open_batch() -> _Batch | None:
    """The batch of jobs waiting for this transaction's commit at the current savepoint
    depth (a job of a savepoint that rolls back must be dropped with it: not joined)."""
    if not connection.in_atomic_block:
        return None
    depth = set(connection.savepoint_ids) - {None}
    for sids, callback, _robust in reversed(connection.run_on_commit):
        if isinstance(callback, _Batch) and not callback.sent and set(sids) - {None} == depth:
            return callback
    return None


def batches_mark() -> list[tuple[Any, int, dict]]:
    """Where the pending job batches stand now (see `batches_rollback`)."""
    return [
        (callback, len(callback.calls), {key: len(items) for key, items in callback.merged.items()})
        for _sids, callback, _robust in connection.run_on_commit
        if isinstance(callback, _Batch)
    ]


def batches_rollback(mark: list[tuple[Any, int, dict]]) -> None:
    """Drop the jobs added to pending batches since `mark` (a failed block's jobs), and the
    items added since to jobs that merge them."""
    for callback, size, merged in mark:
        del callback.calls[size:]
        for key, items in list(callback.merged.items()):
            if key in merged:
                del items[merged[key] :]
            else:  # its job was added after the mark: gone with it
                del callback.merged[key]


def batches_send_in_transaction() -> None:
    """Write the jobs waiting for this transaction's commit now, inside it, when the broker is
    this database's queue table: one INSERT that commits (or rolls back) with the work that
    queued the jobs, instead of a transaction of its own after the commit (two round trips
    less, and no job lost by a crash between the two commits). Only at the end of the
    outermost block, where no savepoint can roll a job back any more; with another broker
    (Redis) or in sync mode the jobs still go out after the commit."""
    if connection.savepoint_ids or not connection.in_atomic_block or not _broker_is_this_db():
        return
    pending = [
        callback
        for _sids, callback, _robust in connection.run_on_commit
        if isinstance(callback, _Batch) and not callback.sent and callback.calls
    ]
    if not pending:
        return
    calls = [call for callback in pending for call in callback.calls]
    _insert_packages(calls)
    for callback in pending:
        callback.sent = True


def _broker_is_this_db() -> bool:
    """Whether `django_q.brokers.get_broker()` is the ORM broker on this connection's
    database, read from its configuration in get_broker's order (building a broker would
    close stale connections as a side effect)."""
    from django_q.conf import Conf

    if Conf.SYNC or Conf.BROKER_CLASS or Conf.IRON_MQ or isinstance(Conf.SQS, dict):
        return False
    return bool(Conf.ORM) and connection.alias == Conf.ORM


class _Batch:
    """The on-commit callback that sends a transaction's jobs (once; not at all when they
    were written inside the transaction, `batches_send_in_transaction`)."""

    def __init__(self, call):
        self.calls = [call]
        self.sent = False
        # (schema, func) -> the items list of that job's call (`enqueue_merged`)
        self.merged: dict[tuple[str, str], list] = {}

    def __call__(self):
        if self.sent:
            return
        self.sent = True
        _send_batch(self.calls)


class _Collector:
    """A stand-in broker for `async_task`: keeps the signed packages instead of pushing."""

    def __init__(self, list_key: str):
        self.list_key = list_key
        self.packages: list = []

    def enqueue(self, package) -> str:
        self.packages.append(package)
        return "batched"


def _send_batch(calls: list) -> None:
    from django_q.brokers import get_broker
    from django_q.brokers.orm import ORM
    from django_q.tasks import async_task

    if not isinstance(get_broker(), ORM) or len(calls) == 1:
        for args, kwargs in calls:
            async_task(*args, **kwargs)
        return
    _insert_packages(calls)


def _insert_packages(calls: list) -> None:
    """The jobs as the ORM broker's rows, all in one INSERT (in sync mode `async_task` runs
    them right here instead), logged as one line instead of django-q's one per job."""
    from django.db import connections
    from django_q.conf import Conf
    from django_q.models import OrmQ
    from django_q.tasks import async_task

    collector = _Collector(Conf.CLUSTER_NAME)  # get_broker()'s queue name
    _collecting.active = True
    try:
        for args, kwargs in calls:
            async_task(*args, **kwargs, broker=collector)
    finally:
        _collecting.active = False
    packages = collector.packages
    if not packages:
        return
    table = connections[Conf.ORM].ops.quote_name(OrmQ._meta.db_table)
    now = timezone.now()
    # One row of plain parameters per job: an array parameter is escaped element by element
    # in Python (client-side binding), each plain text parameter in C.
    rows = ", ".join(["(%s, %s, %s)"] * len(packages))
    with connections[Conf.ORM].cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("key", "payload", "lock") VALUES {rows}',
            [value for package in packages for value in (collector.list_key, package, now)],
        )
    logger.info("Enqueued [%s] %s job(s)", collector.list_key, len(packages))


class _CollectingFilter(logging.Filter):
    """Drops django-q's "Enqueued [...] batched" line of each job gathered for one INSERT
    (`_insert_packages` logs the batch instead); only those lines of this thread: anything
    else django-q logs meanwhile (a job run inline in sync mode, say) passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            getattr(_collecting, "active", False)
            and record.levelno == logging.INFO
            and str(record.msg).startswith("Enqueued")
        )


_collecting = threading.local()
logging.getLogger("django-q").addFilter(_CollectingFilter())


def connect_worker_signals() -> None:
    from django_q.signals import post_spawn

    post_spawn.connect(worker_started, dispatch_uid="panel1.jobs.worker_started")


def worker_started(sender=None, proc_name: str = "", **kwargs) -> None:
    """A django-q worker process is ready (Django and the apps loaded): its start-up objects
    stay for its whole life, so they are moved out of the cyclic collector's reach, which
    otherwise walks them again on every full collection during a job (as gunicorn workers
    do after loading the application)."""
    gc.freeze()


def run_in_schema(schema_name: str, func: str, *args: Any, **kwargs: Any) -> Any:
    """Worker entry point: run `func` inside `schema_name`, logging under the request id of
    the request that enqueued it (or a new `job-...` id)."""
    from django_tenants.utils import schema_context

    from panel1 import tenant_cache

    parent = kwargs.pop(REQUEST_ID, None)
    token = set_request_id(parent if parent and parent != "-" else f"job-{uuid.uuid4().hex[:16]}")
    try:
        # The tenant's configuration version is read once per job (panel1.tenant_cache).
        with schema_context(schema_name), tenant_cache.scope():
            return import_string(func)(*args, **kwargs)
    finally:
        reset_request_id(token)


def tenant_schema_names() -> list[str]:
    from django_tenants.utils import get_public_schema_name, get_tenant_model

    return list(
        get_tenant_model()
        .objects.exclude(schema_name=get_public_schema_name())
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


def active_tenant_schema_names() -> list[str]:
    """The schemas whose scheduled work runs: every tenant but the suspended ones (a suspended
    tenant sends no mail, polls no mailbox and escalates nothing until it is reactivated;
    its data and queued tasks are kept)."""
    from django_tenants.utils import get_public_schema_name, get_tenant_model

    return list(
        get_tenant_model()
        .objects.exclude(schema_name=get_public_schema_name())
        .filter(suspended_at__isnull=True)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


def for_each_tenant(func: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Run `func` in every tenant's schema in this process; a failing tenant is logged."""
    results: dict[str, Any] = {}
    for schema in tenant_schema_names():
        try:
            results[schema] = run_in_schema(schema, func, *args, **kwargs)
        except Exception:
            logger.exception("%s failed for tenant %s", func, schema)
            results[schema] = None
    return results


def fan_out(func: str) -> int:
    """Scheduled entry point: enqueue one `func` task per tenant that has work."""
    from django_q.tasks import async_task

    schemas = active_tenant_schema_names()
    due = next((spec.due for spec in _schedules.values() if spec.func == func), None)
    if due is not None:
        schemas = schemas_with_work(due, schemas)
    for schema in schemas:
        async_task("panel1.jobs.run_in_schema", schema, func)
    return len(schemas)


def schemas_with_work(
    due: DueCheck, schemas: list[str], *, now: dt.datetime | None = None
) -> list[str]:
    """The schemas where one of `due(now)`'s querysets matches a row, asked in one query per
    chunk of schemas (`EXISTS` per queryset and schema, each served by its own index)."""
    if not schemas:
        return []
    checks = due(now or timezone.now())
    checks = checks if isinstance(checks, list) else [checks]
    probes = [_probe(queryset) for queryset in checks]
    found: set[str] = set()
    for start in range(0, len(schemas), DUE_CHECK_CHUNK):
        chunk = schemas[start : start + DUE_CHECK_CHUNK]
        try:
            with transaction.atomic():
                found.update(_probe_schemas(chunk, probes))
        except ProgrammingError:
            # A tenant being provisioned or dropped: its row exists, its tables do not (yet).
            tables = {queryset.model._meta.db_table for queryset in checks}
            found.update(_probe_schemas(_schemas_with_tables(chunk, tables), probes))
    return [schema for schema in schemas if schema in found]


def _probe_schemas(schemas: list[str], probes: list[tuple[str, tuple]]) -> list[str]:
    if not schemas:
        return []
    sql, params = [], []
    for name in schemas:
        schema = connection.ops.quote_name(name)
        exists = [f"EXISTS ({probe.replace('{schema}', schema)})" for probe, _ in probes]
        sql.append(f"SELECT %s WHERE {' OR '.join(exists)}")
        params += [name, *(value for _, values in probes for value in values)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql), params)
        return [name for (name,) in cursor.fetchall()]


def _schemas_with_tables(schemas: list[str], tables: set[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "WHERE n.nspname = ANY(%s) AND c.relname = ANY(%s) "
            "GROUP BY n.nspname HAVING count(*) = %s",
            [schemas, sorted(tables), len(tables)],
        )
        return [name for (name,) in cursor.fetchall()]


def _probe(queryset: QuerySet) -> tuple[str, tuple]:
    """The queryset's SQL with its table as `{schema}.table` (one table, no joins)."""
    sql, params = queryset.order_by().values("pk")[:1].query.sql_with_params()
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    if sql.count(f"FROM {table}") != 1 or " JOIN " in sql:
        raise ValueError(f"a due check reads one table, without joins: {sql}")
    return sql.replace(f"FROM {table}", f"FROM {{schema}}.{table}"), params


def heartbeat() -> None:
    """Scheduled every minute so /healthz can tell whether the job cluster runs."""
    from panel1.core.models import JobHeartbeat

    JobHeartbeat.beat()
