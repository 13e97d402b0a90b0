"""What the hot-path work (issue 13) must keep: exactly-once events after a crash, one
statement for throttling without Redis, keyset pages that neither skip nor repeat rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panel1.events import bus
from panel1.events.models import EventRecord
from panel1.events.names import TICKET_CREATED
from tests.factories import AgentFactory, CustomerFactory, TicketFactory


@pytest.fixture
def calls():
    seen = []
    bus.subscribe(TICKET_CREATED, key="tests.hot", handler=seen.append)
    yield seen
    bus.unsubscribe(TICKET_CREATED, key="tests.hot")


def test_a_crash_in_the_after_commit_work_leaves_the_event_to_the_sweeper(tenant, calls):
    record = EventRecord.objects.create(name=TICKET_CREATED, payload={"ticket_id": "c1"})
    event = bus._event_from_record(record)

    def crash(_event):
        raise SystemExit("the process dies mid-dispatch")  # not an Exception: not isolated

    bus.subscribe(TICKET_CREATED, key="tests.crash", handler=crash)
    try:
        with pytest.raises(SystemExit):
            bus.dispatch_many([event])
    finally:
        bus.unsubscribe(TICKET_CREATED, key="tests.crash")
    record.refresh_from_db()
    assert record.claimed_at is None and record.processed_at is None  # the claim rolled back
    EventRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(hours=1))
    calls.clear()
    assert bus.sweep_pending() == 1
    assert bus.sweep_pending() == 0 and bus.dispatch(str(record.pk)) is False
    assert [e.payload["ticket_id"] for e in calls] == ["c1"]


def test_events_of_one_change_are_claimed_with_one_statement(tenant, calls, run_on_commit):
    capture = CaptureQueriesContext(connection)
    with capture as ctx, run_on_commit(), transaction.atomic(), bus.batch():
        for n in range(3):
            bus.emit(TICKET_CREATED, payload={"ticket_id": f"b{n}"})
    claims = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "events_eventrecord"')]
    inserts = [q for q in ctx.captured_queries if 'INSERT INTO "events_' in q["sql"]]
    assert len(claims) == 1 and len(inserts) == 1
    assert sorted(e.payload["ticket_id"] for e in calls) == ["b0", "b1", "b2"]


def test_a_failing_subscriber_keeps_neither_its_writes_nor_its_jobs(tenant, run_on_commit):
    from panel1 import jobs

    ticket = TicketFactory()

    def bad(event):
        ticket.subject = "changed by a failing subscriber"
        ticket.save(update_fields=["subject"])
        jobs.enqueue("tests.never.runs")
        raise RuntimeError("boom")

    bus.subscribe(TICKET_CREATED, key="tests.bad", handler=bad)
    try:
        with run_on_commit():
            bus.emit(TICKET_CREATED, payload={"ticket_id": str(ticket.pk)})
    finally:
        bus.unsubscribe(TICKET_CREATED, key="tests.bad")
    ticket.refresh_from_db()
    assert ticket.subject != "changed by a failing subscriber"


def test_throttling_without_redis_costs_one_statement(tenant, api_client, settings):
    from panel1.api.throttling import UserRateThrottle

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "panel1_cache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
    agent = AgentFactory()
    throttle = UserRateThrottle()
    throttle.num_requests, throttle.duration = 2, 60

    class Request:
        user = agent

    with CaptureQueriesContext(connection) as ctx:
        allowed = [throttle.allow_request(Request(), None) for _ in range(3)]
    assert allowed == [True, True, False]
    assert len(ctx.captured_queries) == 3  # one upsert per request
    assert throttle.wait() >= 1


@pytest.mark.parametrize("ordering", ["", "created_at", "-updated_at", "priority", "-priority"])
def test_cursor_pages_walk_the_whole_list_in_order(tenant, api_client, ordering):
    customer = CustomerFactory()
    for n, priority in enumerate(["LOW", "HIGH", "URGENT", "MEDIUM"] * 3):
        TicketFactory(requester=customer, priority=priority, subject=f"t{n}")
    client = api_client(AgentFactory())
    query = f"&ordering={ordering}" if ordering else ""
    expected = [t["id"] for t in client.get(f"/api/v1/tickets/?limit=100{query}").json()["results"]]
    seen, url, pages = [], f"/api/v1/tickets/?cursor=&limit=5{query}", []
    while url:
        page = client.get(url).json()
        assert "count" not in page
        pages.append(page)
        seen += [t["id"] for t in page["results"]]
        url = page["next"]
    assert seen == expected and len(pages) == 3
    back = client.get(pages[-1]["previous"]).json()  # previous of the last page: the middle
    assert [t["id"] for t in back["results"]] == expected[5:10]


def test_a_bad_cursor_is_a_400(tenant, api_client):
    client = api_client(AgentFactory())
    for cursor in ("nonsense", "eyJiIjpmYWxzZSwidiI6WzFdfQ"):
        answer = client.get(f"/api/v1/tickets/?cursor={cursor}")
        assert answer.status_code == 400 and "cursor" in answer.json()


def test_events_of_several_commits_can_be_dispatched_together(tenant, calls, run_on_commit):
    """A batch (a mail import, a mailbox poll) dispatches the events of its commits at once:
    nothing before the block ends (or its limit is reached), then one claim for all."""
    capture = CaptureQueriesContext(connection)
    with capture as ctx, bus.dispatch_together(limit=5):
        for n in range(3):
            with run_on_commit(), transaction.atomic():
                bus.emit(TICKET_CREATED, payload={"ticket_id": f"t{n}"})
        assert calls == []  # committed, waiting for the block's end
        claims_so_far = len(ctx.captured_queries)
    claims = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "events_eventrecord"')]
    assert len(claims) == 1 and len(ctx.captured_queries) > claims_so_far
    assert [e.payload["ticket_id"] for e in calls] == ["t0", "t1", "t2"]

    calls.clear()
    with bus.dispatch_together(limit=2):
        for n in range(3):
            with run_on_commit(), transaction.atomic():
                bus.emit(TICKET_CREATED, payload={"ticket_id": f"u{n}"})
        assert [e.payload["ticket_id"] for e in calls] == ["u0", "u1"]  # the limit reached
    assert [e.payload["ticket_id"] for e in calls] == ["u0", "u1", "u2"]
