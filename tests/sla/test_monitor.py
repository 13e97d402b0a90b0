"""The monitor: at-risk and breach exactly once, escalations exactly once (also after a crash)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from sla.models import SlaProfile, TicketSLA
from sla.monitor import sla_monitor_run
from sla.services import escalation_key
from tests.factories import CustomerFactory, SupervisorFactory, TicketFactory
from tests.factories.sla import SlaProfileFactory, ticket_started_at
from tickets import services
from tickets.models import MessageType, Ticket

T0 = dt.datetime(2026, 3, 6, 10, 0, tzinfo=dt.UTC)


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def supervisor(tenant):
    return SupervisorFactory()


@pytest.fixture
def profile(supervisor):
    """HIGH tickets, around the clock: 60 min to first response, 240 to resolution; two rules."""
    return SlaProfileFactory(
        name="High",
        priorities=["HIGH"],
        first_response_time=60,
        resolution_time=240,
        escalation_rules=[
            {"after_minutes": 30, "notify_user_ids": [str(supervisor.pk)]},
            {
                "after_minutes": 120,
                "assign_to_id": str(supervisor.pk),
                "change_priority": "URGENT",
                "notify_user_ids": [str(supervisor.pk)],
            },
        ],
    )


@pytest.fixture
def ticket(profile):
    return ticket_started_at(T0, priority="HIGH")


def _run(run_on_commit, now):
    with run_on_commit():
        return sla_monitor_run(now=now)


def _names(events, name):
    return [(e.payload["ticket_id"], e.payload.get("target")) for e in events if e.name == name]


def test_at_risk_and_breach_are_flagged_and_announced_exactly_once(
    ticket, run_on_commit, events, settings
):
    settings.ENABLE_ESCALATIONS = False
    assert _run(run_on_commit, minutes(47)).as_dict()["at_risk"] == 0
    first = _run(run_on_commit, minutes(48))  # 80 % of 60 minutes
    again = _run(run_on_commit, minutes(48))
    assert (first.at_risk, again.at_risk) == (1, 0)
    state = TicketSLA.objects.get(pk=ticket.pk)
    assert state.first_response_at_risk and not state.first_response_breached
    assert _names(events, "sla.at_risk") == [(str(ticket.pk), "first_response")]

    assert _run(run_on_commit, minutes(60)).breached == 0  # due, not yet past due
    assert _run(run_on_commit, minutes(61)).breached == 1
    assert _run(run_on_commit, minutes(61)).breached == 0
    assert _names(events, "sla.breach") == [(str(ticket.pk), "first_response")]
    assert TicketSLA.objects.get(pk=ticket.pk).first_response_breached
    assert ticket.history.filter(event="sla.breach", field="first_response").count() == 1

    # Long after everything: resolution breaches once and is not first announced at risk.
    late = _run(run_on_commit, minutes(10_000))
    assert (late.breached, late.at_risk) == (1, 0)
    assert _names(events, "sla.breach")[-1] == (str(ticket.pk), "resolution")
    assert len(_names(events, "sla.at_risk")) == 1


def test_paused_resolved_and_met_targets_are_not_flagged(profile, run_on_commit, settings):
    settings.ENABLE_ESCALATIONS = False
    from sla.services import ticket_sla_staff_reply, ticket_sla_status_change

    paused = ticket_started_at(T0, priority="HIGH")
    ticket_sla_status_change(ticket=paused, before="OPEN", after="ON_HOLD", now=minutes(10))
    resolved = ticket_started_at(T0, priority="HIGH")
    ticket_sla_status_change(ticket=resolved, before="OPEN", after="RESOLVED", now=minutes(10))
    answered = ticket_started_at(T0, priority="HIGH")
    Ticket.objects.filter(pk=answered.pk).update(first_responded_at=minutes(5))
    answered.refresh_from_db()
    ticket_sla_staff_reply(ticket=answered, replied_at=minutes(5), now=minutes(5))

    result = _run(run_on_commit, minutes(200))
    assert (result.breached, result.at_risk) == (0, 1)  # only the answered one's resolution
    assert TicketSLA.objects.get(pk=answered.pk).resolution_at_risk
    assert not TicketSLA.objects.filter(
        pk__in=[paused.pk, resolved.pk], first_response_breached=True
    ).exists()


def test_escalation_rules_apply_once_each_even_when_run_twice(
    ticket, supervisor, run_on_commit, events
):
    _run(run_on_commit, minutes(31))
    _run(run_on_commit, minutes(31))
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1 and ticket.assignee is None
    _run(run_on_commit, minutes(121))
    result = _run(run_on_commit, minutes(121))
    assert result.escalations == 0
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2
    assert ticket.assignee == supervisor and ticket.priority == "URGENT"
    state = TicketSLA.objects.get(pk=ticket.pk)
    assert state.escalations_applied == [escalation_key(_high(), 0), escalation_key(_high(), 1)]
    notes = ticket.messages.filter(message_type=MessageType.INTERNAL_NOTE)
    assert notes.count() == 2
    assert f"@{supervisor.get_full_name()}" in notes.first().content
    assert [e.name for e in events].count("ticket.escalated") == 2
    # URGENT no longer matches the HIGH profile: the ticket moved to the default one.
    assert state.profile == SlaProfile.objects.get(is_default=True)


def _high():
    return SlaProfile.objects.get(name="High")


def test_escalation_is_applied_exactly_once_after_a_crash_halfway(
    ticket, supervisor, run_on_commit, events, monkeypatch
):
    from sla import escalations

    real_apply = escalations.escalations_apply

    def crash_on_second_rule(items):
        real_apply(items)  # the rule's actions happen ...
        if any(item.index == 1 for item in items):
            raise RuntimeError("worker died")  # ... and the process dies before commit

    # The batch rolls back whole; its tickets go one by one, where the second rule fails.
    monkeypatch.setattr(escalations, "escalations_apply", crash_on_second_rule)
    crashed = _run(run_on_commit, minutes(121))
    assert crashed.escalations == 1 and crashed.failed == 1
    ticket.refresh_from_db()
    state = TicketSLA.objects.get(pk=ticket.pk)
    assert state.escalations_applied == [escalation_key(_high(), 0)]
    assert ticket.escalation_level == 1 and ticket.assignee is None and ticket.priority == "HIGH"

    monkeypatch.setattr(escalations, "escalations_apply", real_apply)
    rerun = _run(run_on_commit, minutes(121))
    assert rerun.escalations == 1 and rerun.failed == 0
    assert _run(run_on_commit, minutes(122)).escalations == 0
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2 and ticket.assignee == supervisor
    assert ticket.messages.filter(message_type=MessageType.INTERNAL_NOTE).count() == 2
    assert [e.name for e in events].count("ticket.escalated") == 2


@pytest.mark.parametrize("where", ["check_assignable", "escalation_notify"])
def test_a_rule_failing_for_one_ticket_leaves_the_others_of_its_batch_escalated(
    ticket, supervisor, run_on_commit, events, monkeypatch, caplog, where
):
    """Working out one ticket's actions fails (check_assignable): the batch is retried
    without it. The notices of the batch fail: every ticket goes alone. Either way the
    failing ticket's first rule applies and the other ticket gets both."""
    from sla import escalations

    other = ticket_started_at(T0, priority="HIGH")
    real = getattr(escalations, where)

    def fails_for_other(**kwargs):
        if where == "check_assignable" and kwargs["ticket"].pk == other.pk:
            raise RuntimeError("directory down")
        notices = kwargs.get("notices", [])
        if any(n.ticket.pk == other.pk and "rule 2" in n.text for n in notices):
            raise RuntimeError("pager down")
        return real(**kwargs)

    monkeypatch.setattr(escalations, where, fails_for_other)
    result = _run(run_on_commit, minutes(121))
    retry = "retried without ticket" if where == "check_assignable" else "one by one"
    assert retry in caplog.text
    assert (result.escalations, result.failed) == (3, 1)
    ticket.refresh_from_db()
    other.refresh_from_db()
    assert (ticket.escalation_level, ticket.assignee, ticket.priority) == (2, supervisor, "URGENT")
    assert (other.escalation_level, other.assignee, other.priority) == (1, None, "HIGH")
    assert TicketSLA.objects.get(pk=other.pk).escalations_applied == [escalation_key(_high(), 0)]
    escalated = [e.payload["ticket_id"] for e in events if e.name == "ticket.escalated"]
    assert sorted(escalated) == sorted([str(ticket.pk)] * 2 + [str(other.pk)])
    assert [e.name for e in events if e.payload.get("ticket_id") == str(ticket.pk)][-4:] == [
        "ticket.updated",
        "ticket.assigned",
        "message.added",
        "ticket.escalated",
    ]


