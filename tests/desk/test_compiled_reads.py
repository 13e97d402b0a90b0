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
