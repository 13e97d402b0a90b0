"""Day summaries and histograms: the fast path agrees with the exact one from the facts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from reports import histograms
from reports.models import DayHistogram, DaySummary, TicketFact
from reports.params import report_params_build
from reports.selectors import report_run
from sla.models import TicketSLA
from tests.factories import CategoryFactory
from tests.reports.conftest import DAY, at, message
from tickets.models import MessageType, SatisfactionRating, Ticket

UTC = ZoneInfo("UTC")
NAMES = ["response-times", "sla", "agents", "categories", "tags", "overview", "satisfaction"]


@pytest.fixture
def spread(make_ticket, agent, other_agent, customer, refresh):
    """40 tickets over 8 days: mixed priorities, categories, tags, agents, times and ratings."""
    hardware, software = CategoryFactory(name="Hardware"), CategoryFactory(name="Software")
    for n in range(40):
        created = at(DAY + dt.timedelta(days=n % 8), 8 + n % 5)
        first = created + dt.timedelta(minutes=3 + 37 * n)
        resolved = first + dt.timedelta(minutes=90 * (n % 9) + n) if n % 4 else None
        ticket = make_ticket(
            created=created,
            first=first,
            resolved=resolved,
            assignee=(agent, other_agent, None)[n % 3],
            priority=("LOW", "MEDIUM", "HIGH", "URGENT")[n % 4],
            category=(hardware, software, None)[n % 3],
            tags=[("printer", "vpn", "mail")[n % 3]] + (["vip"] if n % 5 == 0 else []),
        )
        if n % 3 == 0:  # a customer reply after the first response, answered later
            message(ticket, kind=MessageType.CUSTOMER_REPLY, when=first + dt.timedelta(hours=1),
                    author=customer)  # fmt: skip
            message(ticket, kind=MessageType.STAFF_REPLY, when=first + dt.timedelta(hours=3),
                    author=agent)  # fmt: skip
        if n % 6 == 1:
            TicketSLA.objects.filter(ticket=ticket).update(first_response_breached=True)
        if resolved and n % 2:
            score = 1 + n % 5
            SatisfactionRating.objects.create(
                ticket=ticket, rating=score, response_time=score, solution=6 - score, team=3,
                score=3.0, comment="Took a while" if n % 7 == 1 else "",
            )  # fmt: skip
    refresh()


def run(name, viewer, threshold, settings):
    settings.REPORTS_SUMMARY_MIN_TICKETS = threshold
    params = report_params_build(viewer=viewer, zone=UTC, start=DAY, end=DAY + dt.timedelta(days=7))
    return report_run(name=name, params=params)


def close(exact, fast, path="") -> None:
    """Equal, except numbers within one histogram bucket (5 %)."""
    if isinstance(exact, dict):
        assert set(exact) == set(fast), path
        for key in exact:
            close(exact[key], fast[key], f"{path}.{key}")
    elif isinstance(exact, list):
        assert len(exact) == len(fast), path
        for n, (a, b) in enumerate(zip(exact, fast, strict=True)):
            close(a, b, f"{path}[{n}]")
    elif isinstance(exact, float) and isinstance(fast, int | float):
        assert fast == pytest.approx(exact, rel=0.05, abs=0.06), path
    else:
        assert exact == fast, path


@pytest.mark.parametrize("name", NAMES)
def test_summaries_agree_with_the_facts(spread, supervisor, settings, name):
    exact = run(name, supervisor, 10**9, settings)
    fast = run(name, supervisor, 0, settings)
    close(exact, fast, name)


def test_summaries_are_used_above_the_threshold(
    spread, supervisor, settings, django_assert_max_num_queries
):
    from reports.figures import summarised

    def week():
        return report_params_build(
            viewer=supervisor, zone=UTC, start=DAY, end=DAY + dt.timedelta(days=7)
        )

    assert DaySummary.objects.filter(basis="c", dim="all").count() == 8
    settings.REPORTS_SUMMARY_MIN_TICKETS = 40
    params = week()
    with django_assert_max_num_queries(2):
        assert summarised.summarised(params)
    with django_assert_max_num_queries(0):  # asked once per period
        assert summarised.summarised(params)
    settings.REPORTS_SUMMARY_MIN_TICKETS = 41
    assert not summarised.summarised(week())
    # A filter narrows the tickets: the facts answer.
    settings.REPORTS_SUMMARY_MIN_TICKETS = 0
    narrowed = report_params_build(
        viewer=supervisor, zone=UTC, start=DAY, end=DAY, priorities=["LOW"]
    )
    assert not summarised.summarised(narrowed)


def test_a_late_change_rebuilds_the_days_summaries(spread, supervisor, settings):
    from reports.services import reports_refresh

    ticket = Ticket.objects.filter(status="RESOLVED", satisfaction__isnull=True).first()
    fact = TicketFact.objects.get(pk=ticket.pk)
    before = DaySummary.objects.get(basis="r", dim="all", day=fact.resolved_on)
    SatisfactionRating.objects.create(ticket=ticket, rating=5, response_time=5, solution=5,
                                      team=5, score=5.0)  # fmt: skip
    reports_refresh()
    rated = DaySummary.objects.get(
        basis="q", dim="all", day=TicketFact.objects.get(pk=ticket.pk).rated_on
    )
    assert rated.score_n >= 1
    after = DaySummary.objects.get(basis="r", dim="all", day=fact.resolved_on)
    assert (after.score_n, after.tickets) == (before.score_n + 1, before.tickets)
    # Idempotent: a rerun with nothing changed leaves the same rows.
    rows = sorted(
        DayHistogram.objects.values_list("day", "basis", "dim", "key", "metric", "counts")
    )
    reports_refresh(full=True)
    assert (
        sorted(DayHistogram.objects.values_list("day", "basis", "dim", "key", "metric", "counts"))
        == rows
    )


def test_percentile_matches_percentile_cont_on_exact_buckets():
    values = [3, 7, 7, 20, 59]
    histogram = np.zeros(histograms.BUCKETS)
    for v in values:
        histogram[v] += 1
    assert histograms.percentile(histogram, 0.5) == 7
    assert histograms.percentile(histogram, 0.9) == pytest.approx(59 - 0.4 * 39)
    assert histograms.percentile(np.zeros(histograms.BUCKETS), 0.5) is None


def test_buckets_are_five_percent_wide_above_an_hour():
    low, high = histograms.bucket_bounds(histograms.EXACT_BELOW + 10)
    assert high / low == pytest.approx(1.05)
    assert histograms.bucket_bounds(59) == (59, 59)


def test_old_tenants_get_their_summaries_in_bounded_passes(spread, monkeypatch):
    from reports import services
    from reports.models import RollupState

    everything = sorted(DaySummary.objects.values_list("day", "basis", "dim", "key", "tickets"))
    assert RollupState.objects.get().summaries_ready
    DaySummary.objects.all().delete()
    DayHistogram.objects.all().delete()
    RollupState.objects.update(summaries_ready=False)
    monkeypatch.setattr(services, "SUMMARY_DAYS", 3)

    passes = 0
    while not RollupState.objects.get().summaries_ready:
        services.reports_refresh()
        passes += 1
        assert passes < 10
    assert passes >= 3  # 8 created days (and their resolved days), 3 a pass
    assert sorted(DaySummary.objects.values_list("day", "basis", "dim", "key", "tickets")) == (
        everything
    )


def test_summary_query_count_does_not_grow_with_tickets(
    api_client, supervisor, agent, make_ticket, refresh, settings, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AgentFactory

    settings.REPORTS_SUMMARY_MIN_TICKETS = 0
    client = api_client(supervisor)
    query = {"start": "2026-03-02", "end": "2026-03-04"}
    make_ticket(created=at(DAY, 9), first=at(DAY, 9, 5), resolved=at(DAY, 10), assignee=agent,
                tags=["vpn"], category=CategoryFactory())  # fmt: skip
    SatisfactionRating.objects.create(ticket=Ticket.objects.get(), rating=4, score=4.0)
    refresh()
    counts = {}
    for name in [*NAMES, "knowledge-base"]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v1/reports/{name}/", query).status_code == 200
        counts[name] = len(captured.captured_queries)
    for n in range(20):
        make_ticket(created=at(DAY, 11, n), first=at(DAY, 12, n), resolved=at(DAY, 13, n),
                    assignee=AgentFactory(), tags=[f"t{n}"],
                    category=CategoryFactory())  # fmt: skip
    refresh()
    for name in counts:
        with django_assert_max_num_queries(counts[name], info=name):
            client.get(f"/api/v1/reports/{name}/", query)
