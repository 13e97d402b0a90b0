"""Collision detection: who else is on the ticket, and a warning before sending over news."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from desk.models import TicketPresence
from tests.conftest import synchronous_commit
from tests.desk.conftest import HTMX
from tickets import services
from tickets.models import MessageType


def seen_at(client, ticket) -> str:
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    return re.search(r'name="seen_at" id="id_seen_at" value="([^"]+)"', page).group(1)


def test_others_viewing_and_typing_are_shown(tenant_client, desk, ticket, other_agent):
    bob = tenant_client(other_agent)
    bob.post(f"/desk/tickets/{ticket.number}/presence/", {"state": "VIEWING"}, **HTMX)
    answer = desk.post(f"/desk/tickets/{ticket.number}/presence/", {"state": "VIEWING"}, **HTMX)
    assert b"Bob Agent is viewing" in answer.content
    bob.post(f"/desk/tickets/{ticket.number}/presence/", {"state": "TYPING"}, **HTMX)
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Bob Agent is typing" in page
    # Bob does not see himself, but sees Alice.
    answer = bob.post(f"/desk/tickets/{ticket.number}/presence/", {"state": "TYPING"}, **HTMX)
    assert b"Alice Agent is viewing" in answer.content and b"Bob Agent" not in answer.content


def test_presence_expires_and_leaving_removes_it(tenant_client, desk, ticket, other_agent):
    bob = tenant_client(other_agent)
    bob.post(f"/desk/tickets/{ticket.number}/presence/", {"state": "VIEWING"}, **HTMX)
    TicketPresence.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = desk.post(f"/desk/tickets/{ticket.number}/presence/", {}, **HTMX)
    assert b"Bob Agent" not in answer.content
    bob.post(f"/desk/tickets/{ticket.number}/presence/", {"state": "VIEWING"}, **HTMX)
    assert (
        bob.post(f"/desk/tickets/{ticket.number}/presence/", {"state": "LEAVE"}).status_code == 204
    )
    assert not TicketPresence.objects.filter(user=other_agent).exists()


def test_warns_before_sending_when_someone_else_changed_the_ticket(
    tenant_client, desk, ticket, other_agent
):
    loaded = seen_at(desk, ticket)
    bob = tenant_client(other_agent)
    bob.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "Bob answered first", "status_after": "WAITING_ON_CUSTOMER"},
        **HTMX,
    )
    warned = desk.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "Alice's answer", "seen_at": loaded},
        **HTMX,
    ).content.decode()
    assert "this ticket changed since you loaded it" in warned
    assert "Bob Agent replied" in warned
    assert "Status: In progress → Waiting on customer (Bob Agent)" in warned
    assert "Alice&#x27;s answer</textarea>" in warned  # nothing typed is lost
    assert ticket.messages.filter(message_type=MessageType.STAFF_REPLY).count() == 1
    # Sending again (the form now carries confirm) goes through.
    confirm = re.search(r'name="seen_at" id="id_seen_at" value="([^"]+)"', warned).group(1)
    desk.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "Alice's answer", "seen_at": confirm, "confirm": "on"},
        **HTMX,
    )
    assert ticket.messages.filter(message_type=MessageType.STAFF_REPLY).count() == 2


def test_own_changes_do_not_warn(desk, ticket):
    loaded = seen_at(desk, ticket)
    desk.post(f"/desk/tickets/{ticket.number}/props/", {"priority": "HIGH"}, **HTMX)
    answer = desk.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "Mine", "seen_at": loaded},
        **HTMX,
    )
    assert b"Reply sent." in answer.content


def test_a_fresh_page_does_not_warn_about_older_changes(tenant_client, desk, ticket, other_agent):
    services.message_add(
        ticket=ticket,
        actor=other_agent,
        content="Earlier note",
        message_type=MessageType.INTERNAL_NOTE,
    )
    answer = desk.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"content": "After reading it", "seen_at": seen_at(desk, ticket)},
        **HTMX,
    )
    assert b"Reply sent." in answer.content


def test_expired_presence_rows_are_pruned(tenant_client, ticket, agent, other_agent):
    from desk.tasks import presence_prune_task

    tenant_client(other_agent).post(f"/desk/tickets/{ticket.number}/presence/", {}, **HTMX)
    tenant_client(agent).post(f"/desk/tickets/{ticket.number}/presence/", {}, **HTMX)
    TicketPresence.objects.filter(user=other_agent).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert presence_prune_task() == 1
    assert list(TicketPresence.objects.values_list("user", flat=True)) == [agent.pk]


def _presence_commit_setting(committed, *, inside_transaction=False) -> str:
    """Touch presence in committed transactions and answer the `synchronous_commit` the
    presence upsert ran with."""
    from django.db import connection, transaction

    from desk.services import presence_touch
    from panel1.accounts.models import Role, User
    from tickets.models import Ticket

    seen = []

    def spy(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "tickets_ticketpresence" in sql:
            seen.append(synchronous_commit())
        return result

    def work():
        agent = User.objects.create_user("presence-flush@helpdesk.test", role=Role.AGENT)
        requester = User.objects.create_user("presence-flush@customer.test")
        ticket = Ticket.objects.create(number="PF-1", subject="x", requester=requester)
        try:
            with connection.execute_wrapper(spy):
                if inside_transaction:
                    with transaction.atomic():
                        presence_touch(ticket=ticket, actor=agent)
                else:
                    presence_touch(ticket=ticket, actor=agent)
        finally:
            TicketPresence.objects.filter(ticket=ticket).delete()
            ticket.delete()
            User.objects.filter(pk__in=[agent.pk, requester.pk]).delete()

    committed(work)
    return seen[0]


@pytest.mark.slow
def test_a_presence_heartbeat_commits_without_waiting_for_the_flush(committed):
    """The next heartbeat writes it again: no disk sync per heartbeat; inside a caller's
    transaction the setting would reach the caller's writes, so there it waits."""
    assert _presence_commit_setting(committed) == "off"
    assert _presence_commit_setting(committed, inside_transaction=True) == "on"
