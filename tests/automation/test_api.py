"""The automation API: rules CRUD, validation errors by path, dry runs, runs, permissions."""

import pytest

from automation.models import Rule, RuleRun
from panel1.crypto import decrypt_value
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    SupervisorFactory,
    TicketFactory,
)
from tests.factories.automation import RuleFactory, act, cond
from tickets.models import Message, TicketEvent

RULES = "/api/v1/automation/rules/"


@pytest.fixture
def supervisor(tenant):
    return SupervisorFactory()


@pytest.fixture
def client(api_client, supervisor):
    return api_client(supervisor)


def rule_body(**overrides):
    body = {
        "name": "Urgent to the top",
        "trigger_event": "ticket.created",
        "conditions": [{"field": "priority", "operator": "equals", "value": "URGENT"}],
        "actions": [{"type": "escalate_ticket", "parameters": {}}],
    }
    return {**body, **overrides}


# --- the seed's example rule, end to end ----------------------------------------------------


def test_seed_example_rule_works_end_to_end_through_the_api(api_client, tenant):
    admin = AdminFactory()
    senior = AgentFactory(email="bob@demo.test", name="Bob Agent")
    customer = CustomerFactory(name="Carol Customer")

    created = api_client(admin).post(
        RULES,
        {
            "name": "High priority to a senior agent",
            "trigger_event": "ticket.created",
            "conditions": [{"field": "priority", "operator": "equals", "value": "HIGH"}],
            "actions": [
                {"type": "assign_ticket", "parameters": {"assigned_to_id": str(senior.pk)}},
                {"type": "send_auto_response", "parameters": {"template": "acknowledgment"}},
            ],
        },
    )
    assert created.status_code == 201, created.json()
    high = api_client(customer).post(
        "/api/v1/tickets/", {"subject": "Site down", "content": "All 500s", "priority": "HIGH"}
    )
    low = api_client(customer).post(
        "/api/v1/tickets/", {"subject": "Typo", "content": "On the about page", "priority": "LOW"}
    )

    ticket = api_client(customer).get(f"/api/v1/tickets/{high.json()['id']}/").json()
    assert ticket["assignee"]["email"] == "bob@demo.test"
    messages = api_client(customer).get(f"/api/v1/tickets/{ticket['id']}/messages/").json()
    reply = messages["results"][-1]
    assert reply["message_type"] == "STAFF_REPLY"
    assert ticket["number"] in reply["content"]
    assert Message.objects.get(pk=reply["id"]).is_auto_response
    assert (
        api_client(customer).get(f"/api/v1/tickets/{low.json()['id']}/").json()["assignee"] is None
    )
    history = api_client(admin).get(f"/api/v1/tickets/{ticket['id']}/history/").json()["results"]
    assigned = [row for row in history if row["event"] == "ticket.assigned"]
    assert [(row["actor_label"], row["after"]) for row in assigned] == [
        ("automation: High priority to a senior agent", "bob@demo.test")
    ]
    runs = api_client(admin).get(f"{RULES}{created.json()['id']}/runs/").json()
    assert runs["count"] == 2
    assert sorted(run["matched"] for run in runs["results"]) == [False, True]


# --- CRUD ------------------------------------------------------------------------------------


def test_create_list_get_patch_delete(client):
    created = client.post(RULES, rule_body())
    assert created.status_code == 201
    body = created.json()
    assert body["is_active"] is True and body["stop_processing"] is False
    assert body["position"] == 0 and body["idle_hours"] is None

    assert client.get(RULES).json()["count"] == 1
    assert client.get(f"{RULES}{body['id']}/").json()["name"] == "Urgent to the top"

    patched = client.patch(f"{RULES}{body['id']}/", {"is_active": False, "position": 7})
    assert patched.status_code == 200
    assert (patched.json()["is_active"], patched.json()["position"]) == (False, 7)

    assert client.delete(f"{RULES}{body['id']}/").status_code == 204
    assert not Rule.objects.exists()


