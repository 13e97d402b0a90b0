"""The decision on a stored mail commits without waiting for the disk flush only when
something redoes it after a crash: a RECEIVED mail, decided in a transaction of its own.

Like tests/tickets/test_numbering.py these commit for real (a thread with its own
connection), so each test removes the rows it made in the session tenant.
"""

import threading

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from panel1.events import bus
from panel1.events.names import TICKET_CREATED
from tests.factories.email import raw_mail
from tickets.email.ingest import inbound_process, inbound_receive
from tickets.models import InboundEmail, InboundStatus, Ticket

pytestmark = pytest.mark.slow


@pytest.fixture
def seen():
    """The `synchronous_commit` of each transaction that created a ticket."""
    found = []

    def record(event):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('synchronous_commit')")
            found.append(cursor.fetchone()[0])

    bus.subscribe(TICKET_CREATED, key="tests.commit", handler=record, in_transaction=True)
    yield found
    bus.unsubscribe(TICKET_CREATED, key="tests.commit")


def _committed(tenant, django_db_blocker, work):
    """Run `work()` in a thread on a connection of its own: its transactions commit."""
    errors = []

    def run():
        try:
            with django_db_blocker.unblock(), schema_context(tenant.schema_name):
                work()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert errors == []


def _cleanup(tenant, django_db_blocker, sender):
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        Ticket.objects.filter(requester__email=sender).delete()
        InboundEmail.objects.filter(sender=sender).delete()


def test_a_received_mail_is_decided_without_waiting_for_the_flush(
    session_tenants, django_db_blocker, seen
):
    tenant = session_tenants[0]
    sender = "async-commit@customer.test"
    raw = raw_mail(sender=sender, subject="Async decision")
    try:
        _committed(tenant, django_db_blocker, lambda: inbound_receive(raw=raw, source="test"))
        with django_db_blocker.unblock(), schema_context(tenant.schema_name):
            inbound = InboundEmail.objects.get(sender=sender)
            assert inbound.status == InboundStatus.PROCESSED
            assert Ticket.objects.filter(requester__email=sender).count() == 1
        assert seen == ["off"]
    finally:
        _cleanup(tenant, django_db_blocker, sender)


def test_a_retry_by_staff_waits_for_the_flush(session_tenants, django_db_blocker, seen):
    """Nothing would redo a retry a crash took back: it commits as usual."""
    tenant = session_tenants[0]
    sender = "retry-commit@customer.test"
    raw = raw_mail(sender=sender, subject="Retried decision")

    def fail_then_retry():
        from tickets.email.storage import inbound_store

        inbound = inbound_store(raw=raw, source="test")
        InboundEmail.objects.filter(pk=inbound.pk).update(status=InboundStatus.FAILED)
        inbound.refresh_from_db()
        inbound_process(inbound=inbound)

    try:
        _committed(tenant, django_db_blocker, fail_then_retry)
        assert seen == ["on"]
    finally:
        _cleanup(tenant, django_db_blocker, sender)


def test_a_decision_inside_a_callers_transaction_waits(tenant, ingest, seen):
    ingest(raw_mail(sender="inside@customer.test", subject="Inside"))
    assert seen == ["on"]
