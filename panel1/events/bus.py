"""The domain event bus: record in the transaction, dispatch after commit, isolate failures.

Services call `emit()` inside their atomic block. The event is written as an `EventRecord`
row (an outbox), in-transaction subscribers run at once (they keep derived state in step and
may abort the change), and after-commit subscribers run once the transaction commits. Inside
`batch()` (the ticket services' hot paths) the rows of a change go in with one statement.

After commit, the events of a transaction (all of them, whatever savepoint emitted them) are
claimed with one conditional UPDATE in the same transaction as all their subscribers' work
(one BEGIN/COMMIT per change, not per event or subscriber). The claim holds the rows' locks
until that commit, so a redelivery or the sweeper never runs an event twice, and a crash
before it rolls the claim back: the sweeper then finds the event unclaimed and delivers it.
An event whose savepoint rolled back has no row, so the claim skips it. Subscribers run
without a savepoint each; when one fails (or swallows a database error), the transaction is
undone and run again with every subscriber in a savepoint, so the failing one loses only its
own work (`_with_retry`).

Events that subscribers emit during a dispatch (a routing decision's `ticket.assigned`, an
automation action's changes) are not dispatched after yet another commit: their rows are
written already claimed and their subscribers run in the same dispatch transaction, after
those of the events that caused them (the order a later dispatch had). A crash rolls back
their rows with the work that caused them, and the sweeper redelivers the cause.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from panel1.db_writes import NO_FLUSH_WAIT, may_skip_flush_wait
from panel1.events.names import ALL_EVENTS

logger = logging.getLogger(__name__)

MAX_CHAIN_DEPTH = 5
MAX_INLINE_WAVES = 20  # waves of events caused by events within one dispatch transaction
_local = threading.local()


@dataclass(frozen=True)
class Event:
    id: str
    name: str
    schema_name: str
    actor: str
    payload: dict[str, Any]
    chain: tuple[str, ...] = field(default=())
    # The changed object as the emitter holds it (in this process only, never stored): lets
    # in-transaction subscribers skip re-reading what the service just wrote.
    subject: Any = field(default=None, compare=False, repr=False)

    @property
    def ticket_id(self) -> str | None:
        return self.payload.get("ticket_id")


Handler = Callable[[Event], None]


@dataclass(frozen=True)
class _Subscriber:
    key: str
    handler: Handler
    in_transaction: bool


_subscribers: dict[str, dict[str, _Subscriber]] = {}


def subscribe(event_name: str, *, key: str, handler: Handler, in_transaction: bool = False):
    """Register `handler` for `event_name` under a stable `key` (re-registering replaces)."""
    if event_name != "*" and event_name not in ALL_EVENTS:
        raise ValueError(f"Unknown event name {event_name!r}")
    _subscribers.setdefault(event_name, {})[key] = _Subscriber(key, handler, in_transaction)


def unsubscribe(event_name: str, *, key: str) -> None:
    _subscribers.get(event_name, {}).pop(key, None)


def _subscribers_for(name: str, *, in_transaction: bool) -> list[_Subscriber]:
    found = list(_subscribers.get(name, {}).values()) + list(_subscribers.get("*", {}).values())
    return [sub for sub in found if sub.in_transaction == in_transaction]


def emit(
    name: str,
    *,
    payload: dict[str, Any],
    actor: str = "system",
    chain: tuple[str, ...] | list[str] = (),
    subject: Any = None,
) -> Event:
    """Record the event and schedule its after-commit dispatch.

    Must run inside the transaction of the change. In-transaction subscribers run now and
    their exceptions abort the change; after-commit subscribers run after commit. Inside
    `batch()` the row is written with the batch's others in one statement when the batch ends.
    """
    from panel1.events.models import EventRecord

    if name not in ALL_EVENTS:
        raise ValueError(f"Unknown event name {name!r}")
    record = EventRecord(
        id=uuid.uuid4(), name=name, payload=payload, actor=actor, chain=list(chain)
    )
    event = _event_from_record(record, subject=subject)
    pending = _batch_here()
    if pending is None:
        if _inline_here():
            record.claimed_at = record.processed_at = timezone.now()
        record.save(force_insert=True)
    else:
        pending.events.append((record, event))
    for sub in _subscribers_for(name, in_transaction=True):
        sub.handler(event)
    if pending is None:
        _dispatch_after_commit([event])
    return event


@dataclass
class _Batch:
    depth: tuple
    schema_name: str
    events: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    statements: list = field(default_factory=list)  # (sql, params) given to defer_statement
    dispatch: list = field(default_factory=list)  # events of savepoints inside the batch
    marks: set = field(default_factory=set)  # see batch_mark()


def _depth() -> tuple:
    # Blocks without a savepoint (`atomic(savepoint=False)`) roll back with their parent, so
    # they do not separate a batch.
    return tuple(sid for sid in connection.savepoint_ids if sid is not None)


@contextlib.contextmanager
def batch():
    """Collect the events emitted inside, the rows given to `defer_insert()` and the
    statements given to `defer_statement()` into one statement at the end of the block
    (still in the transaction; `panel1.db_writes`) and one after-commit dispatch, which also
    takes the events of savepoints inside the block. A nested batch at the same savepoint
    depth joins the open one; one in a savepoint inside it writes its own rows at its depth
    (they roll back with it) and hands its events to the outer batch's dispatch."""
    outer = _local.__dict__.get("batch")
    if outer is not None and outer.depth == _depth():
        yield
        return
    current = _Batch(depth=_depth(), schema_name=connection.schema_name)
    _local.batch = current
    try:
        yield
    except BaseException:
        # The batch's own rows are not written; events of inner savepoints may be kept.
        if outer is not None:
            outer.dispatch.extend(current.dispatch)
        elif current.dispatch and connection.in_atomic_block:
            _dispatch_batch_after_commit(current.dispatch, current.schema_name)
        raise
    finally:
        _local.batch = outer
    _flush(current, outer)


