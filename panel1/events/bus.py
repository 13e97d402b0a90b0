"""The domain event bus: record in the transaction, dispatch after commit, isolate failures.

Services call `emit()` inside their atomic block. The event is written as an `EventRecord`
row (an outbox), in-transaction subscribers run at once (they keep derived state in step and
may abort the change), and after-commit subscribers run once the transaction commits. Each
event is claimed with a conditional UPDATE, so a redelivery or the sweeper never runs it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from panel1.events.names import ALL_EVENTS

logger = logging.getLogger(__name__)

MAX_CHAIN_DEPTH = 5


@dataclass(frozen=True)
class Event:
    id: str
    name: str
    schema_name: str
    actor: str
    payload: dict[str, Any]
    chain: tuple[str, ...] = field(default=())

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
) -> Event:
    """Record the event and schedule its after-commit dispatch.

    Must run inside the transaction of the change. In-transaction subscribers run now and
    their exceptions abort the change; after-commit subscribers run after commit.
    """
    from panel1.events.models import EventRecord

    if name not in ALL_EVENTS:
        raise ValueError(f"Unknown event name {name!r}")
    record = EventRecord.objects.create(name=name, payload=payload, actor=actor, chain=list(chain))
    event = _event_from_record(record)
    for sub in _subscribers_for(name, in_transaction=True):
        sub.handler(event)
    transaction.on_commit(lambda: dispatch(str(record.id), schema_name=event.schema_name))
    return event


def _event_from_record(record) -> Event:
    return Event(
        id=str(record.id),
        name=record.name,
        schema_name=connection.schema_name,
        actor=record.actor,
        payload=record.payload,
        chain=tuple(record.chain or ()),
    )


def dispatch(event_id: str, *, schema_name: str | None = None) -> bool:
    """Claim the event row and run its after-commit subscribers; False if already claimed."""
    from django_tenants.utils import schema_context

    from panel1.events.models import EventRecord

    with schema_context(schema_name or connection.schema_name):
        claimed = EventRecord.objects.filter(id=event_id, claimed_at__isnull=True).update(
            claimed_at=timezone.now()
        )
        if not claimed:
            return False
        record = EventRecord.objects.get(id=event_id)
        event = _event_from_record(record)
        for sub in _subscribers_for(event.name, in_transaction=False):
            _run_isolated(sub, event)
        EventRecord.objects.filter(id=event_id).update(processed_at=timezone.now())
    return True


def _run_isolated(sub: _Subscriber, event: Event) -> None:
    # A failing subscriber is logged and must not break the request or the other subscribers.
    try:
        with transaction.atomic():
            sub.handler(event)
    except Exception:
        logger.exception("Event subscriber %s failed for %s %s", sub.key, event.name, event.id)


def sweep_pending(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Dispatch events left unclaimed (e.g. a crash between commit and dispatch)."""
    from panel1.events.models import EventRecord

    cutoff = timezone.now() - older_than
    ids = list(
        EventRecord.objects.filter(claimed_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("id", flat=True)[:500]
    )
    return sum(1 for event_id in ids if dispatch(str(event_id)))


def sweep_pending_task() -> int:
    return sweep_pending()


def sweep_due(now, *, older_than: timedelta = timedelta(minutes=1)):
    """Fan-out due check of the sweeper: tenants with an event left unclaimed."""
    from panel1.events.models import EventRecord

    return EventRecord.objects.filter(
        processed_at__isnull=True, claimed_at__isnull=True, created_at__lt=now - older_than
    )