def test_escalations_can_be_switched_off(ticket, run_on_commit, settings):
    settings.ENABLE_ESCALATIONS = False
    result = _run(run_on_commit, minutes(500))
    assert result.escalations == 0 and result.breached == 2
    ticket.refresh_from_db()
    assert ticket.escalation_level == 0
    assert TicketSLA.objects.get(pk=ticket.pk).escalations_applied == []


def test_escalation_notice_reaches_people_by_mail_and_plugged_in_notifiers(
    ticket, supervisor, run_on_commit, settings, monkeypatch
):
    from tickets import notifiers

    settings.ENABLE_EMAIL_SENDING = True
    calls = []
    monkeypatch.setitem(
        notifiers._notifiers,
        "pager",
        lambda notice: calls.append((notice.ticket_id, list(notice.user_ids), notice.message)),
    )
    _run(run_on_commit, minutes(31))
    notices = [m for m in mail.outbox if "SLA escalation" in m.subject]
    assert [m.to for m in notices] == [[supervisor.email]]
    assert ticket.number in notices[0].subject
    assert calls == [(str(ticket.pk), [str(supervisor.pk)], calls[0][2])]
    assert "rule 1 of profile 'High'" in calls[0][2]


def test_a_refused_action_is_noted_and_not_retried(ticket, supervisor, run_on_commit):
    supervisor.is_active = False
    supervisor.save()
    _run(run_on_commit, minutes(121))
    _run(run_on_commit, minutes(122))
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2 and ticket.assignee is None
    assert "Could not assign" in ticket.history.filter(event="ticket.escalated").last().reason