def test_new_rules_are_appended_and_listed_in_position_order(client):
    ids = [client.post(RULES, rule_body(name=f"r{i}")).json()["id"] for i in range(3)]

    reordered = client.post(f"{RULES}reorder/", {"ids": [ids[2], ids[0]]})

    assert reordered.status_code == 200
    listed = client.get(RULES).json()["results"]
    assert [(r["name"], r["position"]) for r in listed] == [("r2", 0), ("r0", 1), ("r1", 2)]


def test_put_is_not_offered(client):
    rule = RuleFactory()
    assert client.put(f"{RULES}{rule.pk}/", rule_body()).status_code == 405


def test_idempotency_key_replays_the_first_create(client):
    first = client.post(RULES, rule_body(), HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post(RULES, rule_body(), HTTP_IDEMPOTENCY_KEY="k1")

    assert again.json() == first.json()
    assert Rule.objects.count() == 1


def test_webhook_secrets_are_masked_and_kept_on_update(client):
    hook = {"type": "send_webhook", "parameters": {"url": "https://x.test/h", "secret": "s3"}}
    created = client.post(RULES, rule_body(actions=[hook])).json()

    assert created["actions"][0]["parameters"]["secret"] == "********"
    patched = client.patch(
        f"{RULES}{created['id']}/", {"name": "renamed", "actions": created["actions"]}
    )
    assert patched.status_code == 200
    stored = Rule.objects.get().actions[0]["parameters"]["secret"]
    assert stored.startswith("enc1:") and decrypt_value(stored) == "s3"  # encrypted at rest
    moved = [
        {**created["actions"][0], "parameters": {"url": "https://y.test/", "secret": "********"}}
    ]
    refused = client.patch(f"{RULES}{created['id']}/", {"actions": moved})
    assert refused.status_code == 400
    assert list(refused.json()) == ["actions[0].parameters.secret"]


# --- validation: 400 naming the bad part ----------------------------------------------------

BAD_RULES = [
    (
        {"conditions": [{"field": "mood", "operator": "equals", "value": "x"}]},
        "conditions[0].field",
    ),
    (
        {"conditions": [{"any": [{"field": "subject", "operator": "gt", "value": "a"}]}]},
        "conditions[0].any[0].operator",
    ),
    (
        {"conditions": [{"field": "escalation_level", "operator": "gt", "value": "2"}]},
        "conditions[0].value",
    ),
    (
        {"conditions": [{"field": "subject", "operator": "matches", "value": "(a+)+$"}]},
        "conditions[0].value",
    ),
    (
        {"conditions": [{"field": "subject", "operator": "matches", "value": "(unclosed"}]},
        "conditions[0].value",
    ),
    ({"actions": [{"type": "close_ticket", "parameters": {}}]}, "actions[0].type"),
    (
        {"actions": [{"type": "change_status", "parameters": {"status": "DONE"}}]},
        "actions[0].parameters.status",
    ),
    (
        {"actions": [{"type": "change_status", "parameters": {"status": "OPEN", "why": 1}}]},
        "actions[0].parameters.why",
    ),
    (
        {"actions": [{"type": "send_auto_response", "parameters": {"template": "nope"}}]},
        "actions[0].parameters.template",
    ),
    ({"actions": []}, "actions"),
    ({"trigger_event": "ticket.exploded"}, "trigger_event"),
    ({"trigger_event": "kb.article.published"}, "trigger_event"),
    ({"name": ""}, "name"),
    ({"idle_hours": 5}, "idle_hours"),
    ({"trigger_event": "ticket.idle"}, "idle_hours"),
    ({"conditions": "priority = HIGH"}, "conditions"),
]


@pytest.mark.parametrize(("change", "path"), BAD_RULES)
def test_invalid_rules_answer_400_naming_the_bad_part(client, change, path):
    response = client.post(RULES, rule_body(**change))

    assert response.status_code == 400, response.json()
    assert path in response.json(), response.json()
    assert not Rule.objects.exists()


def test_a_user_id_that_is_not_staff_is_refused(client):
    customer = CustomerFactory()
    action = {"type": "assign_ticket", "parameters": {"assigned_to_id": str(customer.pk)}}

    response = client.post(RULES, rule_body(actions=[action]))

    assert response.status_code == 400
    assert response.json() == {
        "actions[0].parameters.assigned_to_id": [
            f"{customer.pk} is not a staff user of this helpdesk."
        ]
    }


def test_patch_validates_the_resulting_rule(client):
    rule = RuleFactory()

    response = client.patch(
        f"{RULES}{rule.pk}/", {"conditions": [{"field": "status", "operator": "equals"}]}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["conditions[0].value"]
    rule.refresh_from_db()
    assert rule.conditions == []


# --- dry runs ---------------------------------------------------------------------------------


def test_dry_run_explains_and_changes_nothing(client, tenant, events):
    agent = AgentFactory()
    rule = RuleFactory(
        conditions=[
            cond("priority", "equals", "HIGH"),
            {"any": [cond("tags", "contains", "vip"), cond("subject", "contains", "down")]},
        ],
        actions=[
            act("assign_ticket", assigned_to_id=str(agent.pk)),
            act("change_status", status="CLOSED"),
            act("send_auto_response", template="acknowledgment"),
            act("send_webhook", url="https://hooks.example.com/x"),
        ],
    )
    ticket = TicketFactory(priority="HIGH", subject="Shop is down")
    before = (
        ticket.messages.count(),
        TicketEvent.objects.filter(ticket=ticket).count(),
    )
    events.clear()

    response = client.post(f"{RULES}{rule.pk}/test/", {"ticket": ticket.number})

    assert response.status_code == 200
    body = response.json()
    assert body["matched"] is True
    assert body["ticket"] == {"id": str(ticket.pk), "number": ticket.number}
    assert [(c["path"], c["result"]) for c in body["conditions"]] == [
        ("conditions[0]", True),
        ("conditions[1].any[0]", False),
        ("conditions[1].any[1]", True),
    ]
    assert [a["type"] for a in body["actions"]] == [
        "assign_ticket",
        "change_status",
        "send_auto_response",
        "send_webhook",
    ]
    assert agent.email in body["actions"][0]["description"]
    assert "OPEN -> CLOSED" in body["actions"][1]["description"]
    assert ticket.number in body["actions"][2]["description"]
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (None, "OPEN")
    assert before == (ticket.messages.count(), TicketEvent.objects.filter(ticket=ticket).count())
    assert events == []
    from automation.models import WebhookDelivery

    assert not WebhookDelivery.objects.exists()
    run = RuleRun.objects.get(rule=rule)
    assert run.dry_run and run.matched


def test_dry_run_of_a_rule_that_does_not_match_lists_no_actions(client):
    rule = RuleFactory(conditions=[cond("priority", "equals", "URGENT")])
    ticket = TicketFactory(priority="LOW")

    body = client.post(f"{RULES}{rule.pk}/test/", {"ticket": str(ticket.pk)}).json()

    assert body["matched"] is False
    assert body["actions"] == []
    assert body["conditions"][0]["actual"] == "LOW"


def test_dry_run_of_an_unknown_ticket_is_400(client):
    rule = RuleFactory()

    response = client.post(f"{RULES}{rule.pk}/test/", {"ticket": "SUP-1999-404"})

    assert response.status_code == 400
    assert list(response.json()) == ["ticket"]


def test_runs_can_be_filtered(client, run_on_commit):
    rule = RuleFactory(conditions=[cond("priority", "equals", "HIGH")])
    with run_on_commit():
        TicketFactory(priority="HIGH")
        TicketFactory(priority="LOW")

    all_runs = client.get(f"{RULES}{rule.pk}/runs/").json()
    matched = client.get(f"{RULES}{rule.pk}/runs/?matched=true").json()

    assert all_runs["count"] == 2
    assert matched["count"] == 1
    assert matched["results"][0]["ticket_number"].startswith("SUP-")
    assert client.get(f"{RULES}{rule.pk}/runs/?matched=maybe").status_code == 400


# --- registries and templates ------------------------------------------------------------------


def test_fields_endpoint_documents_the_builder_registries(client):
    body = client.get("/api/v1/automation/fields/").json()

    assert "ticket.created" in body["triggers"] and "kb.article.published" not in body["triggers"]
    assert {f["name"] for f in body["fields"]} >= {"subject", "priority", "business_hours_now"}
    assert {o["name"] for o in body["operators"]} >= {"equals", "matches", "is_set"}
    assert {a["type"] for a in body["actions"]} >= {"send_webhook", "notify_users"}
    assert set(body["templates"]) >= {"acknowledgment", "business_hours", "escalation"}
    assert "ticket_number" in body["placeholders"]


def test_templates_crud_with_placeholder_validation(client):
    created = client.post(
        "/api/v1/automation/templates/",
        {"name": "vip", "subject": "[{{ticket_number}}]", "body": "Hi {{customer_name}}"},
    )
    assert created.status_code == 201
    bad = client.patch("/api/v1/automation/templates/vip/", {"body": "Hi {{first_name}}"})
    assert bad.status_code == 400
    assert bad.json() == {"body": ["Unknown placeholder {{first_name}}."]}
    ok = client.patch("/api/v1/automation/templates/vip/", {"is_active": False})
    assert ok.status_code == 200 and ok.json()["is_active"] is False
    duplicate = client.post("/api/v1/automation/templates/", {"name": "vip", "body": "x"})
    assert duplicate.status_code == 400


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [AgentFactory, CustomerFactory])
def test_agents_and_customers_are_forbidden(api_client, tenant, factory):
    rule = RuleFactory()
    client = api_client(factory())

    assert client.get(RULES).status_code == 403
    assert client.post(RULES, rule_body()).status_code == 403
    assert client.get(f"{RULES}{rule.pk}/").status_code == 403
    assert client.patch(f"{RULES}{rule.pk}/", {"name": "x"}).status_code == 403
    assert client.delete(f"{RULES}{rule.pk}/").status_code == 403
    assert client.post(f"{RULES}{rule.pk}/test/", {"ticket": "x"}).status_code == 403
    assert client.get(f"{RULES}{rule.pk}/runs/").status_code == 403
    assert client.get("/api/v1/automation/fields/").status_code == 403
    assert client.get("/api/v1/automation/templates/").status_code == 403


def test_anonymous_callers_get_401(api_client):
    assert api_client().get(RULES).status_code == 401


def test_admins_may_manage_rules(api_client, tenant):
    assert api_client(AdminFactory()).post(RULES, rule_body()).status_code == 201


def test_rules_of_another_tenant_are_not_found(api_client, tenant, other_tenant, supervisor):
    from tests.conftest import in_schema

    with in_schema(other_tenant):
        foreign = RuleFactory()
        other_supervisor = SupervisorFactory()

    client = api_client(supervisor)
    assert client.get(f"{RULES}{foreign.pk}/").status_code == 404
    on_b = api_client(other_supervisor, on=other_tenant)
    assert on_b.get(RULES).json()["count"] == 1
    assert client.get(RULES).json()["count"] == 0


def test_openapi_schema_lists_the_automation_endpoints(client):
    schema = client.get("/api/v1/schema/?format=json").json()

    for path in (
        "/api/v1/automation/rules/",
        "/api/v1/automation/rules/{id}/test/",
        "/api/v1/automation/rules/{id}/runs/",
        "/api/v1/automation/fields/",
    ):
        assert path in schema["paths"], path


def test_rules_can_be_filtered_by_trigger_and_active_flag(client):
    RuleFactory(trigger_event="ticket.created")
    RuleFactory(trigger_event="message.added", is_active=False)

    assert client.get(f"{RULES}?trigger_event=message.added").json()["count"] == 1
    assert client.get(f"{RULES}?is_active=true").json()["count"] == 1
    assert client.get(f"{RULES}?trigger_event=nope").status_code == 400
