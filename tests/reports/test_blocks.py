"""Week and four-week blocks of the day summaries: the same figures as the day rows, exactly.

Two layers are checked: the histogram percentile against PostgreSQL's percentile_cont over the
raw minutes (hypothesis-generated), and the block sums against the day sums over any range
(hypothesis-generated day histograms), then whole reports read with and without the blocks.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from reports import histograms, services
from reports.histograms import SPANS, block_start, cover
from reports.models import DayHistogram, DaySummary, HistogramBlock, RollupState, SummaryBlock
from reports.params import report_params_build
from reports.selectors import report_run
from tests.factories import CategoryFactory
from tests.reports.conftest import DAY, at, message
from tickets.models import MessageType, SatisfactionRating, Ticket

UTC = ZoneInfo("UTC")
NAMES = ["response-times", "sla", "agents", "categories", "tags", "overview", "satisfaction"]
START, END = DAY - dt.timedelta(days=40), DAY + dt.timedelta(days=40)
DB_EXAMPLES = hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --- the cover of a range ----------------------------------------------------------------------

dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@given(dates, st.integers(min_value=0, max_value=5 * 366))
def test_cover_holds_every_day_once_in_aligned_blocks_inside_the_range(start, length):
    end = start + dt.timedelta(days=length)
    held = []
    for span, first, last in cover(start, end):
        assert span in (1, *SPANS)
        day = first
        while day <= last:
            assert block_start(day, span) == day  # aligned
            held += [day + dt.timedelta(days=n) for n in range(span)]
            day += dt.timedelta(days=span)
    assert held == [start + dt.timedelta(days=n) for n in range(length + 1)]
    # Few units: at most a partial week and a partial four weeks at each edge.
    units = sum(
        (last - first).days // span + 1 for span, first, last in cover(start, end)
    )  # fmt: skip
    assert units <= (length + 1) // SPANS[-1] + 2 * (6 + 3)


def test_cover_without_blocks_is_the_days():
    assert cover(DAY, DAY + dt.timedelta(days=60), ()) == [(1, DAY, DAY + dt.timedelta(days=60))]


def test_blocks_start_on_mondays():
    for span in SPANS:
        assert block_start(dt.date(2026, 12, 6), span).weekday() == 0


# --- the percentile of a histogram against percentile_cont over the minutes -------------------


def _exact(values: list[int]) -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v) "
            "FROM unnest(%s::int[]) AS v",
            [values],
        )
        return tuple(cursor.fetchone()[0])


def _bucketed(values: list[int]) -> np.ndarray:
    """The histogram of `values` with the analytics job's bucket SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {histograms.bucket_sql('v')} AS b, count(*) FROM unnest(%s::int[]) AS v "
            "GROUP BY b",
            [values],
        )
        histogram = np.zeros(histograms.BUCKETS, dtype=np.int64)
        for bucket, count in cursor.fetchall():
            histogram[bucket] += count
    return histogram


