"""The desk shows a ticket's SLA from the sla app's state: the API's `sla` block, the at-risk /
breached flags, and the stored calculation as text."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from desk import queues, sla_status
from sla.models import TicketSLA


@dataclass
class FakeState:
    """What the sla app's OneToOne row offers the desk: the API block and its flags."""

    block: dict
    first_response_at_risk: bool = False
    next_response_at_risk: bool = False
    resolution_at_risk: bool = False
    calculation: dict | None = None
    pauses: list | None = None
    log: list | None = None

    def as_api_block(self, ticket):
        return self.block


def block(now, *, due_in=timedelta(hours=2), breached=False, paused=False, responded=False):
    return {
        "profile": None,
        "first_response_due_at": now + due_in,
        "next_response_due_at": None,
        "resolution_due_at": now + timedelta(days=2),
        "first_responded_at": now if responded else None,
        "resolved_at": None,
        "first_response_breached": breached,
        "next_response_breached": False,
        "resolution_breached": False,
        "paused": paused,
    }


@pytest.fixture
def with_state(monkeypatch):
    def install(state):
        monkeypatch.setattr(sla_status, "ticket_sla_state_get", lambda ticket: state)

    return install


def test_a_ticket_without_an_sla_clock_has_no_summary(ticket):
    TicketSLA.objects.filter(pk=ticket.pk).delete()
    ticket.refresh_from_db()
    assert sla_status.sla_summary(ticket, timezone.now()) is None
    assert sla_status.sla_explanation(ticket) == []


@pytest.mark.parametrize(
    ("kwargs", "flag", "state", "label"),
    [
        ({}, False, "ok", "first response"),
        ({}, True, "at_risk", "first response"),
        ({"due_in": timedelta(minutes=-5)}, False, "breached", "first response"),
        ({"breached": True}, False, "breached", "first response"),
        ({"paused": True}, False, "paused", "first response"),
        ({"responded": True}, False, "ok", "resolution"),
    ],
)
def test_summary_picks_the_next_target_and_a_traffic_light(
    ticket, with_state, kwargs, flag, state, label
):
    now = timezone.now()
    with_state(FakeState(block(now, **kwargs), first_response_at_risk=flag))
    summary = sla_status.sla_summary(ticket, now)
    assert (summary.state, summary.label) == (state, label)


def test_queue_shows_the_countdown_coloured(desk, ticket, monkeypatch):
    now = timezone.now()
    monkeypatch.setattr(
        queues,
        "sla_summary",
        lambda t, at: sla_status.SlaSummary(
            "at_risk", now + timedelta(minutes=95), "resolution", {}
        ),
    )
    page = desk.get("/desk/queue/open/").content.decode()
    cell = re.search(r'<span class="sla sla-at_risk"[^>]*>([^<]+)</span>', page)
    assert cell and cell.group(1) in ("1h 35m", "1h 34m")


def test_ticket_page_has_an_sla_panel_with_the_explanation(desk, ticket, with_state):
    now = timezone.now()
    state = FakeState(
        block(now),
        calculation={
            "profile": {"id": "x", "name": "Standard"},
            "business_hours": {"timezone": "Europe/Berlin"},
            "targets": {},
        },
        pauses=[
            {
                "start": "2026-12-04T10:00:00+00:00",
                "end": "2026-12-04T12:00:00+00:00",
                "reason": "waiting on customer",
            }
        ],
    )
    with_state(state)
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'id="ticket-sla"' in page and "First response due" in page
    assert "The clock stopped from Fri 4 Dec 2026, 11:00 to Fri 4 Dec 2026, 13:00" in page
    assert "(waiting on customer)" in page


def test_countdown_formats():
    from desk.templatetags.desk_tags import countdown

    now = timezone.now()
    assert countdown(now + timedelta(minutes=5, seconds=30), now) == "5m"
    assert countdown(now + timedelta(hours=3, minutes=2), now) == "3h 2m"
    assert countdown(now + timedelta(days=2, hours=1), now) == "2d 1h"
    assert countdown(now - timedelta(minutes=35), now) == "-35m"
