"""SLA profiles: the API contract, validation, the one default, edits re-deriving open tickets."""

import datetime as dt

import pytest

from panel1.actors import Actor
from sla.models import SlaProfile, TicketSLA
from sla.services import sla_profile_update, ticket_sla_status_change
from tests.conftest import in_schema
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    SupervisorFactory,
    TicketFactory,
)
from tests.factories.sla import BERLIN_OFFICE, SlaProfileFactory, ticket_started_at

URL = "/api/v1/sla/profiles/"
PROFILE_FIELDS = {
    "id",
    "name",
    "description",
    "first_response_time",
    "next_response_time",
    "resolution_time",
    "is_default",
    "business_hours",
    "holidays",
    "recurring_holidays",
    "priorities",
    "categories",
    "escalation_rules",
}


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


@pytest.fixture
def admin(tenant):
    return AdminFactory()


def test_admin_creates_reads_updates_and_deletes_a_profile(api_client, admin):
    client = api_client(admin)
    billing = CategoryFactory(name="Billing")
    supervisor = SupervisorFactory()
    payload = {
        "name": "Billing office",
        "description": "Invoices in office hours",
        "first_response_time": 120,
        "next_response_time": 240,
        "resolution_time": 960,
        "business_hours": BERLIN_OFFICE,
        "holidays": ["2026-12-25", "2026-12-24"],
        "priorities": ["HIGH"],
        "categories": [str(billing.pk)],
        "escalation_rules": [
            {
                "after_minutes": 480,
                "notify_user_ids": [str(supervisor.pk)],
                "assign_to_id": str(supervisor.pk),
                "change_priority": "URGENT",
            }
        ],
    }
    created = client.post(URL, payload, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) >= PROFILE_FIELDS
    assert body["holidays"] == ["2026-12-24", "2026-12-25"]
    assert body["categories"] == [str(billing.pk)] and body["is_default"] is False
    assert body["escalation_rules"][0]["change_priority"] == "URGENT"
    detail = f"{URL}{body['id']}/"
    assert client.get(detail).json()["name"] == "Billing office"
    assert any(p["id"] == body["id"] for p in client.get(URL).json()["results"])
    patched = client.patch(detail, {"next_response_time": None, "priorities": []}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["next_response_time"] is None and patched.json()["priorities"] == []
    assert client.delete(detail).status_code == 204
    assert not SlaProfile.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_response_time": -5}, "first_response_time"),
        ({"resolution_time": "soon"}, "resolution_time"),
        ({"name": ""}, "name"),
        ({"name": "Standard"}, "name"),
        ({"priorities": ["SUPER"]}, "priorities"),
        ({"categories": ["4b0a2f4e-0000-4000-8000-000000000000"]}, "categories"),
        ({"holidays": ["2026-02-30"]}, "holidays"),
        ({"business_hours": {"timezone": "Mars/Olympus"}}, "business_hours"),
        (
            {"business_hours": {"timezone": "UTC", "monday": {"start": "17:00", "end": "09:00"}}},
            "business_hours",
        ),
        (
            {"business_hours": {"timezone": "UTC", "monday": {"start": "9am", "end": "17:00"}}},
            "business_hours",
        ),
        ({"business_hours": {"monday": {"start": "09:00", "end": "17:00"}}}, "business_hours"),
        (
            {
                "business_hours": {
                    "timezone": "UTC",
                    "monday": {"enabled": False},
                    "sunday": {"enabled": False},
                }
            },
            "business_hours",
        ),
        ({"business_hours": {"timezone": "UTC", "lunchday": {}}}, "business_hours"),
        ({"business_hours": "always"}, "business_hours"),
        ({"escalation_rules": [{"after_minutes": -1}]}, "escalation_rules"),
        ({"escalation_rules": [{"after_minutes": 5, "shout": True}]}, "escalation_rules"),
        (
            {"escalation_rules": [{"after_minutes": 5, "assign_to_id": "nobody"}]},
            "escalation_rules",
        ),
        ({"escalation_rules": "escalate!"}, "escalation_rules"),
    ],
)
def test_bad_profile_input_answers_400_naming_the_field(api_client, admin, change, field):
    payload = {"name": "Night shift", "first_response_time": 60, "resolution_time": 480, **change}
    response = api_client(admin).post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not SlaProfile.objects.filter(name="Night shift").exists()


