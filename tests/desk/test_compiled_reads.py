"""The desk's per-page reads from compiled SQL (`panel1.db_reads`): the sidebar's saved views
and who else has a ticket open answer what their querysets answered, for each caller."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from desk import services as desk_services
from desk.models import SavedView, TicketPresence
from desk.queues import saved_views_for
from desk.selectors import presence_list_others
from tests.factories.desk import SavedViewFactory

pytestmark = pytest.mark.django_db


def test_saved_views_are_the_users_own_and_the_shared_ones(agent, other_agent):
    mine = SavedViewFactory(owner=agent, name="b mine")
    shared = SavedViewFactory(owner=other_agent, name="A shared", is_shared=True)
    SavedViewFactory(owner=other_agent, name="theirs")

    for user in (agent, other_agent):
        expected = list(
            SavedView.objects.filter(Q(owner=user) | Q(is_shared=True))
            .select_related("owner")
            .order_by("position", Lower("name"), "pk")
        )
        assert saved_views_for(user) == expected
    assert saved_views_for(agent) == [shared, mine]
    assert saved_views_for(agent)[0].owner.name == other_agent.name  # joined, no query


def test_presence_lists_the_others_whose_rows_have_not_expired(ticket, agent, other_agent):
    desk_services.presence_touch(ticket=ticket, actor=agent)
    desk_services.presence_touch(ticket=ticket, actor=other_agent)

    others = presence_list_others(ticket=ticket, user=agent)
    assert [p.user for p in others] == [other_agent]
    assert presence_list_others(ticket=ticket, user=other_agent)[0].user == agent

    TicketPresence.objects.filter(user=other_agent).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert presence_list_others(ticket=ticket, user=agent) == []


def _same_ticket(compiled, expected) -> None:
    fields = [f.attname for f in type(expected)._meta.concrete_fields]
    assert [getattr(compiled, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert compiled.requester.email == expected.requester.email
    assert compiled.cc_people == expected.cc_people
    assert getattr(compiled, "draft_inline", None) == getattr(expected, "draft_inline", None)


@pytest.mark.parametrize("by", ["number", "pk"])
def test_a_ticket_read_compiled_is_the_one_the_queryset_reads(
    ticket, supervisor, agent, other_agent, by
):
    from desk.views.ticket import _with_draft
    from tickets import services
    from tickets.selectors import (
        cc_people_subquery,
        ticket_get_for,
        ticket_queryset_for,
        ticket_ref_lookup,
    )

    services.ticket_cc_add(ticket=ticket, actor=agent, user=other_agent)
    desk_services.reply_draft_save(ticket=ticket, actor=supervisor, content="half a reply")
    ref = ticket.number.lower() if by == "number" else str(ticket.pk)
    related = ("requester__customer_profile__organization",)

    compiled = ticket_get_for(supervisor, ref, related=related, user_annotations=_with_draft)
    expected = (
        ticket_queryset_for(supervisor)
        .annotate(cc_people=cc_people_subquery(), **_with_draft(supervisor.pk))
        .select_related(*related)
        .get(**ticket_ref_lookup(ref))
    )
    _same_ticket(compiled, expected)
    assert compiled.draft_inline["content"] == "half a reply"
    # Another reader's draft is not theirs; the plain shape reads no draft.
    assert ticket_get_for(agent, ref, user_annotations=_with_draft).draft_inline is None
    assert not hasattr(ticket_get_for(supervisor, ref), "draft_inline")


def test_the_thread_history_and_other_tickets_read_compiled_match_their_querysets(
    ticket, customer, agent, supervisor
):
    from desk.selectors import requester_other_tickets
    from tests.factories import TicketFactory
    from tickets import services
    from tickets.models import MessageType
    from tickets.selectors import messages_for, thread_messages_for, ticket_history_recent

    services.message_add(
        ticket=ticket,
        actor=agent,
        content="note",
        message_type=MessageType.INTERNAL_NOTE,
        attachments=[services.AttachmentInput("n.txt", b"x")],
    )
    services.message_add(ticket=ticket, actor=customer, content="answer")
    older = [TicketFactory(requester=customer) for _ in range(3)]

    for user in (agent, customer):
        thread = thread_messages_for(user, ticket)
        assert thread == list(messages_for(user, ticket))
        files = [[a.filename for a in m.attachments.all()] for m in thread]
        assert files == [
            [a.filename for a in m.attachments.all()] for m in messages_for(user, ticket)
        ]
    assert "n.txt" in str(files_of(thread_messages_for(agent, ticket)))
    assert ticket_history_recent(ticket, limit=2) == list(
        ticket.history.order_by("-created_at", "-id")[:2]
    )
    others = requester_other_tickets(ticket=ticket, user=supervisor, limit=2)
    assert others == sorted(older, key=lambda t: t.created_at, reverse=True)[:2]


def files_of(messages) -> list[str]:
    return [a.filename for m in messages for a in m.attachments.all()]