def _batch_here() -> _Batch | None:
    """The open batch if a row written now may join it: only at the batch's own savepoint
    depth (a row of a nested block that rolls back must roll back with it)."""
    current = _local.__dict__.get("batch")
    if current is None or current.depth != _depth():
        return None
    return current


def batch_open() -> bool:
    """Whether a `batch()` is open here (rows written now would join it)."""
    return _batch_here() is not None


def batch_mark(key: str) -> bool:
    """Mark the open batch with `key`: True the first time here, False when it carries the
    mark already or no batch is open (for a writer that may defer only one change per batch,
    such as a routing decision whose successor must read its writes)."""
    current = _batch_here()
    if current is None or key in current.marks:
        return False
    current.marks.add(key)
    return True


def defer_insert(instance) -> bool:
    """Insert `instance` with the open batch's rows of its table (True), or not at all
    (False: no batch here, the caller saves it)."""
    current = _batch_here()
    if current is None:
        return False
    current.rows.append(instance)
    return True


def defer_statement(sql: str, params) -> bool:
    """Run `sql` (a write that returns nothing, touching rows no other write of the batch
    touches) with the open batch's writes (True), or not at all (False: no batch here)."""
    current = _batch_here()
    if current is None:
        return False
    current.statements.append((sql, params))
    return True


def _flush(current: _Batch, outer: _Batch | None = None) -> None:
    from panel1.db_writes import write_together
    from panel1.events.models import EventRecord

    tables: dict[type, list] = {}
    for row in current.rows:
        tables.setdefault(type(row), []).append(row)
    if current.events:
        records = [record for record, _ in current.events]
        if _inline_here():
            now = timezone.now()
            for record in records:
                record.claimed_at = record.processed_at = now
        tables.setdefault(EventRecord, []).extend(records)
    write_together(tables, statements=current.statements)
    # Inner savepoints' events first: they were emitted (and dispatched) before the batch's.
    events = current.dispatch + [event for _, event in current.events]
    if not events:
        return
    if _inline_here():
        _dispatch_after_commit(events)
    elif outer is not None and outer.schema_name == current.schema_name:
        outer.dispatch.extend(events)  # rolled back with a savepoint: the claim skips them
    elif current.dispatch:
        _dispatch_batch_after_commit(events, current.schema_name)
    else:
        _dispatch_after_commit(events)


