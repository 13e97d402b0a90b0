"""The decision on a stored mail commits without waiting for the disk flush only when
something redoes it after a crash: a RECEIVED mail, decided in a transaction of its own.

Like tests/tickets/test_numbering.py these commit for real (`committed`: a connection of
its own), so each test removes the rows it made in the session tenant.
"""

import pytest

from panel1.events import bus
from panel1.events.names import TICKET_CREATED
from tests.conftest import synchronous_commit
from tests.factories.email import raw_mail
from tickets.email.ingest import inbound_process, inbound_receive
from tickets.models import InboundEmail, InboundStatus, Ticket

pytestmark = pytest.mark.slow


@pytest.fixture
def seen():
    """The `synchronous_commit` of each transaction that created a ticket."""
    found = []
    bus.subscribe(
        TICKET_CREATED,
        key="tests.commit",
        handler=lambda event: found.append(synchronous_commit()),
        in_transaction=True,
    )
    yield found
    bus.unsubscribe(TICKET_CREATED, key="tests.commit")


def _cleanup(sender):
    Ticket.objects.filter(requester__email=sender).delete()
    InboundEmail.objects.filter(sender=sender).delete()


def test_a_received_mail_is_decided_without_waiting_for_the_flush(committed, seen):
    sender = "async-commit@customer.test"
    raw = raw_mail(sender=sender, subject="Async decision")
    try:
        committed(lambda: inbound_receive(raw=raw, source="test"))
        status, tickets = committed(
            lambda: (
                InboundEmail.objects.get(sender=sender).status,
                Ticket.objects.filter(requester__email=sender).count(),
            )
        )
        assert (status, tickets) == (InboundStatus.PROCESSED, 1)
        assert seen == ["off"]
    finally:
        committed(lambda: _cleanup(sender))


def test_a_retry_by_staff_waits_for_the_flush(committed, seen):
    """Nothing would redo a retry a crash took back: it commits as usual."""
    sender = "retry-commit@customer.test"
    raw = raw_mail(sender=sender, subject="Retried decision")

    def fail_then_retry():
        from tickets.email.storage import inbound_store

        inbound = inbound_store(raw=raw, source="test")
        InboundEmail.objects.filter(pk=inbound.pk).update(status=InboundStatus.FAILED)
        inbound.refresh_from_db()
        inbound_process(inbound=inbound)

    try:
        committed(fail_then_retry)
        assert seen == ["on"]
    finally:
        committed(lambda: _cleanup(sender))


def test_a_decision_inside_a_callers_transaction_waits(tenant, ingest, seen):
    ingest(raw_mail(sender="inside@customer.test", subject="Inside"))
    assert seen == ["on"]
