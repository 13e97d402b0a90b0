"""Property edits from a stale page and "assign to me" races: shown, never silently lost."""

from tests.desk.conftest import HTMX
from tickets import services
from tickets.models import Ticket


def _ticket(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_the_props_forms_carry_the_rendered_version(desk, ticket):
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert f'name="version" value="{ticket.version}"' in page


def test_a_stale_property_edit_shows_the_newer_value_and_changes_nothing(desk, ticket, other_agent):
    services.ticket_update(ticket=ticket, actor=other_agent, priority="URGENT")

    answer = desk.post(
        f"/desk/tickets/{ticket.number}/props/", {"priority": "LOW", "version": "1"}, **HTMX
    )

    page = answer.content.decode()
    assert answer.status_code == 200 and 'id="prop-conflict"' in page
    assert "Priority: Urgent" in page  # the newer value
    assert 'id="apply-anyway"' in page and 'name="priority" value="LOW"' in page
    assert _ticket(ticket).priority == "URGENT"


def test_apply_anyway_applies_the_edit_on_the_current_version(desk, ticket, other_agent):
    services.ticket_update(ticket=ticket, actor=other_agent, priority="URGENT")
    current = _ticket(ticket).version

    answer = desk.post(
        f"/desk/tickets/{ticket.number}/props/",
        {"priority": "LOW", "version": str(current)},
        **HTMX,
    )

    assert 'id="prop-conflict"' not in answer.content.decode()
    assert _ticket(ticket).priority == "LOW"


def test_an_edit_of_the_current_version_applies_every_field_at_once(desk, ticket):
    desk.post(
        f"/desk/tickets/{ticket.number}/props/",
        {"priority": "HIGH", "status": "ON_HOLD", "version": "1"},
        **HTMX,
    )
    fresh = _ticket(ticket)
    assert (fresh.priority, fresh.status) == ("HIGH", "ON_HOLD")


def test_a_stale_edit_without_htmx_redirects_with_the_conflict_message(desk, ticket, other_agent):
    services.ticket_update(ticket=ticket, actor=other_agent, priority="URGENT")
    answer = desk.post(
        f"/desk/tickets/{ticket.number}/props/", {"priority": "LOW", "version": "1"}, follow=True
    )
    assert "was changed meanwhile" in answer.content.decode()
    assert _ticket(ticket).priority == "URGENT"


def test_assign_to_me_takes_an_unassigned_ticket(desk, ticket, agent):
    desk.post(f"/desk/tickets/{ticket.number}/assign-me/", **HTMX)
    assert _ticket(ticket).assignee == agent


def test_assign_to_me_asks_before_taking_someone_elses_ticket(desk, ticket, agent, other_agent):
    services.ticket_assign(ticket=ticket, actor=other_agent, assignee=other_agent)

    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Take over from Bob Agent" in page

    answer = desk.post(f"/desk/tickets/{ticket.number}/assign-me/", **HTMX)
    body = answer.content.decode()
    assert "is assigned to Bob Agent. Take it over?" in body and 'id="take-over"' in body
    assert _ticket(ticket).assignee == other_agent

    version = _ticket(ticket).version
    desk.post(
        f"/desk/tickets/{ticket.number}/assign-me/",
        {"take": "1", "version": str(version)},
        **HTMX,
    )
    assert _ticket(ticket).assignee == agent


def test_a_takeover_confirmed_for_an_older_version_asks_again(
    desk, ticket, supervisor, other_agent
):
    services.ticket_assign(ticket=ticket, actor=other_agent, assignee=other_agent)
    asked_at = _ticket(ticket).version
    services.ticket_assign(ticket=ticket, actor=supervisor, assignee=supervisor)

    answer = desk.post(
        f"/desk/tickets/{ticket.number}/assign-me/",
        {"take": "1", "version": str(asked_at)},
        **HTMX,
    )

    assert "is assigned to Sam Supervisor. Take it over?" in answer.content.decode()
    assert _ticket(ticket).assignee == supervisor