def test_monitor_cost_does_not_grow_with_open_tickets(profile, run_on_commit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            result = sla_monitor_run(now=minutes(30))
        assert result.as_dict() == {"breached": 0, "at_risk": 0, "escalations": 0, "failed": 0}
        return len(captured)

    customer = CustomerFactory()
    TicketFactory(requester=customer, priority="HIGH")  # created now: nothing due in March
    few = queries()
    for _ in range(30):
        TicketFactory(requester=customer, priority="HIGH")
    assert queries() == few


def test_run_sla_monitor_command(ticket, capsys, settings, run_on_commit):
    settings.ENABLE_ESCALATIONS = False
    with run_on_commit():
        call_command("run_sla_monitor", "--schema", "t_alpha")
    out = capsys.readouterr().out
    assert out.startswith("t_alpha: breached 2")  # the ticket started in March
    call_command("run_sla_monitor")
    out = capsys.readouterr().out
    assert "t_alpha: breached 0" in out and "t_beta:" in out
    with pytest.raises(CommandError):
        call_command("run_sla_monitor", "--schema", "nope")


def test_monitor_leaves_other_tenants_alone(ticket, other_tenant, run_on_commit, settings):
    from tests.conftest import in_schema

    settings.ENABLE_ESCALATIONS = False
    with in_schema(other_tenant), run_on_commit():
        assert sla_monitor_run(now=minutes(500)).breached == 0
    assert not TicketSLA.objects.get(pk=ticket.pk).first_response_breached


def test_services_and_monitor_agree_on_a_breach(ticket, supervisor, run_on_commit, events):
    _run(run_on_commit, minutes(61))
    with run_on_commit():
        services.message_add(ticket=ticket, actor=supervisor, content="Late, sorry")
    assert [t for _, t in _names(events, "sla.breach")].count("first_response") == 1


def test_monitor_events_leave_only_after_commit(ticket, events, settings):
    from panel1.events.models import EventRecord

    settings.ENABLE_ESCALATIONS = False
    assert sla_monitor_run(now=minutes(61)).breached == 1
    assert events == []  # recorded in the outbox with the flag, dispatched after commit
    record = EventRecord.objects.get(name="sla.breach")
    assert record.payload["ticket_id"] == str(ticket.pk) and record.claimed_at is None


def test_monitor_is_scheduled_every_minute_for_every_tenant():
    from panel1 import jobs

    spec = {s.name: s for s in jobs.registered_schedules()}["sla.monitor"]
    assert (spec.func, spec.minutes, spec.per_tenant) == ("sla.monitor.sla_monitor_task", 1, True)