def test_escalation_users_must_be_active_staff(api_client, admin):
    customer = CustomerFactory()
    response = api_client(admin).post(
        URL,
        {
            "name": "Escalating",
            "first_response_time": 60,
            "resolution_time": 480,
            "escalation_rules": [{"after_minutes": 5, "notify_user_ids": [str(customer.pk)]}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "not an active staff user" in response.json()["escalation_rules"][0]


def test_missing_required_fields_and_bad_patch_are_400(api_client, admin):
    client = api_client(admin)
    response = client.post(URL, {"name": "Half"}, format="json")
    assert response.status_code == 400
    assert {"first_response_time", "resolution_time"} <= set(response.json())
    default = SlaProfile.objects.get(is_default=True)
    patched = client.patch(f"{URL}{default.pk}/", {"resolution_time": -1}, format="json")
    assert patched.status_code == 400 and "resolution_time" in patched.json()


def test_exactly_one_default_profile(api_client, admin):
    client = api_client(admin)
    old = SlaProfile.objects.get(is_default=True)
    demote = client.patch(f"{URL}{old.pk}/", {"is_default": False}, format="json")
    assert demote.status_code == 400 and "is_default" in demote.json()
    assert client.delete(f"{URL}{old.pk}/").status_code == 409
    response = client.post(
        URL,
        {"name": "New default", "first_response_time": 1, "resolution_time": 2, "is_default": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    new = response.json()
    assert str(SlaProfile.objects.get(is_default=True).pk) == new["id"] != str(old.pk)
    assert client.delete(f"{URL}{old.pk}/").status_code == 204


@pytest.mark.parametrize("role_factory", [AgentFactory, SupervisorFactory, CustomerFactory])
def test_profiles_are_admin_only(api_client, role_factory):
    client = api_client(role_factory())
    profile = SlaProfile.objects.get(is_default=True)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{profile.pk}/").status_code == 403
    payload = {"name": "X", "first_response_time": 1, "resolution_time": 1}
    assert client.post(URL, payload, format="json").status_code == 403
    assert client.patch(f"{URL}{profile.pk}/", {"name": "Y"}, format="json").status_code == 403
    assert client.delete(f"{URL}{profile.pk}/").status_code == 403
    assert api_client().get(URL).status_code == 401


def test_profiles_are_tenant_isolated(api_client, admin, other_tenant):
    created = api_client(admin).post(
        URL, {"name": "Alpha only", "first_response_time": 1, "resolution_time": 1}, format="json"
    )
    assert created.status_code == 201
    with in_schema(other_tenant):
        assert not SlaProfile.objects.filter(name="Alpha only").exists()
        assert SlaProfile.objects.filter(is_default=True).count() == 1
        other_admin = AdminFactory()
    assert (
        api_client(other_admin, on=other_tenant).get(f"{URL}{created.json()['id']}/").status_code
        == 404
    )


def test_editing_a_profile_rederives_open_tickets_and_keeps_closed_outcomes(api_client, admin):
    profile = SlaProfileFactory(name="Office", priorities=["LOW"], first_response_time=60)
    start = _at("2026-03-06T10:00:00+00:00")
    open_ticket = ticket_started_at(start, priority="LOW")
    closed_ticket = ticket_started_at(start, priority="LOW")
    ticket_sla_status_change(
        ticket=closed_ticket, before="OPEN", after="CLOSED", now=start + dt.timedelta(hours=2)
    )
    closed_before = TicketSLA.objects.get(pk=closed_ticket.pk)
    assert closed_before.resolution_due_at == start + dt.timedelta(minutes=480)

    response = api_client(admin).patch(
        f"{URL}{profile.pk}/",
        {"first_response_time": 30, "resolution_time": 60, "business_hours": BERLIN_OFFICE},
        format="json",
    )
    assert response.status_code == 200, response.content

    reopened = TicketSLA.objects.get(pk=open_ticket.pk)
    # 10:00 UTC is 11:00 in Berlin: 30 and 60 business minutes later.
    assert reopened.first_response_due_at == _at("2026-03-06T11:30:00+01:00")
    assert reopened.resolution_due_at == _at("2026-03-06T12:00:00+01:00")
    assert "changed" in reopened.log[-1]["detail"]
    closed = TicketSLA.objects.get(pk=closed_ticket.pk)
    assert closed.resolution_due_at == closed_before.resolution_due_at
    assert closed.first_response_due_at == closed_before.first_response_due_at
    assert closed.calculation == closed_before.calculation
    assert closed.resolution_breached is False and closed.resolved_at == closed_before.resolved_at
    audit = open_ticket.history.filter(event="sla.due_times").last()
    assert "Office" in audit.reason and audit.after["resolution_due_at"].startswith("2026-03-06T11")


def test_renaming_only_does_not_touch_tickets(tenant):
    profile = SlaProfileFactory(name="Office", priorities=["LOW"])
    ticket = TicketFactory(priority="LOW")
    before = TicketSLA.objects.get(pk=ticket.pk).updated_at
    sla_profile_update(profile=profile, actor=Actor.system(), name="Office (renamed)")
    assert TicketSLA.objects.get(pk=ticket.pk).updated_at == before


def test_deleting_a_profile_moves_its_open_tickets(api_client, admin):
    profile = SlaProfileFactory(name="Low", priorities=["LOW"], first_response_time=5)
    ticket = TicketFactory(priority="LOW")
    assert ticket.sla_state.profile == profile
    assert api_client(admin).delete(f"{URL}{profile.pk}/").status_code == 204
    state = TicketSLA.objects.get(pk=ticket.pk)
    assert state.profile == SlaProfile.objects.get(is_default=True)
    assert state.first_response_due_at == ticket.created_at + dt.timedelta(
        minutes=state.profile.first_response_time
    )


def test_admin_site_validates_through_the_service(tenant_client, admin):
    client = tenant_client(admin)
    assert client.get("/admin/sla/slaprofile/").status_code == 200
    form = {
        "name": "Admin made",
        "description": "",
        "first_response_time": "30",
        "next_response_time": "",
        "resolution_time": "60",
        "business_hours": '{"timezone": "Nowhere/City"}',
        "holidays": "",
        "priorities": "",
        "escalation_rules": "[]",
    }
    bad = client.post("/admin/sla/slaprofile/add/", form)
    assert bad.status_code == 200 and "Unknown time zone" in bad.content.decode()
    good = client.post(
        "/admin/sla/slaprofile/add/", {**form, "business_hours": '{"timezone": "Europe/Berlin"}'}
    )
    assert good.status_code == 302, good.content.decode()[:2000]
    assert SlaProfile.objects.filter(name="Admin made", is_default=False).exists()
    ticket = TicketFactory()
    assert client.get(f"/admin/sla/ticketsla/{ticket.pk}/change/").status_code == 200
    default = SlaProfile.objects.get(is_default=True)
    assert (
        client.post(f"/admin/sla/slaprofile/{default.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_many_open_tickets_are_rederived_by_a_task_after_commit(
    api_client, admin, monkeypatch, run_on_commit
):
    from sla.services import profiles

    monkeypatch.setattr(profiles, "SYNC_REDERIVE_LIMIT", 1)
    profile = SlaProfileFactory(name="Busy", priorities=["LOW"], first_response_time=60)
    tickets = [TicketFactory(priority="LOW") for _ in range(3)]
    sla_profile_update(profile=profile, actor=Actor.system(), first_response_time=10)
    # Inside the edit's transaction nothing moved yet: the task runs after commit ...
    state = TicketSLA.objects.get(pk=tickets[0].pk)
    assert state.first_response_due_at == tickets[0].created_at + dt.timedelta(minutes=60)
    # ... as it does for the API's request.
    response = api_client(admin).patch(
        f"{URL}{profile.pk}/", {"first_response_time": 20}, format="json"
    )
    assert response.status_code == 200
    for ticket in tickets:
        state = TicketSLA.objects.get(pk=ticket.pk)
        assert state.first_response_due_at == ticket.created_at + dt.timedelta(minutes=20)


def test_recurring_holidays_through_the_api(api_client, admin):
    client = api_client(admin)
    response = client.post(
        URL,
        {
            "name": "Yearly",
            "first_response_time": 60,
            "resolution_time": 480,
            "recurring_holidays": ["12-25", "01-01", "02-29"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["recurring_holidays"] == ["01-01", "02-29", "12-25"]
    bad = client.post(
        URL,
        {
            "name": "Bad",
            "first_response_time": 1,
            "resolution_time": 2,
            "recurring_holidays": ["13-01", "christmas"],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert "recurring_holidays" in bad.json()
