"""The thread's message markup is kept per process under everything it shows
(desk/ticket_html.py `_remembered_message`): a change of any of it, the reader's language or
time zone, or another tenant with the same ids never gets markup made for something else."""

import pytest
from django.db import connection

from desk import ticket_html
from tests.conftest import in_schema
from tests.factories import AgentFactory, CustomerFactory, TicketFactory
from tickets import services
from tickets.models import Attachment, Message, MessageType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_memo():
    ticket_html._MESSAGES.clear()
    ticket_html._held[0] = 0
    yield
    ticket_html._MESSAGES.clear()
    ticket_html._held[0] = 0


@pytest.fixture
def thread(tenant):
    agent = AgentFactory(name="Alice Agent")
    ticket = TicketFactory(requester=CustomerFactory(name="Carol"), subject="Printer")
    reply = services.message_add(
        ticket=ticket,
        actor=agent,
        content="Try **turning it off**",
        attachments=[services.AttachmentInput("log.txt", b"x")],
    )
    return ticket, agent, reply


def _page(client, ticket, **headers) -> str:
    response = client.get(f"/desk/tickets/{ticket.number}/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def _thread(page: str) -> str:
    return page[page.index('<ol class="thread"') : page.index("</ol>", page.index('"thread"'))]


def test_an_edited_message_shows_its_new_text(tenant_client, thread):
    ticket, agent, reply = thread
    client = tenant_client(agent)
    assert "<strong>turning it off</strong>" in _page(client, ticket)
    # As a privacy erasure rewrites messages: no service, no signal, only the row.
    Message.objects.filter(pk=reply.pk).update(content="[redacted]", author_label="Person 1")
    page = _page(client, ticket)
    assert "turning it off" not in page and "[redacted]" in page
    assert 'aria-label="Person 1, ' in page


def test_a_renamed_author_and_a_quarantined_file_show(tenant_client, thread):
    ticket, agent, _reply = thread
    client = tenant_client(agent)
    assert "<strong>Alice Agent</strong>" in _page(client, ticket)
    type(agent).objects.filter(pk=agent.pk).update(name="Alice Renamed")
    Attachment.objects.filter(filename="log.txt").update(scan_status="infected")
    page = _page(client, ticket)
    assert "<strong>Alice Renamed</strong>" in page and "<strong>Alice Agent<" not in page
    assert 'data-scan-status="infected"' in page


def test_each_language_and_time_zone_gets_its_own_markup(tenant_client, thread, settings):
    ticket, agent, _reply = thread
    client = tenant_client(agent)
    english = _page(client, ticket, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    german = _page(client, ticket, HTTP_ACCEPT_LANGUAGE="de")
    assert "Staff reply" in english and "Staff reply" not in german
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Staff reply" in _page(client, ticket, HTTP_ACCEPT_LANGUAGE="en")

    type(agent).objects.filter(pk=agent.pk).update(timezone="Asia/Tokyo")
    tokyo = _page(client, ticket, HTTP_ACCEPT_LANGUAGE="en")
    assert "+09:00" in tokyo and "+09:00" not in english


def test_another_tenant_with_the_same_ids_never_gets_the_markup(
    tenant_client, thread, tenant, other_tenant
):
    ticket, agent, reply = thread
    assert "Try <strong>turning it off</strong>" in _page(tenant_client(agent), ticket)
    with in_schema(other_tenant):
        other_agent = AgentFactory(email=agent.email, name="Alice Agent")
        other_ticket = TicketFactory(requester=CustomerFactory(), subject="Printer")
        # The same message id, author name and time, another text.
        Message.objects.create(
            id=reply.pk,
            ticket=other_ticket,
            author=other_agent,
            message_type=MessageType.STAFF_REPLY,
            content="Tenant B's own words",
        )
        Message.objects.filter(pk=reply.pk).update(created_at=reply.created_at)
        page = _page(tenant_client(other_agent, on=other_tenant), other_ticket)
    assert "Tenant B&#x27;s own words" in page or "Tenant B's own words" in page
    assert "turning it off" not in page
    schemas = {key[0] for key in ticket_html._MESSAGES if reply.pk in key}
    assert schemas == {tenant.schema_name, other_tenant.schema_name}
    connection.set_tenant(tenant)


def test_the_kept_markup_is_bounded_by_its_text(tenant_client, thread, monkeypatch):
    ticket, agent, _reply = thread
    services.message_add(ticket=ticket, actor=agent, content="long " * 5_000)
    client = tenant_client(agent)
    page = _page(client, ticket)
    assert page.count("long long") >= 1
    # The long message is built each time; the short ones are kept.
    kept = list(ticket_html._MESSAGES.values())
    assert kept and not any("long long" in markup for markup in kept)
    monkeypatch.setattr(ticket_html, "MESSAGES_MAX_CHARS", 10)
    ticket_html._MESSAGES.clear()
    ticket_html._held[0] = 0
    assert _thread(_page(client, ticket)) == _thread(page)  # emptied when full, the same
    assert len(ticket_html._MESSAGES) == 1 and ticket_html._held[0] <= 20_000
