"""Live updates: htmx polls with If-None-Match; 304 (no body, no rendering) while unchanged."""

import re
from urllib.parse import quote

import pytest

from tests.desk.conftest import HTMX
from tests.factories import TicketFactory
from tickets import services

pytestmark = pytest.mark.usefixtures("frozen_desk_clock")


def test_ticket_poll_answers_304_until_the_ticket_changes(desk, ticket, customer):
    url = f"/desk/tickets/{ticket.number}/live/"
    first = desk.get(url, **HTMX)
    assert first.status_code == 200 and first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    unchanged = desk.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **HTMX)
    assert unchanged.status_code == 304 and unchanged.content == b""
    services.message_add(ticket=ticket, actor=customer, content="Any news?")
    changed = desk.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **HTMX)
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert b"Any news?" in changed.content
    # The poll also refreshes the side panels out of band.
    assert (
        b'id="ticket-props" class="panel props" aria-labelledby="props-title" hx-swap-oob'
        in changed.content
    )


def test_the_page_hands_the_poller_its_first_etag(desk, ticket):
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    etag = re.search(r'data-etag="([^"]+)"', page).group(1).replace("&quot;", '"')
    seen_at = re.search(r'name="seen_at" id="id_seen_at" value="([^"]+)"', page).group(1)
    answer = desk.get(
        f"/desk/tickets/{ticket.number}/live/?seen_at={quote(seen_at)}",
        HTTP_IF_NONE_MATCH=etag,
        **HTMX,
    )
    assert answer.status_code == 304


def test_queue_rows_poll_answers_304_until_a_ticket_changes(desk, ticket, customer):
    url = "/desk/queue/open/rows/?sort=-updated"
    first = desk.get(url, **HTMX)
    assert first.status_code == 200 and b'id="queue-table"' in first.content
    assert desk.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **HTMX).status_code == 304
    newer = TicketFactory(requester=customer, subject="Fresh one")
    answer = desk.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **HTMX)
    assert answer.status_code == 200 and newer.number.encode() in answer.content


def test_the_poll_tells_what_changed_since_the_page_was_opened(desk, ticket, other_agent):
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    seen_at = re.search(r'name="seen_at" id="id_seen_at" value="([^"]+)"', page).group(1)
    services.message_add(ticket=ticket, actor=other_agent, content="I'm on it")
    answer = desk.get(f"/desk/tickets/{ticket.number}/live/?seen_at={quote(seen_at)}", **HTMX)
    assert b"Changed since you opened it" in answer.content
    assert b"Bob Agent replied" in answer.content


def test_queue_page_polls_its_rows_url(desk, ticket):
    page = desk.get("/desk/queue/open/?sort=-priority").content.decode()
    assert 'hx-get="/desk/queue/open/rows/?sort=-priority"' in page
