"""The desk's own rows change only through `desk.services`, from the pages and the admin."""

import pytest

from desk import services
from desk.models import CannedResponse, SavedView
from panel1.exceptions import DomainError, PermissionDenied
from tests.factories.desk import CannedResponseFactory, SavedViewFactory


def test_agents_add_their_own_canned_responses_but_not_shared_ones(agent):
    own = services.canned_response_create(actor=agent, title="Mine", content="Hello", owner=agent)
    assert own.owner == agent
    with pytest.raises(PermissionDenied):
        services.canned_response_create(actor=agent, title="Team", content="Hello")


def test_supervisors_change_and_delete_shared_canned_responses(supervisor, agent):
    response = CannedResponseFactory(owner=None)
    with pytest.raises(PermissionDenied):
        services.canned_response_update(response=response, actor=agent, title="Changed")
    services.canned_response_update(response=response, actor=supervisor, title=" Changed ")
    assert CannedResponse.objects.get(pk=response.pk).title == "Changed"
    services.canned_response_delete(response=response, actor=supervisor)
    assert not CannedResponse.objects.filter(pk=response.pk).exists()


def test_a_canned_response_needs_a_title_and_text(supervisor):
    with pytest.raises(DomainError):
        services.canned_response_create(actor=supervisor, title=" ", content="")


def test_only_supervisors_create_views_for_others(agent, other_agent, supervisor):
    with pytest.raises(PermissionDenied):
        services.saved_view_create(actor=agent, name="Theirs", filters={}, owner=other_agent)
    view = services.saved_view_create(
        actor=supervisor, name="Theirs", filters={}, owner=other_agent, position=7
    )
    assert (view.owner, view.position) == (other_agent, 7)


def test_admin_saves_and_deletes_through_the_services(tenant_client, admin_user, agent):
    client = tenant_client(admin_user)
    added = client.post(
        "/admin/desk/cannedresponse/add/",
        {"title": "From admin", "shortcut": "admin", "content": "Hi", "is_active": "on"},
    )
    assert added.status_code == 302
    response = CannedResponse.objects.get(title="From admin")
    assert response.owner is None
    view = SavedViewFactory(owner=agent, name="Old name")
    changed = client.post(
        f"/admin/desk/savedview/{view.pk}/change/",
        {
            "name": "New name",
            "owner": agent.pk,
            "filters": '{"status": ["OPEN", "BOGUS"]}',
            "ordering": "",
            "position": 5,
        },
    )
    assert changed.status_code == 302
    view.refresh_from_db()
    # The service normalized the filters (unknown statuses dropped).
    assert (view.name, view.position, view.filters) == ("New name", 5, {"status": ["OPEN"]})
    client.post(f"/admin/desk/cannedresponse/{response.pk}/delete/", {"post": "yes"})
    assert not CannedResponse.objects.filter(pk=response.pk).exists()
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_canned_response_and_saved_view_writes_are_audited(supervisor):
    from panel1.audit.models import AuditEntry

    response = services.canned_response_create(actor=supervisor, title="Greeting", content="Hello")
    services.canned_response_update(response=response, actor=supervisor, title="Hi")
    view = services.saved_view_create(actor=supervisor, name="Mine", filters={})
    services.saved_view_delete(view=view, actor=supervisor)

    actions = list(AuditEntry.objects.order_by("created_at", "pk").values_list("action", flat=True))
    assert actions[-4:] == [
        "canned_response.created",
        "canned_response.updated",
        "saved_view.created",
        "saved_view.deleted",
    ]
    assert AuditEntry.objects.filter(actor_id=supervisor.pk).count() >= 4
