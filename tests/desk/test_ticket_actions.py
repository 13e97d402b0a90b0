"""The ticket actions menu: link (related, duplicate, parent/child with a children list),
split selected messages, delete (admins only, confirmed)."""

from __future__ import annotations

import pytest

from panel1.audit.models import AuditEntry
from panel1.events import names
from panel1.exceptions import DomainError, PermissionDenied
from tests.factories import TicketFactory
from tickets import services
from tickets.models import Message, Ticket


def test_link_kinds_and_children_list(desk, agent, customer, events):
    parent = TicketFactory(requester=customer, subject="Office move")
    child = TicketFactory(requester=customer, subject="Move printers")
    dup = TicketFactory(requester=customer, subject="Office move (again)")
    desk.post(f"/desk/tickets/{child.number}/link/", {"kind": "parent", "other": parent.number})
    desk.post(f"/desk/tickets/{dup.number}/link/", {"kind": "duplicate_of", "other": parent.number})
    desk.post(f"/desk/tickets/{parent.number}/link/", {"kind": "related", "other": dup.number})
    assert Ticket.objects.get(pk=child.pk).parent_id == parent.pk
    assert Ticket.objects.get(pk=dup.pk).duplicate_of_id == parent.pk
    panel = desk.get(f"/desk/tickets/{parent.number}/links/")
    assert b'id="children-list"' in panel.content and child.number.encode() in panel.content
    assert b"Duplicates of this" in panel.content
    assert names.TICKET_LINKED in [e.name for e in events]
    # A cycle is refused; unlinking works.
    with pytest.raises(DomainError):
        services.ticket_link(ticket=parent, other=child, actor=agent, kind="parent")
    desk.post(
        f"/desk/tickets/{child.number}/link/",
        {"kind": "parent", "other": parent.number, "unlink": "1"},
    )
    assert Ticket.objects.get(pk=child.pk).parent_id is None
    missing = desk.post(
        f"/desk/tickets/{child.number}/link/", {"kind": "related", "other": "nope"}, follow=True
    )
    assert b"No such ticket to link." in missing.content


def test_split_selected_messages(desk, agent, ticket, customer, events):
    second = services.message_add(ticket=ticket, actor=customer, content="Also the VPN")
    third = services.message_add(ticket=ticket, actor=customer, content="And the mail")
    page = desk.get(f"/desk/tickets/{ticket.number}/split/")
    assert b"Also the VPN" in page.content
    answer = desk.post(
        f"/desk/tickets/{ticket.number}/split/",
        {"messages": [str(second.pk), str(third.pk)], "subject": "VPN and mail"},
    )
    new = Ticket.objects.get(subject="VPN and mail")
    assert answer["Location"] == f"/desk/tickets/{new.number}/"
    assert set(Message.objects.filter(ticket=new, moved_from=ticket)) == {second, third}
    assert ticket in new.related.all()
    assert names.TICKET_SPLIT in [e.name for e in events]
    # The only remaining message cannot go.
    first = ticket.messages.exclude(message_type="SYSTEM").get()
    with pytest.raises(DomainError):
        services.ticket_split(messages=[first], actor=agent)


def test_delete_is_for_admins_and_needs_the_number(tenant_client, desk, admin_user, ticket):
    with pytest.raises(PermissionDenied):
        services.ticket_delete(ticket=ticket, actor=ticket.requester)
    desk.post(f"/desk/tickets/{ticket.number}/delete/", {"confirm": ticket.number})
    assert Ticket.objects.filter(pk=ticket.pk).exists()  # agents cannot
    admin = tenant_client(admin_user)
    admin.post(f"/desk/tickets/{ticket.number}/delete/", {"confirm": "wrong"})
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    answer = admin.post(f"/desk/tickets/{ticket.number}/delete/", {"confirm": ticket.number})
    assert answer.status_code == 302
    assert not Ticket.objects.filter(pk=ticket.pk).exists()
    entry = AuditEntry.objects.get(action="ticket.deleted")
    assert entry.details["number"] == ticket.number


def test_actions_menu_on_the_ticket_page(desk, ticket, tenant_client, admin_user):
    page = desk.get(f"/desk/tickets/{ticket.number}/")
    for marker in (b'id="action-merge"', b'id="action-split"', b'id="action-link"',
                   b'id="action-print"', b'id="back-to-queue"', b'id="ticket-links"'):  # fmt: skip
        assert marker in page.content
    assert b'id="delete-form"' not in page.content
    assert (
        b'id="delete-form"'
        in tenant_client(admin_user).get(f"/desk/tickets/{ticket.number}/").content
    )


def test_mark_as_spam_closes_tags_and_blocks_the_sender(desk, ticket, customer):
    from panel1.accounts.models import User

    answer = desk.post(f"/desk/tickets/{ticket.number}/spam/")
    assert answer.status_code == 302
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == "CLOSED" and "spam" in ticket.tags
    assert User.objects.get(pk=customer.pk).is_active is False
    assert AuditEntry.objects.filter(action="customer.blocked").exists()


def test_spam_never_blocks_staff(desk, agent, other_agent):
    filed = TicketFactory(requester=other_agent, actor=other_agent)
    services.ticket_mark_spam(ticket=filed, actor=agent)
    other_agent.refresh_from_db()
    assert other_agent.is_active