def _bound(values: list[int], fraction: float) -> float:
    """How far the histogram's answer may be from the exact one: nothing when the values it
    interpolates between are below an hour (their own buckets), else one bucket (5 %)."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    high = ordered[math.ceil(position)]
    return 0.0 if high < histograms.EXACT_BELOW else 0.05 * high + 1e-9


minutes = st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=200)
short_minutes = st.lists(st.integers(min_value=0, max_value=59), min_size=1, max_size=200)


@pytest.mark.django_db
@DB_EXAMPLES
@given(values=minutes)
def test_histogram_percentiles_agree_with_percentile_cont(values):
    histogram = _bucketed(values)
    for fraction, exact in zip((0.5, 0.9), _exact(values), strict=True):
        approximate = histograms.percentile(histogram, fraction)
        assert abs(approximate - exact) <= _bound(values, fraction) + 1e-9


@pytest.mark.django_db
@DB_EXAMPLES
@given(values=short_minutes)
def test_histogram_percentiles_below_an_hour_are_exact(values):
    histogram = _bucketed(values)
    for fraction, exact in zip((0.5, 0.9), _exact(values), strict=True):
        assert histograms.percentile(histogram, fraction) == pytest.approx(exact, abs=1e-9)


@pytest.mark.django_db
@DB_EXAMPLES
@given(chunks=st.lists(minutes, min_size=1, max_size=6))
def test_summed_histograms_equal_the_histogram_of_all_values(chunks):
    """Adding day histograms (what blocks and ranges do) loses nothing: the sum of the parts'
    histograms is the histogram of all their values, so its percentiles are the same."""
    summed = sum(_bucketed(chunk) for chunk in chunks)
    everything = _bucketed([v for chunk in chunks for v in chunk])
    assert (summed == everything).all()
    for fraction in (0.5, 0.9):
        assert histograms.percentile(summed, fraction) == histograms.percentile(
            everything, fraction
        )


# --- block sums against day sums ----------------------------------------------------------------

day_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=120),  # day offset from START
        st.sampled_from([("all", ""), ("priority", "LOW"), ("tag", "vpn")]),
        st.sampled_from(["fr", "res"]),
        st.dictionaries(
            st.integers(min_value=0, max_value=20),  # few buckets: days share them
            st.integers(min_value=1, max_value=50),
            min_size=1,
            max_size=30,
        ),
        st.integers(min_value=0, max_value=40),  # tickets
        st.floats(min_value=0, max_value=5, allow_nan=False).map(lambda x: round(x, 2)),
    ),
    min_size=1,
    max_size=40,
)


def _write_days(rows) -> set[dt.date]:
    days = set()
    for offset, (dim, key), metric, counts, tickets, score in rows:
        day = START + dt.timedelta(days=offset)
        days.add(day)
        buckets = sorted(counts)
        DayHistogram.objects.create(
            day=day, basis="r", dim=dim, key=key, metric=metric, buckets=buckets,
            counts=[counts[b] for b in buckets],
        )  # fmt: skip
        DaySummary.objects.create(
            day=day, basis="r", dim=dim, key=key, tickets=tickets, score_sum=score,
            score_n=tickets, distribution=[tickets] * 15,
        )  # fmt: skip
    return days


@DB_EXAMPLES
@given(rows=day_rows, first=st.integers(0, 120), length=st.integers(0, 120))
def test_block_sums_equal_day_sums_over_any_range(tenant, rows, first, length):
    with transaction.atomic():
        histograms.blocks_rebuild(days=_write_days(rows))
        start = START + dt.timedelta(days=first)
        end = start + dt.timedelta(days=length)
        by_days, by_blocks = cover(start, end, ()), cover(start, end)
        dims, metrics = ["all", "priority", "tag"], ["fr", "res"]
        days_h = histograms.histogram_sums(by_days, "r", dims, metrics)
        blocks_h = histograms.histogram_sums(by_blocks, "r", dims, metrics)
        assert days_h.keys() == blocks_h.keys()
        for name, histogram in days_h.items():
            assert (histogram == blocks_h[name]).all(), name
            for fraction in (0.5, 0.9):
                assert histograms.percentile(histogram, fraction) == histograms.percentile(
                    blocks_h[name], fraction
                )
        days_s = histograms.summary_sums(by_days, "r", dims)
        blocks_s = histograms.summary_sums(by_blocks, "r", dims)
        assert days_s.keys() == blocks_s.keys()
        for name, row in days_s.items():
            assert row["score_sum"] == pytest.approx(blocks_s[name]["score_sum"], abs=1e-9)
            assert {k: v for k, v in row.items() if k != "score_sum"} == {
                k: v for k, v in blocks_s[name].items() if k != "score_sum"
            }
        transaction.set_rollback(True)


# --- whole reports --------------------------------------------------------------------------------


@pytest.fixture
def months(make_ticket, agent, other_agent, customer, refresh):
    """60 tickets over 75 days around DAY: priorities, categories, tags, agents, ratings."""
    hardware = CategoryFactory(name="Hardware")
    for n in range(60):
        created = at(START + dt.timedelta(days=(n * 5) % 75), 8 + n % 5)
        first = created + dt.timedelta(minutes=3 + 41 * n)
        resolved = first + dt.timedelta(minutes=70 * (n % 9) + n, days=n % 3) if n % 4 else None
        ticket = make_ticket(
            created=created, first=first, resolved=resolved,
            assignee=(agent, other_agent, None)[n % 3],
            priority=("LOW", "MEDIUM", "HIGH", "URGENT")[n % 4],
            category=(hardware, None)[n % 2], tags=[("printer", "vpn", "mail")[n % 3]],
        )  # fmt: skip
        if n % 3 == 0:
            message(ticket, kind=MessageType.CUSTOMER_REPLY, when=first + dt.timedelta(hours=1),
                    author=customer)  # fmt: skip
            message(ticket, kind=MessageType.STAFF_REPLY, when=first + dt.timedelta(hours=2),
                    author=agent)  # fmt: skip
        if resolved and n % 2:
            rating = SatisfactionRating.objects.create(
                ticket=ticket, rating=1 + n % 5, response_time=1 + n % 5, solution=5, team=2,
                score=2.5,
            )  # fmt: skip
            # rated when resolved (in the range), not now
            SatisfactionRating.objects.filter(pk=rating.pk).update(updated_at=resolved)
    refresh()


def _report(name, viewer, settings, *, blocks: bool, start=START, end=END):
    settings.REPORTS_SUMMARY_MIN_TICKETS = 0
    settings.REPORTS_SUMMARY_BLOCKS = blocks
    params = report_params_build(viewer=viewer, zone=UTC, start=start, end=end)
    return report_run(name=name, params=params)


def test_the_range_is_read_mostly_from_blocks():
    spans = [span for span, _first, _last in cover(START, END)]
    assert 28 in spans and 7 in spans and 1 in spans


@pytest.mark.parametrize("name", NAMES)
def test_reports_from_blocks_equal_reports_from_day_rows(months, supervisor, settings, name):
    assert RollupState.objects.get().blocks_ready
    assert HistogramBlock.objects.filter(span=28).exists()
    assert _report(name, supervisor, settings, blocks=True) == _report(
        name, supervisor, settings, blocks=False
    )


def test_blocks_follow_a_late_change_and_a_rerun_changes_nothing(months, supervisor, settings):
    assert _report("satisfaction", supervisor, settings, blocks=True)["totals"]["responses"]
    before = _report("response-times", supervisor, settings, blocks=True)
    # An old ticket changes priority: its days (and so their blocks) are rebuilt.
    old = Ticket.objects.filter(priority="LOW").order_by("created_at").first()
    Ticket.objects.filter(pk=old.pk).update(priority="URGENT", updated_at=timezone.now())
    services.reports_refresh()
    after = _report("response-times", supervisor, settings, blocks=True)
    assert after != before
    assert after == _report("response-times", supervisor, settings, blocks=False)
    rows = sorted(HistogramBlock.objects.values_list("day", "span", "dim", "key", "metric",
                                                     "buckets", "counts"))  # fmt: skip
    services.reports_refresh(full=True)
    assert sorted(HistogramBlock.objects.values_list("day", "span", "dim", "key", "metric",
                                                     "buckets", "counts")) == rows  # fmt: skip


def test_old_tenants_get_their_blocks_in_bounded_passes(months, supervisor, settings, monkeypatch):
    expected = _report("response-times", supervisor, settings, blocks=False)
    blocks = sorted(SummaryBlock.objects.values_list("day", "span", "dim", "key", "tickets"))
    SummaryBlock.objects.all().delete()
    HistogramBlock.objects.all().delete()
    RollupState.objects.update(blocks_ready=False, blocks_cursor=None)
    # Until the blocks are all there, the reports read the day rows (and stay right).
    assert _report("response-times", supervisor, settings, blocks=True) == expected
    monkeypatch.setattr(services, "BLOCKS_PER_PASS", 1)
    passes = 0
    while not RollupState.objects.get().blocks_ready:
        services.reports_refresh()
        passes += 1
        assert passes < 12
    assert passes >= 3  # the days span four four-week blocks, one a pass
    assert sorted(SummaryBlock.objects.values_list("day", "span", "dim", "key", "tickets")) == (
        blocks
    )
    assert _report("response-times", supervisor, settings, blocks=True) == expected


def test_a_block_read_takes_no_more_queries_than_a_day_read(
    months, supervisor, api_client, settings, django_assert_num_queries
):
    from django.test.utils import CaptureQueriesContext

    settings.REPORTS_SUMMARY_MIN_TICKETS = 0
    client = api_client(supervisor)
    query = {"start": str(START), "end": str(END)}
    for name in [*NAMES, "knowledge-base"]:
        settings.REPORTS_SUMMARY_BLOCKS = False
        with CaptureQueriesContext(connection) as days:
            assert client.get(f"/api/v1/reports/{name}/", query).status_code == 200
        settings.REPORTS_SUMMARY_BLOCKS = True
        with django_assert_num_queries(len(days.captured_queries), info=name):
            assert client.get(f"/api/v1/reports/{name}/", query).status_code == 200


@pytest.mark.parametrize("name", [*NAMES, "knowledge-base"])
def test_report_page_and_api_queries_do_not_grow_with_the_range(
    months, supervisor, api_client, tenant_client, settings, django_assert_max_num_queries, name
):
    """A year reads more blocks than 81 days, in the same queries (desk page and API)."""
    from django.test.utils import CaptureQueriesContext

    settings.REPORTS_SUMMARY_MIN_TICKETS = 0
    settings.REPORTS_SUMMARY_BLOCKS = True
    short = {"start": str(START), "end": str(END)}
    year = {"start": str(END - dt.timedelta(days=364)), "end": str(END)}
    for client, url in (
        (api_client(supervisor), f"/api/v1/reports/{name}/"),
        (tenant_client(supervisor), f"/desk/reports/{name}/"),
    ):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, short).status_code == 200
        with django_assert_max_num_queries(len(captured.captured_queries), info=name):
            assert client.get(url, year).status_code == 200
