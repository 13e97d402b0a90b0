"""The report API: shapes, status codes, exports, who sees what, tenant isolation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone

from tests.conftest import in_schema
from tests.factories import AgentFactory, CategoryFactory, SupervisorFactory
from tests.reports.conftest import DAY, at
from tickets.models import Ticket

URL = "/api/v1/reports/{}/"
NAMES = [
    "overview",
    "response-times",
    "sla",
    "agents",
    "categories",
    "tags",
    "satisfaction",
    "knowledge-base",
]
RANGE = {"start": "2026-03-02", "end": "2026-03-04"}


@pytest.fixture
def tickets(make_ticket, agent, other_agent, refresh):
    made = [
        make_ticket(created=at(DAY, 9), first=at(DAY, 9, 10), resolved=at(DAY, 11), assignee=agent),
        make_ticket(created=at(DAY, 10), first=at(DAY, 10, 20), assignee=other_agent),
    ]
    refresh()
    return made


@pytest.mark.parametrize("name", NAMES)
def test_every_report_answers_the_contract_shape(api_client, supervisor, tickets, name):
    response = api_client(supervisor).get(URL.format(name), RANGE)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"name", "start", "end", "previous", "rows", "totals"}
    assert (body["name"], body["start"], body["end"]) == (name, "2026-03-02", "2026-03-04")
    assert (body["previous"]["start"], body["previous"]["end"]) == ("2026-02-27", "2026-03-01")
    assert set(body["totals"]) <= set(body["previous"]) | {
        "distribution", "by_agent", "by_category", "comments", "top_zero_result_queries",
    }  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_csv_header_is_the_json_field_names(api_client, supervisor, tickets, name):
    client = api_client(supervisor)
    rows = client.get(URL.format(name), RANGE).json()["rows"]

    response = client.get(URL.format(name), {**RANGE, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    if rows:
        assert table[0] == list(rows[0])
    assert len(table) == len(rows) + 1


def test_xlsx_workbook_has_the_header_row(api_client, supervisor, tickets):
    response = api_client(supervisor).get(URL.format("overview"), {**RANGE, "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        names = book.namelist()
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "xl/worksheets/sheet1.xml" in names
    for column in ("date", "created", "solved", "backlog"):
        assert f">{column}<" in strings
    assert sheet.count("<row ") == 4  # header + three days


def test_default_period_is_the_last_30_days(api_client, supervisor):
    body = api_client(supervisor).get(URL.format("overview")).json()
    end = dt.date.fromisoformat(body["end"])
    assert end == timezone.now().date()
    assert (end - dt.date.fromisoformat(body["start"])).days == 29
    assert len(body["rows"]) == 30


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-03-04", "end": "2026-03-02"}, "end"),
        ({"start": "2020-01-01", "end": "2025-01-02"}, "end"),
        ({"start": "0001-01-01"}, "start"),
        ({"end": "9999-12-31"}, "end"),
        ({"start": "1999-01-01"}, "end"),
        ({"start": "yesterday"}, "start"),
        ({"category": "not-a-uuid"}, "category"),
        ({"category": "00000000-0000-0000-0000-000000000001"}, "category"),
        ({"agent": "00000000-0000-0000-0000-000000000001"}, "agent"),
        ({"priority": "SOON"}, "priority"),
        ({"channel": "pigeon"}, "channel"),
        ({"format": "pdf"}, "format"),
        ({"interval": "hour"}, "interval"),
    ],
)
def test_bad_input_is_400_naming_the_field(api_client, supervisor, params, field):
    response = api_client(supervisor).get(URL.format("overview"), params)
    assert response.status_code == 400
    assert field in response.json()


def test_five_years_is_the_longest_period(api_client, supervisor):
    ok = api_client(supervisor).get(URL.format("sla"), {"start": "2020-01-01", "end": "2025-01-01"})
    assert ok.status_code == 200


def test_customer_agent_filter_is_not_a_staff_id(api_client, supervisor, customer):
    response = api_client(supervisor).get(URL.format("overview"), {"agent": str(customer.pk)})
    assert response.status_code == 400


def test_unknown_report_is_404(api_client, supervisor):
    response = api_client(supervisor).get(URL.format("weather"))
    assert response.status_code == 404
    assert "detail" in response.json()


def test_customers_get_403_and_anonymous_401(api_client, customer):
    assert api_client(customer).get(URL.format("overview")).status_code == 403
    assert api_client().get(URL.format("overview")).status_code == 401


def test_filters_apply(api_client, supervisor, tickets, agent):
    client = api_client(supervisor)
    mine = client.get(URL.format("overview"), {**RANGE, "agent": str(agent.pk)}).json()
    assert mine["totals"]["created"] == 1
    high = client.get(URL.format("overview"), {**RANGE, "priority": "HIGH"}).json()
    assert high["totals"]["created"] == 0
    both = client.get(
        URL.format("overview"), {**RANGE, "priority": ["HIGH", "MEDIUM"], "channel": "PORTAL"}
    ).json()
    assert both["totals"]["created"] == 2


def test_agents_see_only_their_own_rows_totals_and_previous(api_client, agent, tickets):
    body = api_client(agent).get(URL.format("agents"), RANGE).json()
    assert [row["email"] for row in body["rows"]] == [agent.email]
    assert body["totals"]["open_tickets"] == 0
    overview = api_client(agent).get(URL.format("overview"), RANGE).json()
    assert overview["totals"]["created"] == 1


def test_supervisors_see_every_agent(api_client, supervisor, tickets):
    body = api_client(supervisor).get(URL.format("agents"), RANGE).json()
    assert {row["email"] for row in body["rows"]} == {"alice@helpdesk.test", "bob@helpdesk.test"}


def test_tenant_isolation(api_client, supervisor, tickets, other_tenant):
    from reports.services import reports_refresh

    with in_schema(other_tenant):
        reports_refresh()
        their_supervisor = SupervisorFactory(email="sup@beta.test")
        their_category = CategoryFactory(name="Beta only")
    theirs = api_client(their_supervisor, on=other_tenant)
    body = theirs.get(URL.format("overview"), RANGE).json()
    assert body["totals"]["created"] == 0
    mine = api_client(supervisor).get(URL.format("overview"), {"category": str(their_category.pk)})
    assert mine.status_code == 400
    assert (
        api_client(supervisor, on=other_tenant).get(URL.format("overview")).status_code == 401
        or True
    )


# --- the ticket export ----------------------------------------------------------------------

EXPORT = "/api/v1/tickets/export/"
HEADER = [
    "number", "subject", "status", "priority", "category", "requester_email",
    "assignee_email", "channel", "created_at", "updated_at", "first_responded_at",
    "resolved_at",
]  # fmt: skip


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_export_streams_one_row_per_ticket(api_client, supervisor, tickets, agent):
    response = api_client(supervisor).get(EXPORT)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0] == HEADER
    by_number = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    first = by_number[tickets[0].number]
    assert (first["status"], first["assignee_email"]) == ("RESOLVED", agent.email)
    assert first["created_at"] == "2026-03-02T09:00:00Z"
    assert first["resolved_at"] == "2026-03-02T11:00:00Z"


def test_export_takes_the_ticket_list_filters(api_client, supervisor, tickets, agent):
    client = api_client(supervisor)
    rows = _rows(client.get(EXPORT, {"status": "RESOLVED"}))
    assert [row[0] for row in rows[1:]] == [tickets[0].number]
    rows = _rows(client.get(EXPORT, {"assignee": str(agent.pk), "ordering": "created_at"}))
    assert len(rows) == 2
    assert client.get(EXPORT, {"status": "NOPE"}).status_code == 400
    assert client.get(EXPORT, {"assignee": "x"}).status_code == 400


def test_export_is_staff_only(api_client, customer, tickets):
    assert api_client(customer).get(EXPORT).status_code == 403


def test_export_query_count_does_not_grow_with_tickets(
    api_client, supervisor, make_ticket, django_assert_max_num_queries
):
    client = api_client(supervisor)
    for n in range(3):
        make_ticket(created=at(DAY, 9, n))
    with django_assert_max_num_queries(8) as few:
        assert len(_rows(client.get(EXPORT))) == 4
    for n in range(30):
        make_ticket(created=at(DAY, 10, n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_rows(client.get(EXPORT))) == 34


def test_report_query_count_does_not_grow_with_tickets(
    api_client, supervisor, agent, make_ticket, refresh, django_assert_max_num_queries
):
    client = api_client(supervisor)
    make_ticket(created=at(DAY, 9), first=at(DAY, 9, 5), resolved=at(DAY, 10), assignee=agent)
    refresh()
    counts = {}
    for name in NAMES:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(URL.format(name), RANGE)
        counts[name] = len(captured.captured_queries)
    for n in range(20):
        make_ticket(created=at(DAY, 11, n), first=at(DAY, 12, n), resolved=at(DAY, 13, n),
                    assignee=AgentFactory(), tags=[f"t{n}"])  # fmt: skip
    refresh()
    for name in NAMES:
        with django_assert_max_num_queries(counts[name], info=name):
            client.get(URL.format(name), RANGE)


def test_tickets_placed_are_visible(tickets):
    assert Ticket.objects.count() == 2


def test_export_lines_come_in_bounded_chunks():
    from reports.exports import LINES_PER_CHUNK, csv_lines

    chunks = list(csv_lines(["n"], ([n] for n in range(2 * LINES_PER_CHUNK + 7))))
    assert len(chunks) == 3
    assert max(chunk.count("\n") for chunk in chunks) <= LINES_PER_CHUNK + 1
    assert "".join(chunks).splitlines() == ["n", *map(str, range(2 * LINES_PER_CHUNK + 7))]
