import pytest
from django.db import transaction

from panel1.events import bus
from panel1.events.models import EventRecord
from panel1.events.names import TICKET_CREATED, TICKET_UPDATED
from tests.conftest import synchronous_commit


@pytest.fixture
def subscriber():
    calls = []

    def register(*, fail=False, in_transaction=False, key="tests.sub"):
        def handler(event):
            calls.append(event)
            if fail:
                raise RuntimeError("boom")

        bus.subscribe(TICKET_CREATED, key=key, handler=handler, in_transaction=in_transaction)
        return calls

    yield register
    for key in ("tests.sub", "tests.bad", "tests.good"):
        bus.unsubscribe(TICKET_CREATED, key=key)


def test_event_is_dispatched_only_after_commit(tenant, subscriber, run_on_commit):
    calls = subscriber()
    with run_on_commit():
        with transaction.atomic():
            bus.emit(TICKET_CREATED, payload={"ticket_id": "t1"}, actor="system")
            assert calls == []  # nothing escapes before commit
        assert calls == []
    assert [e.payload["ticket_id"] for e in calls] == ["t1"]
    assert calls[0].schema_name == tenant.schema_name


def test_rolled_back_change_dispatches_nothing(tenant, subscriber, run_on_commit):
    calls = subscriber()
    with run_on_commit(), pytest.raises(ValueError), transaction.atomic():
        bus.emit(TICKET_CREATED, payload={"ticket_id": "t2"})
        raise ValueError("rollback")
    assert calls == []
    assert not EventRecord.objects.filter(payload__ticket_id="t2").exists()


def test_failing_subscriber_is_isolated(tenant, subscriber, run_on_commit, caplog):
    subscriber(fail=True, key="tests.bad")
    good = subscriber(key="tests.good")
    with run_on_commit():
        bus.emit(TICKET_CREATED, payload={"ticket_id": "t3"})
    # Both handlers share the list. The dispatch ran without savepoints, the bad one failed,
    # so it was undone and run again with each handler isolated: the good one still ran.
    assert [call.payload["ticket_id"] for call in good] == ["t3", "t3", "t3"]
    assert caplog.text.count("tests.bad failed") == 1
    assert EventRecord.objects.get(payload__ticket_id="t3").processed_at is not None


def test_in_transaction_subscriber_can_abort_the_change(tenant, subscriber):
    subscriber(fail=True, in_transaction=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        bus.emit(TICKET_CREATED, payload={"ticket_id": "t4"})
    assert not EventRecord.objects.filter(payload__ticket_id="t4").exists()


def test_event_is_claimed_once(tenant, subscriber, run_on_commit):
    calls = subscriber()
    with run_on_commit():
        event = bus.emit(TICKET_CREATED, payload={"ticket_id": "t5"})
    assert bus.dispatch(event.id) is False
    assert len(calls) == 1


def test_sweeper_dispatches_events_left_by_a_crash(tenant, subscriber):
    calls = subscriber()
    from datetime import timedelta

    from django.utils import timezone

    # A crash between commit and dispatch leaves an unclaimed row.
    record = EventRecord.objects.create(name=TICKET_CREATED, payload={"ticket_id": "t6"})
    EventRecord.objects.filter(id=record.id).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert bus.sweep_pending() == 1
    assert bus.sweep_pending() == 0
    assert [e.payload["ticket_id"] for e in calls] == ["t6"]


def test_unknown_event_name_is_refused(tenant):
    with pytest.raises(ValueError):
        bus.emit("ticket.exploded", payload={})
    with pytest.raises(ValueError):
        bus.subscribe("nope", key="x", handler=print)
    assert TICKET_UPDATED == "ticket.updated"


def _settings_seen_in_real_commits(committed, subscriber):
    """Emit an event in a committed transaction on a connection of its own (as a request's):
    the `synchronous_commit` the write saw and the one its dispatch saw."""
    seen = {}
    subscriber(key="tests.good")
    bus.subscribe(
        TICKET_CREATED,
        key="tests.sub",
        handler=lambda event: seen.setdefault("dispatch", synchronous_commit()),
    )

    def work():
        with transaction.atomic():
            event = bus.emit(TICKET_CREATED, payload={"ticket_id": "async"})
            seen["write"] = synchronous_commit()
        seen["after"] = synchronous_commit()
        seen["event"] = event.id

    committed(work)
    record = committed(lambda: EventRecord.objects.get(id=seen["event"]))
    assert record.claimed_at is not None and record.processed_at is not None
    committed(lambda: EventRecord.objects.filter(id=seen["event"]).delete())
    return seen


@pytest.mark.slow
def test_dispatch_commits_without_waiting_for_the_flush(committed, subscriber):
    seen = _settings_seen_in_real_commits(committed, subscriber)
    # The ticket's own write waits for the disk; only the dispatch after it does not, and
    # the setting ends with the dispatch's transaction.
    assert seen == {"write": "on", "dispatch": "off", "after": "on", "event": seen["event"]}


@pytest.mark.slow
def test_dispatch_waits_for_the_flush_when_configured(committed, subscriber, settings):
    settings.ASYNC_COMMIT = False
    seen = _settings_seen_in_real_commits(committed, subscriber)
    assert seen["dispatch"] == "on"


def test_dispatch_inside_a_callers_transaction_keeps_its_commit_synchronous(
    tenant, subscriber, run_on_commit
):
    subscriber()
    with run_on_commit():
        bus.emit(TICKET_CREATED, payload={"ticket_id": "t7"})
    # The test's transaction is the caller's: the dispatch ran inside it.
    assert synchronous_commit() == "on"
