"""The ticket's copy of its SLA clock (`sla_next_due_at`, `sla_breached`, `sla_at_risk`)
follows the SLA row through every change: start, pauses, replies, breaches, resolution,
reopening, profile edits and deletion, bulk inserts; and the desk's queues filter and order by
it as they did by the SLA rows."""

import datetime as dt

import pytest

from panel1.actors import Actor
from sla.models import SlaProfile, TicketSLA
from sla.monitor import sla_monitor_run
from sla.services import sla_profile_delete, sla_profile_update, ticket_sla_status_change
from tests.factories import AgentFactory, CustomerFactory, SupervisorFactory, TicketFactory
from tests.factories.sla import SlaProfileFactory, ticket_started_at
from tickets import services
from tickets.models import Ticket

T0 = dt.datetime(2026, 3, 6, 10, 0, tzinfo=dt.UTC)
TARGETS = ("first_response", "next_response", "resolution")


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def expected(state: TicketSLA | None) -> tuple:
    """What the queues read from the SLA row before the copy: the nearest due time still
    pending, any target breached, any target at risk and not breached."""
    if state is None:
        return (None, False, False)
    pending = [
        state.first_response_due_at if state.first_responded_at is None else None,
        state.next_response_due_at,
        state.resolution_due_at if state.resolved_at is None else None,
    ]
    due = [d for d in pending if d is not None]
    breached = any(getattr(state, f"{t}_breached") for t in TARGETS)
    at_risk = any(
        getattr(state, f"{t}_at_risk") and not getattr(state, f"{t}_breached") for t in TARGETS
    )
    return (min(due) if due else None, breached, at_risk)


def columns(ticket) -> tuple:
    return tuple(
        Ticket.objects.filter(pk=ticket.pk)
        .values_list("sla_next_due_at", "sla_breached", "sla_at_risk")
        .get()
    )


def assert_follows(ticket) -> tuple:
    state = TicketSLA.objects.filter(pk=ticket.pk).first()
    assert columns(ticket) == expected(state)
    return columns(ticket)


@pytest.fixture
def profile(tenant):
    """HIGH tickets, around the clock: 60 min to first response, 240 to resolution."""
    return SlaProfileFactory(
        name="High", priorities=["HIGH"], first_response_time=60, resolution_time=240
    )


def _status(ticket, before, after, at):
    ticket_sla_status_change(ticket=ticket, before=before, after=after, now=at)
    return assert_follows(ticket)


def test_a_new_ticket_carries_its_first_due_time(tenant, profile):
    ticket = TicketFactory(priority="HIGH")
    assert columns(ticket) == (ticket.created_at + dt.timedelta(minutes=60), False, False)
    assert_follows(ticket)


def test_a_write_from_another_search_path_reaches_the_rows_schema(tenant, profile):
    """The trigger's usual statement resolves `tickets_ticket` on the search path; a write
    that names the SLA table's schema from elsewhere (`public` first) updates that schema's
    ticket all the same."""
    from django.db import connection

    ticket = TicketFactory(priority="HIGH")
    due = columns(ticket)[0]
    with connection.cursor() as cursor:
        cursor.execute("SET search_path TO public")
        try:
            cursor.execute(
                f'UPDATE "{tenant.schema_name}".sla_ticketsla '
                "SET first_response_breached = true WHERE ticket_id = %s",
                [ticket.pk],
            )
        finally:
            cursor.execute(f'SET search_path TO "{tenant.schema_name}", public')
    assert columns(ticket) == (due, True, False)


def test_pause_resume_resolve_and_reopen_move_the_due_time(profile):
    ticket = ticket_started_at(T0, priority="HIGH")
    assert assert_follows(ticket) == (minutes(60), False, False)
    assert _status(ticket, "OPEN", "ON_HOLD", minutes(10)) == (minutes(60), False, False)
    # Resumed after 50 minutes on hold: every running target moves by them.
    assert _status(ticket, "ON_HOLD", "OPEN", minutes(60)) == (minutes(110), False, False)
    # Resolved: nothing pending but the first response, still unmet.
    assert _status(ticket, "OPEN", "RESOLVED", minutes(70)) == (minutes(110), False, False)
    reopened = _status(ticket, "RESOLVED", "OPEN", minutes(100))
    assert reopened[0] == minutes(140)


def test_replies_move_the_due_time_to_the_next_target(tenant, profile):
    agent, customer = AgentFactory(), CustomerFactory()
    ticket = TicketFactory(priority="HIGH", requester=customer)
    first = assert_follows(ticket)[0]
    services.message_add(ticket=ticket, actor=agent, content="On it")
    state = TicketSLA.objects.get(pk=ticket.pk)
    assert state.first_responded_at is not None
    assert assert_follows(ticket)[0] == state.resolution_due_at != first


def test_monitor_flags_reach_the_ticket(profile, run_on_commit, settings):
    settings.ENABLE_ESCALATIONS = False
    ticket = ticket_started_at(T0, priority="HIGH")
    with run_on_commit():
        assert sla_monitor_run(now=minutes(48)).at_risk == 1
    assert assert_follows(ticket) == (minutes(60), False, True)
    with run_on_commit():
        assert sla_monitor_run(now=minutes(61)).breached == 1
    assert assert_follows(ticket) == (minutes(60), True, False)
    with run_on_commit():
        sla_monitor_run(now=minutes(10_000))
    assert assert_follows(ticket)[1:] == (True, False)


