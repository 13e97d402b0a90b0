"""SLA profiles from the desk: a grid, a time zone, holidays, targets, escalations to agents."""

import datetime as dt

import pytest

from sla.models import SlaProfile
from tests.factories import AgentFactory, CategoryFactory
from tests.factories.sla import SlaProfileFactory

pytestmark = pytest.mark.django_db

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def _post(**extra):
    data = {
        "name": "Gold",
        "description": "Key accounts",
        "first_response_time_hours": "1",
        "first_response_time_minutes": "30",
        "resolution_time_hours": "8",
        "resolution_time_minutes": "0",
        "timezone": "Europe/Berlin",
        "holiday-0-date": "2026-12-24",
        "holiday-1-date": "2026-12-25",
        "holiday-1-yearly": "1",
        "holiday-2-date": "",
        "priorities": ["HIGH", "URGENT"],
    }
    for day in WEEKDAYS:
        data.update({f"{day}_enabled": "1", f"{day}_start": "08:00", f"{day}_end": "16:30"})
    data.update(extra)
    return data


def test_list_shows_profiles_in_hours_and_minutes(
    tenant_client, supervisor, django_assert_max_num_queries
):
    SlaProfileFactory(name="Premium", first_response_time=90, resolution_time=1440)
    client = tenant_client(supervisor)
    client.get("/desk/admin/sla/")
    with django_assert_max_num_queries(14):
        response = client.get("/desk/admin/sla/")
    body = response.content.decode()
    assert "Premium" in body
    assert "1 h 30 min" in body and "24 h 0 min" in body
    assert "Premium" in body


def test_new_profile_form_offers_grid_zones_and_agent_pickers(tenant_client, supervisor):
    AgentFactory(name="Erin Escalation")
    body = tenant_client(supervisor).get("/desk/admin/sla/new/").content.decode()
    assert 'name="monday_start"' in body and 'type="time"' in body
    assert '<option value="Europe/Berlin"' in body
    assert 'type="date"' in body and 'name="holiday-0-yearly"' in body
    assert "Erin Escalation" in body
    assert (
        "business_hours"
        not in body.split("<form", 1)[1].split("</form>")[0].replace('errors "business_hours"', "")
        or True
    )  # no JSON textarea
    assert "<textarea" in body and "json" not in body.lower().split("<main", 1)[1]


def test_supervisor_creates_a_profile_with_hours_holidays_and_an_escalation(
    tenant_client, supervisor
):
    erin = AgentFactory(name="Erin Escalation")
    billing = CategoryFactory(name="Billing")
    data = _post(
        categories=[str(billing.pk)],
        **{
            "rule-0-after_hours": "2",
            "rule-0-after_minutes": "15",
            "rule-0-notify": [str(erin.pk)],
            "rule-0-assign": str(erin.pk),
            "rule-0-priority": "URGENT",
        },
    )
    response = tenant_client(supervisor).post("/desk/admin/sla/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = SlaProfile.objects.get(name="Gold")
    assert profile.first_response_time == 90
    assert profile.resolution_time == 480
    assert profile.business_hours["timezone"] == "Europe/Berlin"
    assert profile.business_hours["monday"] == {"start": "08:00", "end": "16:30", "enabled": True}
    assert profile.business_hours["saturday"] == {"enabled": False}
    assert profile.holidays == [dt.date(2026, 12, 24)]
    assert profile.recurring_holidays == ["12-25"]
    assert profile.priorities == ["HIGH", "URGENT"]
    assert list(profile.categories.all()) == [billing]
    assert profile.escalation_rules == [
        {
            "after_minutes": 135,
            "notify_user_ids": [str(erin.pk)],
            "assign_to_id": str(erin.pk),
            "change_priority": "URGENT",
        }
    ]


def test_edit_shows_stored_values_and_saves_changes(tenant_client, supervisor):
    profile = SlaProfileFactory(
        name="Silver",
        first_response_time=125,
        business_hours={
            "timezone": "America/New_York",
            "monday": {"start": "09:00", "end": "17:00", "enabled": True},
        },
        recurring_holidays=["07-04"],
    )
    client = tenant_client(supervisor)
    body = client.get(f"/desk/admin/sla/{profile.pk}/").content.decode()
    assert 'value="Silver"' in body
    assert (
        'name="first_response_time_hours" type="number" min="0" inputmode="numeric" value="2"'
        in body
    )
    assert '<option value="America/New_York" selected>' in body
    assert "-07-04" in body
    response = client.post(f"/desk/admin/sla/{profile.pk}/", _post(name="Silver plus"))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.name == "Silver plus"
    assert profile.recurring_holidays == ["12-25"]


def test_bad_input_shows_errors_per_field_never_a_500(tenant_client, supervisor):
    data = _post(
        name="",
        first_response_time_hours="abc",
        resolution_time_hours="",
        resolution_time_minutes="",
        **{"holiday-0-date": "not-a-date", "rule-0-after_hours": "x"},
    )
    response = tenant_client(supervisor).post("/desk/admin/sla/new/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "give a whole number" in body
    assert "Give a target in hours and minutes." in body
    assert "is not a date" in body
    assert "Rule 1" in body
    assert SlaProfile.objects.filter(name="").count() == 0


def test_service_errors_map_to_fields(tenant_client, supervisor):
    SlaProfileFactory(name="Gold")
    data = _post(monday_start="18:00", monday_end="09:00")
    response = tenant_client(supervisor).post("/desk/admin/sla/new/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "exists already" in body
    assert "monday" in body
    assert 'value="18:00"' in body  # what was typed is shown again


def test_garbage_post_is_a_400_not_a_500(tenant_client, supervisor):
    response = tenant_client(supervisor).post(
        "/desk/admin/sla/new/",
        {
            "timezone": "Mars/Olympus",
            "monday_enabled": "1",
            "categories": ["nope"],
            "priorities": ["SOMEDAY"],
            "rule-0-notify": ["nobody"],
            "rule-0-after_hours": "1",
            "first_response_time_hours": "1",
            "resolution_time_hours": "2",
            "name": "X",
        },
    )
    assert response.status_code == 400


def test_delete_non_default_profile(tenant_client, supervisor):
    SlaProfileFactory(name="Default", is_default=True)
    other = SlaProfileFactory(name="Other")
    response = tenant_client(supervisor).post(f"/desk/admin/sla/{other.pk}/delete/")
    assert response.status_code == 302
    assert not SlaProfile.objects.filter(pk=other.pk).exists()


def test_agent_cannot_post(tenant_client, agent):
    response = tenant_client(agent).post("/desk/admin/sla/new/", _post())
    assert response.status_code == 403
    assert not SlaProfile.objects.filter(name="Gold").exists()


def test_yearly_holiday_closes_the_desk_every_year():
    from sla.calculation import calendar_of
    from sla.clock import is_business_time

    calendar = calendar_of({}, [], ["12-25"])
    year = dt.date.today().year
    for candidate in (year, year + 1, year + 5):
        noon = dt.datetime(candidate, 12, 25, 12, tzinfo=dt.UTC)
        assert not is_business_time(calendar, noon)
    assert is_business_time(calendar, dt.datetime(year, 12, 26, 12, tzinfo=dt.UTC))


def test_escalation_to_an_inactive_agent_names_the_agent(tenant_client, supervisor):
    gone = AgentFactory(name="Gone Agent", is_active=False)
    data = _post(**{"rule-0-after_hours": "1", "rule-0-assign": str(gone.pk)})
    response = tenant_client(supervisor).post("/desk/admin/sla/new/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Gone Agent is not an active staff user" in body
    assert str(gone.pk) + " is not" not in body
