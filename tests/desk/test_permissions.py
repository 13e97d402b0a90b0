"""The desk shows what `Ticket.objects.visible_to` allows, nothing more."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import CategoryFactory, TicketFactory
from tickets import services
from tickets.models import AgentProfile


@pytest.fixture
def limited_agent(agent, category):
    """Alice works only the Billing category."""
    profile = AgentProfile.objects.create(user=agent)
    profile.categories.add(category)
    return agent


@pytest.fixture
def split(limited_agent, category, customer):
    other = CategoryFactory(name="Hardware")
    return {
        "billing": TicketFactory(requester=customer, category=category, subject="Billing one"),
        "hardware": TicketFactory(requester=customer, category=other, subject="Hardware one"),
    }


def test_agent_limited_to_categories_sees_only_those(desk, split):
    page = desk.get("/desk/queue/open/").content.decode()
    listed = set(re.findall(r'data-number="([^"]+)"', page))
    assert listed == {split["billing"].number}
    assert desk.get(f"/desk/tickets/{split['hardware'].number}/").status_code == 404
    assert desk.get(f"/desk/tickets/{split['hardware'].number}/live/").status_code == 404
    assert desk.get(f"/desk/tickets/{split['billing'].number}/").status_code == 200


def test_limited_agent_cannot_change_hidden_tickets(desk, split, agent):
    hidden = split["hardware"]
    assert (
        desk.post(f"/desk/tickets/{hidden.number}/props/", {"priority": "URGENT"}).status_code
        == 404
    )
    assert desk.post(f"/desk/tickets/{hidden.number}/reply/", {"content": "x"}).status_code == 404
    desk.post("/desk/bulk/", {"tickets": [str(hidden.pk)], "action": "assign", "assignee": "me"})
    hidden.refresh_from_db()
    assert hidden.assignee is None and hidden.priority == "MEDIUM"


def test_supervisor_sees_every_category(tenant_client, supervisor, split):
    page = tenant_client(supervisor).get("/desk/queue/open/").content.decode()
    assert split["hardware"].number in page and split["billing"].number in page


def test_attachment_download_follows_ticket_visibility(desk, split, customer, supervisor):
    hidden = split["hardware"]
    shown = split["billing"]
    files = {}
    for key, ticket in (("hidden", hidden), ("shown", shown)):
        message = services.message_add(
            ticket=ticket,
            actor=customer,
            content="see file",
            attachments=services.attachments_prepare(
                [SimpleUploadedFile(f"{key}.txt", b"hello", content_type="text/plain")]
            ),
        )
        files[key] = message.attachments.get()
    assert desk.get(f"/desk/attachments/{files['hidden'].pk}/").status_code == 404
    answer = desk.get(f"/desk/attachments/{files['shown'].pk}/")
    assert answer.status_code == 200
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in answer["Content-Disposition"]
    assert b"".join(answer.streaming_content) == b"hello"


def test_admin_gets_links_into_the_admin_area_and_django_admin(
    tenant_client, admin_user, agent, ticket
):
    admin_page = tenant_client(admin_user).get(f"/desk/tickets/{ticket.number}/").content
    assert b'href="/desk/admin/canned/"' in admin_page
    assert b'href="/desk/admin/"' in admin_page
    assert f"/admin/tickets/ticket/{ticket.pk}/change/".encode() in admin_page
    agent_page = tenant_client(agent).get(f"/desk/tickets/{ticket.number}/").content
    assert b'href="/admin/' not in agent_page  # no Django admin for agents
    assert b'href="/desk/admin/"' not in agent_page