def test_a_late_resolution_stays_breached_after_reopen(profile):
    ticket = ticket_started_at(T0, priority="HIGH")
    assert _status(ticket, "OPEN", "RESOLVED", minutes(300))[1] is True
    assert _status(ticket, "RESOLVED", "OPEN", minutes(310))[1] is True
    assert _status(ticket, "OPEN", "CLOSED", minutes(320))[1] is True


def test_profile_edits_and_deletion_move_the_due_time(profile):
    ticket = ticket_started_at(T0, priority="HIGH")
    sla_profile_update(profile=profile, actor=Actor.system(), first_response_time=30)
    assert assert_follows(ticket)[0] == minutes(30)
    sla_profile_delete(profile=profile, actor=Actor.system(), now=minutes(5))
    default = SlaProfile.objects.get(is_default=True)
    assert TicketSLA.objects.get(pk=ticket.pk).profile == default
    assert assert_follows(ticket)[0] == T0 + dt.timedelta(minutes=default.first_response_time)


def test_priority_change_rematches_and_moves_the_due_time(tenant, profile):
    SlaProfileFactory(name="Urgent", priorities=["URGENT"], first_response_time=15)
    agent = AgentFactory()
    ticket = TicketFactory(priority="HIGH")
    high = assert_follows(ticket)
    services.ticket_update(ticket=ticket, actor=agent, priority="URGENT")
    urgent = assert_follows(ticket)
    assert urgent[0] == ticket.created_at + dt.timedelta(minutes=15) != high[0]


def test_bulk_inserted_and_deleted_clocks_reach_the_ticket(tenant, profile):
    ticket = ticket_started_at(T0, priority="HIGH")
    TicketSLA.objects.filter(pk=ticket.pk).delete()
    assert columns(ticket) == (None, False, False)
    TicketSLA.objects.bulk_create(
        [
            TicketSLA(
                ticket_id=ticket.pk,
                started_at=T0,
                first_response_due_at=minutes(60),
                resolution_due_at=minutes(240),
                first_response_breached=True,
                resolution_at_risk=True,
            )
        ]
    )
    assert assert_follows(ticket) == (minutes(60), True, True)


def test_escalation_claims_leave_the_ticket_row_alone(profile):
    ticket = ticket_started_at(T0, priority="HIGH")
    version = Ticket.objects.values_list("version", flat=True).get(pk=ticket.pk)
    before = columns(ticket)
    TicketSLA.objects.filter(pk=ticket.pk).update(escalations_applied=["x"], log=[])
    assert columns(ticket) == before
    assert Ticket.objects.values_list("version", flat=True).get(pk=ticket.pk) == version


# --- the queues ------------------------------------------------------------------------


def _queue_states(profile):
    """Open tickets in every SLA state, plus a resolved one and one without a clock."""
    tickets = [ticket_started_at(minutes(i * 7), priority="HIGH") for i in range(6)]
    ticket_sla_status_change(ticket=tickets[0], before="OPEN", after="ON_HOLD", now=minutes(50))
    TicketSLA.objects.filter(pk=tickets[1].pk).update(first_response_breached=True)
    TicketSLA.objects.filter(pk=tickets[2].pk).update(resolution_at_risk=True)
    TicketSLA.objects.filter(pk=tickets[3].pk).update(
        first_response_at_risk=True, first_response_breached=True
    )
    Ticket.objects.filter(pk=tickets[4].pk).update(status="RESOLVED")
    TicketSLA.objects.filter(pk=tickets[5].pk).delete()
    return tickets


def _old_order(ids, *, desc=False) -> list:
    """The queue's order by the SLA rows: nearest pending due time (NULLs last), then id
    descending."""
    states = TicketSLA.objects.in_bulk(ids)
    keyed = [(expected(states.get(pk))[0], pk) for pk in ids]
    dated = sorted((k for k in keyed if k[0] is not None), key=lambda k: k[1], reverse=True)
    dated.sort(key=lambda k: k[0], reverse=desc)
    undated = sorted((k for k in keyed if k[0] is None), key=lambda k: k[1], reverse=True)
    return [pk for _due, pk in dated + undated]


@pytest.mark.parametrize("sort", ["sla", "-sla"])
def test_queues_order_by_the_due_time_as_the_sla_rows_did(tenant_client, profile, sort):
    supervisor = SupervisorFactory()
    tickets = _queue_states(profile)
    _other = TicketFactory(priority="LOW")
    open_ids = list(Ticket.objects.open().values_list("pk", flat=True))
    page = tenant_client(supervisor).get(f"/desk/queue/open/?sort={sort}")
    assert page.status_code == 200
    numbers = dict(Ticket.objects.values_list("pk", "number"))
    want = [numbers[pk] for pk in _old_order(open_ids, desc=sort.startswith("-"))]
    html = page.content.decode()
    assert sorted(want, key=html.index) == want
    assert numbers[tickets[4].pk] not in html


def test_the_breached_queue_lists_the_flagged_tickets_as_the_sla_rows_did(tenant_client, profile):
    supervisor = SupervisorFactory()
    tickets = _queue_states(profile)
    html = tenant_client(supervisor).get("/desk/queue/sla/").content.decode()
    flagged = [tickets[1].pk, tickets[2].pk, tickets[3].pk]
    want = [t.number for t in Ticket.objects.filter(pk__in=flagged)]
    numbers = dict(Ticket.objects.values_list("pk", "number"))
    assert sorted(want, key=html.index) == [numbers[pk] for pk in _old_order(flagged)]
    for other in (tickets[0], tickets[4], tickets[5]):
        assert other.number not in html
