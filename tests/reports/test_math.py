"""Report figures from known fixtures: exact numbers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from reports.params import report_params_build
from reports.selectors import report_run
from sla.models import SlaProfile, TicketSLA
from tests.factories import CategoryFactory
from tests.factories.sla import SlaProfileFactory
from tests.reports.conftest import DAY, at, message
from tickets.models import MessageType, SatisfactionRating, Ticket

UTC = ZoneInfo("UTC")
D1, D2 = DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)


def run(name, viewer, **filters):
    filters.setdefault("start", DAY)
    filters.setdefault("end", D2)
    params = report_params_build(viewer=viewer, zone=UTC, **filters)
    return report_run(name=name, params=params)


@pytest.fixture
def three(make_ticket, agent, other_agent, refresh):
    """T1 resolved next day (alice, HIGH, printer); T2 same day (bob); T3 still open (alice)."""
    hardware = CategoryFactory(name="Hardware")
    t1 = make_ticket(
        created=at(DAY, 9),
        first=at(DAY, 9, 10),
        resolved=at(D1, 9),
        assignee=agent,
        priority="HIGH",
        tags=["printer"],
        category=hardware,
    )
    t2 = make_ticket(
        created=at(DAY, 10), first=at(DAY, 10, 30), resolved=at(DAY, 12), assignee=other_agent
    )
    t3 = make_ticket(created=at(D1, 9), first=at(D1, 9, 50), assignee=agent, tags=["printer"])
    refresh()
    return t1, t2, t3


def test_overview_counts_created_solved_and_backlog_per_day(three, supervisor):
    data = run("overview", supervisor)

    assert [(r["date"], r["created"], r["solved"], r["backlog"]) for r in data["rows"]] == [
        (DAY, 2, 1, 1),
        (D1, 1, 1, 1),
        (D2, 0, 0, 1),
    ]
    totals = data["totals"]
    assert (totals["created"], totals["solved"]) == (3, 2)
    assert (totals["backlog_start"], totals["backlog_end"]) == (0, 1)
    assert totals["by_priority"] == {"LOW": 0, "MEDIUM": 2, "HIGH": 1, "URGENT": 0}
    assert totals["by_channel"]["PORTAL"] == 3


def test_previous_period_has_the_same_length_just_before(three, supervisor):
    data = run("overview", supervisor)
    assert data["previous"]["start"] == DAY - dt.timedelta(days=3)
    assert data["previous"]["end"] == DAY - dt.timedelta(days=1)
    assert data["previous"]["created"] == 0
    later = run(
        "overview", supervisor, start=D2 + dt.timedelta(days=1), end=D2 + dt.timedelta(days=3)
    )
    assert later["previous"]["created"] == 3
    assert later["totals"]["backlog_start"] == 1


def test_weekly_interval_joins_days(three, supervisor):
    data = run("overview", supervisor, start=DAY, end=DAY + dt.timedelta(days=13), interval="week")
    assert [(r["date"], r["created"], r["solved"]) for r in data["rows"]] == [
        (DAY, 3, 2),
        (DAY + dt.timedelta(days=7), 0, 0),
    ]


def test_response_times_median_and_p90(three, supervisor):
    totals = run("response-times", supervisor)["totals"]
    # first responses 10, 30, 50 minutes; resolutions 1440 and 120 minutes
    assert (totals["first_response_median"], totals["first_response_p90"]) == (30.0, 46.0)
    assert (totals["resolution_median"], totals["resolution_p90"]) == (780.0, 1308.0)
    # the default profile runs around the clock: business minutes equal wall minutes
    assert totals["first_response_business_median"] == 30.0
    assert (totals["tickets"], totals["solved"]) == (3, 2)


def test_response_times_rows_by_priority_and_category(three, supervisor):
    rows = run("response-times", supervisor)["rows"]
    by = {(r["dimension"], r["label"]): r for r in rows}
    assert by[("priority", "HIGH")]["first_response_median"] == 10.0
    assert by[("priority", "MEDIUM")]["first_response_median"] == 40.0
    assert by[("category", "Hardware")]["resolution_median"] == 1440.0
    assert by[("category", "Uncategorized")]["tickets"] == 2


def test_business_minutes_follow_the_ticket_calendar(make_ticket, agent, supervisor, refresh):
    office = SlaProfileFactory(
        name="Office",
        business_hours={
            "timezone": "UTC",
            **{
                d: {"start": "09:00", "end": "17:00", "enabled": True}
                for d in ("monday", "tuesday", "wednesday", "thursday", "friday")
            },
        },  # fmt: skip
    )
    # Monday 16:00 -> Tuesday 10:00: 18 wall hours, 2 business hours
    ticket = make_ticket(created=at(DAY, 16), first=at(D1, 10), resolved=at(D1, 12), assignee=agent)
    TicketSLA.objects.filter(ticket=ticket).update(profile=office)
    refresh()

    totals = run("response-times", supervisor)["totals"]

    assert (totals["first_response_median"], totals["first_response_business_median"]) == (
        1080,
        120,
    )
    assert (totals["resolution_median"], totals["resolution_business_median"]) == (1200, 240)


def test_business_minutes_leave_out_sla_pauses(make_ticket, agent, supervisor, refresh):
    ticket = make_ticket(
        created=at(DAY, 9), first=at(DAY, 9, 10), resolved=at(DAY, 13), assignee=agent
    )
    pause = {"start": at(DAY, 10).isoformat(), "end": at(DAY, 11).isoformat(), "reason": "WAITING"}
    TicketSLA.objects.filter(ticket=ticket).update(pauses=[pause])
    refresh()
    totals = run("response-times", supervisor)["totals"]
    assert (totals["resolution_median"], totals["resolution_business_median"]) == (240, 180)


def test_next_response_waits(make_ticket, agent, customer, supervisor, refresh):
    ticket = make_ticket(created=at(DAY, 9), first=at(DAY, 9, 10), assignee=agent)
    message(ticket, kind=MessageType.CUSTOMER_REPLY, when=at(DAY, 10), author=customer)
    message(ticket, kind=MessageType.CUSTOMER_REPLY, when=at(DAY, 10, 5), author=customer)
    message(ticket, kind=MessageType.STAFF_REPLY, when=at(DAY, 10, 20), author=agent)
    message(ticket, kind=MessageType.CUSTOMER_REPLY, when=at(DAY, 11), author=customer)
    message(ticket, kind=MessageType.STAFF_REPLY, when=at(DAY, 12), author=agent)
    refresh()
    totals = run("response-times", supervisor)["totals"]
    # waits 20 (from the oldest unanswered reply) and 60 minutes
    assert (totals["next_response_median"], totals["next_response_p90"]) == (40.0, 56.0)


def test_sla_compliance_over_time_and_breaches(three, supervisor):
    t1, t2, t3 = three
    TicketSLA.objects.filter(ticket=t1).update(
        first_responded_at=at(DAY, 9, 10), resolution_breached=True
    )
    TicketSLA.objects.filter(ticket=t2).update(
        first_responded_at=at(DAY, 10, 30), resolved_at=at(DAY, 12)
    )
    TicketSLA.objects.filter(ticket=t3).update(first_response_breached=True)
    from reports.services import reports_refresh

    reports_refresh(full=True)
    data = run("sla", supervisor)

    day = {r["date"]: r for r in data["rows"]}
    assert (day[DAY]["first_response_met"], day[DAY]["first_response_rate"]) == (2, 100.0)
    assert (day[D1]["first_response_breached"], day[D1]["first_response_rate"]) == (1, 0.0)
    assert (day[DAY]["resolution_met"], day[D1]["resolution_breached"]) == (1, 1)
    totals = data["totals"]
    assert (totals["first_response_rate"], totals["resolution_rate"]) == (66.7, 50.0)
    assert totals["breaches_by_agent"] == {"alice@helpdesk.test": 2}
    assert totals["breaches_by_category"] == {"Hardware": 1, "none": 1}


def test_agents_report(three, agent, other_agent, supervisor):
    data = run("agents", supervisor)
    rows = {r["email"]: r for r in data["rows"]}
    alice = rows["alice@helpdesk.test"]
    assert (alice["solved"], alice["replies"], alice["open_tickets"]) == (1, 2, 1)
    assert (alice["first_response_median"], alice["resolution_median"]) == (10.0, 1440.0)
    assert rows["bob@helpdesk.test"]["solved"] == 1
    assert data["totals"]["solved"] == 2
    assert data["totals"]["replies"] == 3


def test_reopen_rate_and_time_tracked(three, agent, supervisor, refresh):
    from tickets.models import TicketEvent

    t1 = three[0]
    TicketEvent.objects.create(ticket=t1, actor_label="x", event="ticket.status.changed",
                               field="status", before="RESOLVED", after="OPEN")  # fmt: skip
    message(t1, kind=MessageType.INTERNAL_NOTE, when=at(DAY, 11), author=agent, time_spent=25)
    refresh()
    alice = {r["email"]: r for r in run("agents", supervisor)["rows"]}["alice@helpdesk.test"]
    assert (alice["reopen_rate"], alice["time_spent"]) == (100.0, 25)


def test_categories_and_tags(three, supervisor):
    categories = {r["name"]: r for r in run("categories", supervisor)["rows"]}
    assert (categories["Hardware"]["created"], categories["Hardware"]["solved"]) == (1, 1)
    assert categories["Uncategorized"]["created"] == 2
    tags = {r["tag"]: r for r in run("tags", supervisor)["rows"]}
    assert (tags["printer"]["created"], tags["printer"]["solved"]) == (2, 1)
    assert tags["printer"]["first_response_median"] == 30.0


def test_tag_filter_reads_facts_and_agrees_with_rollups(three, supervisor):
    with_tag = run("overview", supervisor, tags=["printer"])
    assert with_tag["totals"]["created"] == 2
    Ticket.objects.filter(pk=three[1].pk).update(tags=["printer"])
    from reports.services import reports_refresh

    reports_refresh(full=True)
    everything, tagged = run("overview", supervisor), run("overview", supervisor, tags=["printer"])
    assert everything["rows"] == tagged["rows"]
    assert run("sla", supervisor)["rows"] == run("sla", supervisor, tags=["printer"])["rows"]


def test_satisfaction_report(three, supervisor, refresh):
    t1, t2, _ = three
    SatisfactionRating.objects.create(ticket=t1, rating=2, response_time=1, solution=2, team=3,
                                      score=2.0, comment="Slow")  # fmt: skip
    SatisfactionRating.objects.create(ticket=t2, rating=5, response_time=5, solution=5, team=5,
                                      score=5.0)  # fmt: skip
    SatisfactionRating.objects.update(updated_at=at(D1, 12))
    refresh()
    data = run("satisfaction", supervisor)
    day = {r["date"]: r for r in data["rows"]}
    assert (day[D1]["responses"], day[D1]["score"], day[D1]["response_time"]) == (2, 3.5, 3.0)
    totals = data["totals"]
    assert totals["distribution"]["team"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
    assert [c["comment"] for c in totals["comments"]] == ["Slow"]
    assert {a["agent"]: a["score"] for a in totals["by_agent"]} == {
        "alice@helpdesk.test": 2.0,
        "bob@helpdesk.test": 5.0,
    }


def test_knowledge_base_searches_and_deflection(tenant, supervisor):
    from knowledgebase.models import SearchRecord

    for query, count, source, filed in (
        ("printer", 3, "PORTAL", None),
        ("printer", 3, "PORTAL", at(DAY, 10)),
        ("fax", 0, "PAGE", None),
    ):
        record = SearchRecord.objects.create(query=query, normalized_query=query,
                                             result_count=count, source=source,
                                             ticket_filed_at=filed)  # fmt: skip
        SearchRecord.objects.filter(pk=record.pk).update(created_at=at(DAY, 9))
    data = run("knowledge-base", supervisor)
    totals = data["totals"]
    assert (totals["searches"], totals["zero_result_searches"]) == (3, 1)
    assert (totals["suggestions_shown"], totals["deflected"], totals["deflection_rate"]) == (
        2,
        1,
        50.0,
    )
    assert totals["top_zero_result_queries"] == [{"query": "fax", "count": 1}]
    assert data["rows"][0]["searches"] == 3


def test_agents_see_only_their_own_figures(three, agent, other_agent):
    data = run("agents", agent, agents=[other_agent.pk])
    assert [r["email"] for r in data["rows"]] == ["alice@helpdesk.test"]
    overview = run("overview", agent)
    assert overview["totals"]["created"] == 2  # T1 and T3 are Alice's
    assert overview["previous"]["created"] == 0


def test_refresh_is_incremental_and_idempotent(three, supervisor):
    from reports.models import DailyRollup, TicketFact
    from reports.services import reports_refresh

    before = sorted(DailyRollup.objects.values_list("day", "created", "solved"))
    assert reports_refresh() >= 0
    assert sorted(DailyRollup.objects.values_list("day", "created", "solved")) == before
    # A late change to an old ticket: reopened (resolved_on moves away from D1)
    t1 = three[0]
    Ticket.objects.filter(pk=t1.pk).update(status="OPEN", resolved_at=None)
    assert reports_refresh() >= 1
    assert TicketFact.objects.get(pk=t1.pk).resolved_on is None
    data = run("overview", supervisor)
    assert [r["solved"] for r in data["rows"]] == [1, 0, 0]
    assert data["totals"]["backlog_end"] == 2


def test_time_zone_change_rebuilds_days(three, supervisor, tenant):
    from reports.models import TicketFact
    from reports.services import reports_refresh

    tenant.default_timezone = "America/New_York"
    tenant.save(update_fields=["default_timezone"])
    try:
        reports_refresh()
        # 09:00 UTC on DAY is 04:00 in New York: still DAY; T1's resolution 09:00 UTC on D1 too
        assert TicketFact.objects.get(pk=three[0].pk).created_on == DAY
        Ticket.objects.filter(pk=three[1].pk).update(created_at=at(DAY, 2))
        reports_refresh()
        assert TicketFact.objects.get(pk=three[1].pk).created_on == DAY - dt.timedelta(days=1)
    finally:
        tenant.default_timezone = "UTC"
        tenant.save(update_fields=["default_timezone"])


def test_default_profile_exists(tenant):
    assert SlaProfile.objects.filter(is_default=True).exists()


def test_profile_edit_recomputes_open_tickets(make_ticket, agent, supervisor):
    from panel1.actors import Actor
    from reports.models import TicketFact
    from reports.services import reports_refresh
    from sla.services import sla_profile_update

    ticket = make_ticket(created=at(DAY, 16), first=at(D1, 10), assignee=agent)
    reports_refresh(full=True)
    assert TicketFact.objects.get(pk=ticket.pk).first_response_business_minutes == 1080
    default = SlaProfile.objects.get(is_default=True)
    sla_profile_update(
        profile=default,
        actor=Actor.system(),
        business_hours={
            "timezone": "UTC",
            **{
                d: {"start": "09:00", "end": "17:00", "enabled": True}
                for d in ("monday", "tuesday", "wednesday", "thursday", "friday")
            },
        },  # fmt: skip
    )
    reports_refresh()
    assert TicketFact.objects.get(pk=ticket.pk).first_response_business_minutes == 120


def test_backfill_goes_on_across_bounded_passes(make_ticket, supervisor, monkeypatch):
    from reports import services
    from reports.models import RollupState, TicketFact

    for hour in range(9, 14):
        make_ticket(created=at(DAY, hour), first=at(DAY, hour, 5))
    monkeypatch.setattr(services, "BATCH", 2)

    # Passes an hour apart, so no ticket counts as "changed since the last pass".
    later = iter(timezone.now() + dt.timedelta(hours=n) for n in range(1, 20))
    counts = [services.reports_refresh(budget_seconds=0, now=next(later))]  # one batch a pass
    assert RollupState.objects.get().backfill_pending
    while RollupState.objects.get().backfill_pending and len(counts) < 10:
        counts.append(services.reports_refresh(budget_seconds=0, now=next(later)))
    assert counts[:3] == [2, 2, 1]
    assert sum(counts) == 5
    assert TicketFact.objects.count() == 5
    assert run("overview", supervisor)["totals"]["created"] == 5
    assert services.reports_refresh(budget_seconds=0, now=next(later)) == 0
