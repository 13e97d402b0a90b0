"""Escalation batches under real concurrency: two monitors at once, a ticket held by a request.

Like tests/tickets/test_numbering.py these commit for real (no per-test rollback), so each
test sets up and removes its own rows in the session tenant.
"""

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from panel1.accounts.models import User
from panel1.events.models import EventRecord
from sla.models import SlaProfile, TicketSLA
from sla.monitor import sla_monitor_run
from tests.factories import SupervisorFactory
from tests.factories.sla import SlaProfileFactory, ticket_started_at
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.slow

T0 = dt.datetime(2026, 3, 6, 10, 0, tzinfo=dt.UTC)
DUE = T0 + dt.timedelta(minutes=31)


@contextlib.contextmanager
def due_tickets(tenant, django_db_blocker, count: int):
    """`count` LOW tickets of a profile whose one rule (notify a supervisor) is due at DUE."""
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        supervisor = SupervisorFactory()
        profile = SlaProfileFactory(
            name="Concurrent",
            priorities=["LOW"],
            first_response_time=60,
            resolution_time=240,
            escalation_rules=[{"after_minutes": 30, "notify_user_ids": [str(supervisor.pk)]}],
        )
        tickets = [ticket_started_at(T0, priority="LOW") for _ in range(count)]
    try:
        yield tickets
    finally:
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            requesters = {ticket.requester_id for ticket in tickets}
            ids = [str(ticket.pk) for ticket in tickets]
            # The outbox rows name their ticket in the payload only (no foreign key).
            EventRecord.objects.filter(payload__ticket_id__in=ids).delete()
            Ticket.objects.filter(pk__in=ids).delete()
            SlaProfile.objects.filter(pk=profile.pk).delete()
            User.objects.filter(pk__in=[supervisor.pk, *requesters]).delete()


def in_threads(tenant, django_db_blocker, *works):
    errors: list[Exception] = []
    barrier = threading.Barrier(len(works))

    def run(work):
        try:
            with django_db_blocker.unblock(), schema_context(tenant.schema_name):
                barrier.wait()
                work()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []


def test_two_monitors_at_once_apply_each_rule_exactly_once(session_tenants, django_db_blocker):
    tenant = session_tenants[0]
    results = []

    def monitor():
        results.append(sla_monitor_run(now=DUE, batch_size=7))

    with due_tickets(tenant, django_db_blocker, 40) as tickets:
        in_threads(tenant, django_db_blocker, monitor, monitor)
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            ids = [ticket.pk for ticket in tickets]
            assert sum(result.escalations for result in results) == 40
            assert sum(result.failed for result in results) == 0
            levels = Ticket.objects.filter(pk__in=ids).values_list("escalation_level", flat=True)
            assert set(levels) == {1}
            applied = TicketSLA.objects.filter(pk__in=ids).values_list(
                "escalations_applied", flat=True
            )
            assert {len(keys) for keys in applied} == {1}
            history = TicketEvent.objects.filter(ticket__in=ids, event="ticket.escalated")
            assert history.count() == 40
            notes = Ticket.objects.filter(pk__in=ids, messages__message_type="INTERNAL_NOTE")
            assert notes.count() == 40


def test_a_ticket_held_by_a_request_is_escalated_by_the_next_pass(
    session_tenants, django_db_blocker
):
    tenant = session_tenants[0]
    held, release = threading.Event(), threading.Event()
    results = []

    def request(ticket):
        def work():
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=ticket.pk)
                held.set()
                release.wait(timeout=30)

        return work

    def monitor():
        held.wait(timeout=30)
        try:
            results.append(sla_monitor_run(now=DUE))
        finally:
            release.set()

    with due_tickets(tenant, django_db_blocker, 3) as tickets:
        in_threads(tenant, django_db_blocker, request(tickets[0]), monitor)
        assert results[0].escalations == 2  # the held one was skipped, not waited for
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            assert Ticket.objects.get(pk=tickets[0].pk).escalation_level == 0
            assert sla_monitor_run(now=DUE).escalations == 1
            levels = Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list(
                "escalation_level", flat=True
            )
            assert list(levels) == [1, 1, 1]