@dataclass
class _Dispatching:
    """The dispatch running in this thread: where events its subscribers emit go."""

    schema_name: str
    caused: list = field(default_factory=list)


def _inline_here() -> bool:
    """Whether an event emitted now belongs to the dispatch transaction running here."""
    current = _local.__dict__.get("dispatching")
    return (
        current is not None
        and connection.in_atomic_block
        and current.schema_name == connection.schema_name
    )


class _AfterCommit:
    """The on-commit callback that dispatches a transaction's events (once, together)."""

    def __init__(self, events: list[Event], schema_name: str, *, inline: bool = False):
        self.events = list(events)
        self.schema_name = schema_name
        self.inline = inline  # rows written claimed: run without claiming
        self.done = False

    def __call__(self):
        if self.done:
            return
        self.done = True
        waiting = _local.__dict__.get("together")
        if waiting is not None and not self.inline:
            waiting.add(self.events, self.schema_name)
            return
        if self.inline:
            # Left over by a dispatch (MAX_INLINE_WAVES): run in a transaction of their own.
            with _in_schema(self.schema_name):
                _with_retry(lambda isolated: _deliver(self.events, isolated=isolated))
            return
        dispatch_many(self.events, schema_name=self.schema_name)


class _Together:
    """Committed events waiting for one dispatch (see `dispatch_together`)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.events: dict[str, list[Event]] = {}

    def add(self, events: list[Event], schema_name: str) -> None:
        self.events.setdefault(schema_name, []).extend(events)
        if sum(len(found) for found in self.events.values()) >= self.limit:
            self.flush()

    def flush(self) -> None:
        waiting, self.events = self.events, {}
        for schema_name, events in waiting.items():
            dispatch_many(events, schema_name=schema_name)


@contextlib.contextmanager
def dispatch_together(*, limit: int = 100):
    """Inside the block, the after-commit dispatch of each committed transaction waits, and
    the waiting events are dispatched together (one claim, one transaction, one INSERT for
    their jobs) at the end of the block or whenever `limit` events wait: for batch work such
    as a mailbox poll or a mail import, where one mail's notifications may wait for the next
    few mails. The events are in the outbox already, so a crash before their dispatch leaves
    them to the sweeper (`sweep_pending`), as any other undispatched event."""
    if _local.__dict__.get("together") is not None:
        yield  # an outer block collects them
        return
    together = _Together(limit)
    _local.together = together
    try:
        yield
    finally:
        _local.together = None
        together.flush()


def _dispatch_after_commit(events: list[Event]) -> None:
    schema_name = connection.schema_name
    if not connection.in_atomic_block:
        dispatch_many(events, schema_name=schema_name)
        return
    if _inline_here():
        # Registered at this savepoint depth: dropped if it rolls back (with the rows).
        callback = _AfterCommit(events, schema_name, inline=True)
        transaction.on_commit(callback)
        _local.dispatching.caused.append(callback)
        return
    current = _local.__dict__.get("batch")
    if current is not None and current.schema_name == schema_name:
        # A savepoint inside an open batch: dispatched with the batch's events.
        current.dispatch.extend(events)
        return
    transaction.on_commit(_AfterCommit(events, schema_name))


def _dispatch_batch_after_commit(events: list[Event], schema_name: str) -> None:
    """One dispatch for every event of a batch, whatever savepoint inside it emitted them:
    registered so that no savepoint's rollback drops it (the claim skips the events whose
    rows were rolled back with their savepoint)."""
    transaction.on_commit(_AfterCommit(events, schema_name))
    sids, callback, robust = connection.run_on_commit[-1]
    connection.run_on_commit[-1] = (set(), callback, robust)


def _event_from_record(record, *, subject: Any = None) -> Event:
    return Event(
        id=str(record.id),
        name=record.name,
        schema_name=connection.schema_name,
        actor=record.actor,
        payload=record.payload,
        chain=tuple(record.chain or ()),
        subject=subject,
    )


@contextlib.contextmanager
def _in_schema(schema_name: str | None):
    # Entering schema_context always re-issues SET search_path (twice: in and out); the
    # after-commit dispatch of a request already runs in the event's schema.
    if not schema_name or schema_name == connection.schema_name:
        yield
        return
    from django_tenants.utils import schema_context

    with schema_context(schema_name):
        yield


def dispatch(event_id: str, *, schema_name: str | None = None) -> bool:
    """Claim the event row and run its after-commit subscribers; False if already claimed."""
    from panel1.events.models import EventRecord

    with _in_schema(schema_name):
        record = EventRecord.objects.filter(id=event_id).first()
        if record is None:
            return False
        return bool(dispatch_many([_event_from_record(record)]))


def dispatch_many(events: list[Event], *, schema_name: str | None = None) -> int:
    """Claim the events (one UPDATE) and run their after-commit subscribers, all in one
    transaction; answers how many were claimed here.

    The claim marks the rows claimed and processed together and holds their row locks until
    the subscribers' work commits with it: a concurrent claimer (the sweeper) waits and then
    finds them taken, and a crash before the commit rolls the claim back, so the sweeper
    delivers the events later. Subscribers run without savepoints of their own; if one
    fails, the whole transaction is undone and run again with each subscriber isolated by a
    savepoint (`_with_retry`).
    """
    if not events:
        return 0

    def run(isolated: bool) -> int:
        from panel1 import jobs

        claimed = set(_claim(events, timezone.now()))
        _deliver([event for event in events if event.id in claimed], isolated=isolated)
        jobs.batches_send_in_transaction()  # the subscribers' jobs commit with the claim
        return len(claimed)

    with _in_schema(schema_name):
        return _with_retry(run)


class _SubscriberFailed(Exception):
    """A subscriber failed in a dispatch run without savepoints: run it again isolated."""


def _with_retry(run: Callable[[bool], Any]) -> Any:
    """`run(isolated=False)` in a transaction; if a subscriber failed in it, undo all of it
    (rows, on-commit callbacks, queued jobs) and `run(isolated=True)` in a new one.

    A savepoint per subscriber costs a round trip each (two per routed ticket) while
    subscribers nearly never fail; handlers are idempotent, so the ones that ran before the
    failure may run again. The failing subscriber is logged once, by the isolated run."""
    from panel1 import jobs

    callbacks = len(connection.run_on_commit)
    queued = jobs.batches_mark()
    try:
        with transaction.atomic():
            return run(False)
    except _SubscriberFailed:
        del connection.run_on_commit[callbacks:]
        jobs.batches_rollback(queued)
    with transaction.atomic():
        return run(True)


def _deliver(events: list[Event], *, isolated: bool = True) -> None:
    """Run the after-commit subscribers of `events` (claimed), then those of the events they
    caused, wave by wave, in this transaction (each subscriber in a savepoint if
    `isolated`, else a failure raises `_SubscriberFailed`)."""
    previous = _local.__dict__.get("dispatching")
    current = _local.dispatching = _Dispatching(schema_name=connection.schema_name)
    run = _run_isolated if isolated else _run_plain
    try:
        for _wave in range(MAX_INLINE_WAVES):
            for event in events:
                for sub in _subscribers_for(event.name, in_transaction=False):
                    run(sub, event)
            events = _take_caused(current)
            if not events:
                return
        # Still more: the rest goes out after this commit (their rows are claimed already).
        transaction.on_commit(_AfterCommit(events, current.schema_name, inline=True))
    finally:
        _local.dispatching = previous


def _take_caused(current: _Dispatching) -> list[Event]:
    """The events emitted by this wave's subscribers that are still wanted: their callbacks
    are still registered (a rolled-back savepoint or a failed subscriber drops them)."""
    if not current.caused:
        return []
    caused = {id(callback) for callback in current.caused}
    current.caused = []
    taken, kept = [], []
    for entry in connection.run_on_commit:
        (taken if id(entry[1]) in caused else kept).append(entry)
    connection.run_on_commit = kept
    events = []
    for _sids, callback, _robust in taken:
        callback.done = True
        events.extend(callback.events)
    return events


def _claim(events: list[Event], now) -> list[str]:
    """Claim the unclaimed `events`. A dispatch in a transaction of its own commits without
    waiting for the disk flush (`db_writes.may_skip_flush_wait`): claim and effects commit
    or vanish together, and events a database crash takes back the sweeper delivers again.
    (The setting is evaluated for each row claimed: a claim of nothing changes nothing.)"""
    from panel1.events.models import EventRecord

    table = EventRecord._meta.db_table
    no_wait = f" AND {NO_FLUSH_WAIT} = 'off'" if may_skip_flush_wait() else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "claimed_at" = %s, "processed_at" = %s '
            f'WHERE "id" = ANY(%s::uuid[]) AND "claimed_at" IS NULL{no_wait} RETURNING "id"',
            [now, now, [event.id for event in events]],
        )
        return [str(row[0]) for row in cursor.fetchall()]


class _LazySavepoint:
    """An execute wrapper that takes a savepoint before the first statement it sees."""

    def __init__(self):
        self.sid: str | None = None
        self._busy = False

    def __call__(self, execute, sql, params, many, context):
        if self.sid is None and not self._busy:
            self._busy = True
            try:
                self.sid = connection.savepoint()
            finally:
                self._busy = False
        return execute(sql, params, many, context)


def _run_plain(sub: _Subscriber, event: Event) -> None:
    """Run the subscriber in the dispatch transaction itself; a failure (an exception, or a
    database error it swallowed: the transaction is aborted) fails the whole run."""
    try:
        sub.handler(event)
    except Exception as error:
        raise _SubscriberFailed(sub.key) from error
    if _transaction_aborted():
        raise _SubscriberFailed(sub.key)


def _transaction_aborted() -> bool:
    """Whether the transaction is in error (known from the connection, no round trip)."""
    from psycopg import pq

    raw = connection.connection
    return raw is not None and raw.info.transaction_status == pq.TransactionStatus.INERROR


def _run_isolated(sub: _Subscriber, event: Event) -> None:
    # A failing subscriber is logged and must not break the request or the other subscribers:
    # its statements roll back to its savepoint and its on-commit callbacks are dropped. A
    # savepoint is left unreleased on success (the commit releases it): one statement less.
    from panel1 import jobs

    savepoint = _LazySavepoint()
    callbacks = len(connection.run_on_commit)
    queued = jobs.batches_mark()
    try:
        with connection.execute_wrapper(savepoint):
            sub.handler(event)
        if _transaction_aborted():
            raise _SubscriberFailed(sub.key)  # it swallowed a database error
    except Exception:
        if savepoint.sid is not None:
            connection.savepoint_rollback(savepoint.sid)
            connection.needs_rollback = False
        del connection.run_on_commit[callbacks:]
        jobs.batches_rollback(queued)
        logger.exception("Event subscriber %s failed for %s %s", sub.key, event.name, event.id)


def sweep_pending(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Dispatch events left unclaimed (e.g. a crash between commit and dispatch)."""
    from panel1.events.models import EventRecord

    cutoff = timezone.now() - older_than
    records = list(
        EventRecord.objects.filter(claimed_at__isnull=True, created_at__lt=cutoff).order_by(
            "created_at"
        )[:500]
    )
    # One at a time: each event's subscribers commit (or fail) on their own.
    return sum(dispatch_many([_event_from_record(record)]) for record in records)


def sweep_pending_task() -> int:
    return sweep_pending()


def sweep_due(now, *, older_than: timedelta = timedelta(minutes=1)):
    """Fan-out due check of the sweeper: tenants with an event left unclaimed."""
    from panel1.events.models import EventRecord

    return EventRecord.objects.filter(
        processed_at__isnull=True, claimed_at__isnull=True, created_at__lt=now - older_than
    )
