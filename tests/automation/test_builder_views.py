"""The rule builder pages: permissions, saving through the validator, live checks, dry runs."""

import json

import pytest

from automation.models import Rule
from panel1.crypto import decrypt_value
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    SupervisorFactory,
    TicketFactory,
)
from tests.factories.automation import RuleFactory, act, cond

LIST = "/desk/admin/automation/"


@pytest.fixture
def supervisor(tenant):
    return SupervisorFactory()


@pytest.fixture
def client(tenant_client, supervisor):
    return tenant_client(supervisor)


def form_data(**overrides):
    data = {
        "name": "Tag refunds",
        "trigger_event": "message.added",
        "is_active": "1",
        "conditions_json": json.dumps([cond("message_content", "contains", "refund")]),
        "actions_json": json.dumps([act("add_tags", tags=["refund"])]),
    }
    return {**data, **overrides}


def test_the_list_shows_rules_in_order(client):
    RuleFactory(name="Second", position=2)
    RuleFactory(name="First", position=1)

    page = client.get(LIST)

    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("First") < html.index("Second")
    assert "css/automation.css" in html


def test_customers_are_sent_to_the_portal(tenant_client, tenant):
    client = tenant_client(CustomerFactory())
    rule = RuleFactory()

    assert client.get(LIST)["Location"] == "/"
    assert client.post(f"{LIST}{rule.pk}/toggle/")["Location"] == "/"
    assert rule.is_active == RuleFactory._meta.model.objects.get(pk=rule.pk).is_active


@pytest.mark.parametrize("factory", [AgentFactory])
def test_agents_get_403(tenant_client, tenant, factory):
    client = tenant_client(factory())
    rule = RuleFactory()

    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}new/").status_code == 403
    assert client.post(f"{LIST}{rule.pk}/toggle/").status_code == 403
    assert client.post(f"{LIST}validate/", form_data()).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(tenant_client):
    response = tenant_client().get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")


def test_admins_may_use_the_builder(tenant_client, tenant):
    assert tenant_client(AdminFactory()).get(f"{LIST}new/").status_code == 200


def test_saving_a_new_rule(client, supervisor):
    response = client.post(f"{LIST}new/", form_data())

    rule = Rule.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{LIST}{rule.pk}/"
    assert (rule.name, rule.trigger_event, rule.is_active) == ("Tag refunds", "message.added", True)
    assert rule.conditions == [cond("message_content", "contains", "refund")]
    assert rule.created_by == supervisor


def test_an_invalid_rule_is_shown_again_with_errors_by_path(client):
    bad = [{"field": "priority", "operator": "matches", "value": "HIGH"}]

    response = client.post(f"{LIST}new/", form_data(conditions_json=json.dumps(bad), name=""))

    assert response.status_code == 400
    assert not Rule.objects.exists()
    errors = response.context["errors"]
    assert set(errors) == {"name", "conditions[0].operator"}
    html = response.content.decode()
    assert "conditions[0].operator" in html  # handed to the builder for inline display
    assert "A name is required." in html


def test_bad_json_is_an_error_not_a_crash(client):
    response = client.post(f"{LIST}new/", form_data(actions_json="[{"))

    assert response.status_code == 400
    assert "actions" in response.context["errors"]


def test_editing_keeps_a_masked_webhook_secret(client):
    rule = RuleFactory(actions=[act("send_webhook", url="https://x.test/h", secret="s3")])
    page = client.get(f"{LIST}{rule.pk}/")
    html = page.content.decode()
    assert '"s3"' not in html and "********" in html
    shown = page.context["initial"]["actions"]

    client.post(f"{LIST}{rule.pk}/", form_data(actions_json=json.dumps(shown), name="Renamed"))

    rule.refresh_from_db()
    assert rule.name == "Renamed"
    assert decrypt_value(rule.actions[0]["parameters"]["secret"]) == "s3"


def test_live_validation_answers_errors_by_path(client):
    ok = client.post(f"{LIST}validate/", form_data()).json()
    bad = client.post(
        f"{LIST}validate/",
        form_data(actions_json=json.dumps([act("change_status", status="LATER")])),
    ).json()

    assert ok == {"errors": {}}
    assert list(bad["errors"]) == ["actions[0].parameters.status"]
    assert not Rule.objects.exists()


def test_toggle_and_move_with_htmx_answer_the_table(client):
    first = RuleFactory(name="A", position=0)
    RuleFactory(name="B", position=1)

    toggled = client.post(f"{LIST}{first.pk}/toggle/", HTTP_HX_REQUEST="true")
    moved = client.post(f"{LIST}{first.pk}/move/", {"direction": "down"}, HTTP_HX_REQUEST="true")

    assert toggled.status_code == 200 and "<table" in toggled.content.decode()
    first.refresh_from_db()
    assert first.is_active is False
    assert moved.status_code == 200
    assert list(Rule.objects.order_by("position").values_list("name", flat=True)) == ["B", "A"]


def test_toggle_without_htmx_redirects(client):
    rule = RuleFactory()

    response = client.post(f"{LIST}{rule.pk}/toggle/")

    assert response.status_code == 302


def test_delete(client):
    rule = RuleFactory()

    assert client.post(f"{LIST}{rule.pk}/delete/").status_code == 302
    assert not Rule.objects.exists()


def test_dry_run_of_the_draft_on_the_page(client):
    ticket = TicketFactory(content="I need a refund for order 7")

    response = client.post(
        f"{LIST}dry-run/",
        form_data(trigger_event="ticket.created", ticket=ticket.number),
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Would match" in html
    assert "Add tags refund" in html
    ticket.refresh_from_db()
    assert ticket.tags == []
    assert not Rule.objects.exists()


def test_dry_run_names_a_missing_ticket_and_invalid_drafts(client):
    missing = client.post(f"{LIST}dry-run/", form_data(ticket="SUP-0000")).content.decode()
    invalid = client.post(
        f"{LIST}dry-run/", form_data(actions_json="[]", ticket="x")
    ).content.decode()

    assert "No ticket" in missing
    assert "A rule needs at least one action." in invalid


def test_old_builder_addresses_redirect_into_the_admin_area(tenant_client, supervisor):
    client = tenant_client(supervisor)
    response = client.get("/desk/automation/new/")
    assert response.status_code == 301
    assert response["Location"] == f"{LIST}new/"
    posted = client.post("/desk/automation/validate/", form_data())
    assert posted.status_code == 307 and posted["Location"] == f"{LIST}validate/"


def test_builder_shows_human_labels(tenant_client, supervisor):
    html = tenant_client(supervisor).get(f"{LIST}new/").content.decode()
    assert "A ticket is created" in html  # not "ticket.created" as the option text
    assert '"operators": {"equals": "is"' in html or '"equals": "is"' in html
    assert '"assigned_to_id": "Agent"' in html
