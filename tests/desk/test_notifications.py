"""Ownership and collaboration: assign on reply, @mentions (ticket.mentioned), follow, the
notification centre and per-agent preferences (in-app, email)."""

from __future__ import annotations

from django.core import mail

from desk.models import DeskSettings, Notification, TicketFollow
from desk.notifications import desk_settings_update, notification_preference_set
from panel1.events import names
from tests.desk.conftest import HTMX
from tickets import services
from tickets.models import Ticket


def _reply(desk, ticket, content="On it.", **data):
    return desk.post(f"/desk/tickets/{ticket.number}/reply/", {"content": content, **data}, **HTMX)


def test_reply_on_unassigned_assigns_the_replier_unless_turned_off(
    desk, agent, admin_user, customer
):
    from tests.factories import TicketFactory

    first = TicketFactory(requester=customer)
    _reply(desk, first)
    assert Ticket.objects.get(pk=first.pk).assignee == agent

    second = TicketFactory(requester=customer)
    _reply(desk, second, internal="on")  # a note does not take the ticket
    assert Ticket.objects.get(pk=second.pk).assignee is None

    desk_settings_update(actor=admin_user, assign_on_reply=False)
    assert DeskSettings.objects.get().assign_on_reply is False
    _reply(desk, second)
    assert Ticket.objects.get(pk=second.pk).assignee is None


def test_mention_in_a_note_emits_and_notifies_in_app_and_by_mail(
    desk, agent, other_agent, ticket, events
):
    mail.outbox = []
    _reply(desk, ticket, content=f"@{other_agent.email} can you check?", internal="on")
    mentioned = [e for e in events if e.name == names.TICKET_MENTIONED]
    assert len(mentioned) == 1
    assert mentioned[0].payload["user_ids"] == [str(other_agent.pk)]
    note = Notification.objects.get(user=other_agent)
    assert note.kind == "mention" and ticket.number in note.text and note.read_at is None
    assert [m.to for m in mail.outbox if other_agent.email in m.to]


def test_preferences_turn_in_app_and_email_off(desk, agent, other_agent, ticket, tenant_client):
    notification_preference_set(
        actor=other_agent,
        channels={"mention": {"in_app": False, "email": False}},
    )
    mail.outbox = []
    _reply(desk, ticket, content=f"@{other_agent.email} fyi", internal="on")
    assert not Notification.objects.filter(user=other_agent).exists()
    assert not [m for m in mail.outbox if other_agent.email in m.to]
    # The preferences page saves them too.
    client = tenant_client(other_agent)
    client.post("/desk/notifications/preferences/", {"mention-in_app": "on"})
    page = client.get("/desk/notifications/preferences/")
    assert b'id="mention-in_app" aria-label' in page.content


def test_assignment_and_customer_replies_on_followed_tickets(
    desk, agent, other_agent, supervisor, ticket, customer, tenant_client, run_on_commit
):
    with run_on_commit():
        services.ticket_assign(ticket=ticket, actor=supervisor, assignee=agent)
    assert Notification.objects.filter(user=agent, kind="assignment").count() == 1

    bob = tenant_client(other_agent)
    assert bob.post(f"/desk/tickets/{ticket.number}/follow/", {"follow": "1"}).status_code == 302
    assert TicketFollow.objects.filter(ticket=ticket, user=other_agent).exists()
    mail.outbox = []
    with run_on_commit():
        services.message_add(ticket=ticket, actor=customer, content="Still broken")
    assert Notification.objects.filter(user=agent, kind="customer_reply").count() == 1
    assert Notification.objects.filter(user=other_agent, kind="customer_reply").count() == 1
    assert [m for m in mail.outbox if other_agent.email in m.to], "the follower got a notice"
    bob.post(f"/desk/tickets/{ticket.number}/follow/", {"follow": "0"})
    assert not TicketFollow.objects.filter(ticket=ticket, user=other_agent).exists()


def test_assignment_entries_follow_preferences_and_reach_active_staff_only(
    desk, agent, other_agent, supervisor, customer, run_on_commit
):
    from desk.notifications import on_assigned
    from panel1.events.bus import _event_from_record
    from panel1.events.models import EventRecord
    from tests.factories import TicketFactory

    notification_preference_set(actor=other_agent, channels={"assignment": {"in_app": False}})
    for assignee in (other_agent, supervisor, agent):
        with run_on_commit():
            services.ticket_assign(
                ticket=TicketFactory(requester=customer), actor=None, assignee=assignee
            )
            if assignee == supervisor:  # gone before the notification is written
                type(agent).objects.filter(pk=supervisor.pk).update(is_active=False)
    assert list(Notification.objects.values_list("user_id", "kind")) == [(agent.pk, "assignment")]
    note = Notification.objects.get()
    on_assigned(_event_from_record(EventRecord.objects.get(pk=note.event_id)))  # redelivered
    assert Notification.objects.count() == 1


def test_nobody_is_notified_of_their_own_action(desk, agent, ticket, run_on_commit):
    with run_on_commit():
        services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    assert not Notification.objects.filter(user=agent).exists()


def test_bell_list_open_and_mark_read(desk, agent, other_agent, ticket, tenant_client):
    _reply(desk, ticket, content=f"@{other_agent.email} one", internal="on")
    _reply(desk, ticket, content=f"@{other_agent.email} two", internal="on")
    bob = tenant_client(other_agent)
    assert b'id="bell-count"' in bob.get("/desk/notifications/bell/").content
    assert b">2</span>" in bob.get("/desk/notifications/bell/").content
    page = bob.get("/desk/notifications/")
    assert page.content.count(b'class="unread"') == 2
    first = Notification.objects.filter(user=other_agent).first()
    opened = bob.get(f"/desk/notifications/{first.pk}/")
    assert opened["Location"] == f"/desk/tickets/{ticket.number}/"
    bob.post("/desk/notifications/read/", {"next": "/desk/notifications/"})
    assert not Notification.objects.filter(user=other_agent, read_at__isnull=True).exists()
    assert b"bell-count" not in bob.get("/desk/notifications/bell/").content
    # Someone else's entry is not theirs to open.
    assert desk.get(f"/desk/notifications/{first.pk}/").status_code == 404


def test_mention_suggestions_list_staff_only(desk, other_agent, customer):
    page = desk.get("/desk/mentions/", {"q": "bob"})
    assert other_agent.email.encode() in page.content
    assert customer.email.encode() not in desk.get("/desk/mentions/", {"q": "carol"}).content


def test_notification_pages_have_bounded_queries(
    desk, agent, other_agent, ticket, tenant_client, django_assert_max_num_queries
):
    for n in range(6):
        _reply(desk, ticket, content=f"@{other_agent.email} {n}", internal="on")
    bob = tenant_client(other_agent)
    with django_assert_max_num_queries(16):
        assert bob.get("/desk/notifications/").status_code == 200
    with django_assert_max_num_queries(10):
        assert bob.get("/desk/notifications/bell/").status_code == 200
