"""The ticket part of API.md, exercised through HTTP."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tests.factories import (
    AdminFactory,
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    TicketFactory,
)
from tickets import services
from tickets.models import AgentProfile, SatisfactionRating, Status, Ticket

TICKET_FIELDS = {
    "id",
    "number",
    "subject",
    "status",
    "priority",
    "category",
    "tags",
    "requester",
    "assignee",
    "channel",
    "sla",
    "escalation_level",
    "created_at",
    "updated_at",
}
SLA_FIELDS = {
    "profile",
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "first_responded_at",
    "resolved_at",
    "first_response_breached",
    "next_response_breached",
    "resolution_breached",
    "paused",
}


@pytest.fixture
def customer(tenant):
    return CustomerFactory()


@pytest.fixture
def agent(tenant):
    return AgentFactory()


def test_customer_creates_and_reads_a_ticket(api_client, customer):
    client = api_client(customer)
    response = client.post(
        "/api/v1/tickets/",
        {"subject": "Broken", "content": "It broke", "tags": ["Billing"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= TICKET_FIELDS and set(body["sla"]) >= SLA_FIELDS
    assert body["status"] == "OPEN" and body["priority"] == "MEDIUM" and body["channel"] == "API"
    assert body["requester"] == {
        "id": str(customer.pk),
        "email": customer.email,
        "name": customer.name,
    }
    assert body["created_at"].endswith("Z")
    by_number = client.get(f"/api/v1/tickets/{body['number'].lower()}/")
    assert by_number.status_code == 200 and by_number.json()["id"] == body["id"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"subject": "", "content": "x"}, "subject"),
        ({"subject": "x" * 256, "content": "x"}, "subject"),
        ({"subject": "x", "content": "  "}, "content"),
        ({"subject": "x", "content": "x", "priority": "SUPER"}, "priority"),
        ({"subject": "x", "content": "x", "category": "not-a-uuid"}, "category"),
        (
            {"subject": "x", "content": "x", "category": "4b0a2f4e-0000-4000-8000-000000000000"},
            "category",
        ),
        ({"subject": "x", "content": "x", "tags": "vip"}, "tags"),
        ({"subject": ["x"], "content": "x"}, "subject"),
    ],
)
def test_bad_ticket_input_answers_400_with_field_errors(api_client, customer, payload, field):
    response = api_client(customer).post("/api/v1/tickets/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Ticket.objects.exists()


def test_staff_files_on_behalf_of_a_new_customer(api_client, agent):
    response = api_client(agent).post(
        "/api/v1/tickets/",
        {"subject": "Phone call", "content": "Customer called", "requester_email": "New@X.test"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["requester"]["email"] == "new@x.test"


def test_customer_cannot_file_on_behalf(api_client, customer):
    response = api_client(customer).post(
        "/api/v1/tickets/",
        {"subject": "x", "content": "y", "requester_email": "a@b.test"},
        format="json",
    )
    assert response.status_code == 403


def test_customer_sees_only_own_and_cc_tickets(api_client, customer):
    mine = TicketFactory(requester=customer)
    theirs = TicketFactory(requester=CustomerFactory())
    cc_one = TicketFactory(requester=CustomerFactory())
    cc_one.cc.add(customer)
    client = api_client(customer)
    ids = {t["id"] for t in client.get("/api/v1/tickets/").json()["results"]}
    assert ids == {str(mine.pk), str(cc_one.pk)}
    assert client.get(f"/api/v1/tickets/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/tickets/{theirs.number}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/tickets/{theirs.pk}/messages/", {"content": "hi"}, format="json"
        ).status_code
        == 404
    )


def test_agent_limited_to_categories(api_client, agent, customer):
    billing, tech = CategoryFactory(name="Billing"), CategoryFactory(name="Tech")
    AgentProfile.objects.create(user=agent).categories.add(billing)
    visible = TicketFactory(requester=customer, category=billing)
    hidden = TicketFactory(requester=customer, category=tech)
    client = api_client(agent)
    ids = {t["id"] for t in client.get("/api/v1/tickets/").json()["results"]}
    assert str(visible.pk) in ids and str(hidden.pk) not in ids
    assert client.get(f"/api/v1/tickets/{hidden.pk}/").status_code == 404


def test_internal_notes_and_staff_fields_hidden_from_customers(api_client, customer, agent):
    ticket = TicketFactory(requester=customer)
    services.message_add(ticket=ticket, actor=agent, content="secret", message_type="INTERNAL_NOTE")
    services.message_add(ticket=ticket, actor=agent, content="public", time_spent=4)
    messages = api_client(customer).get(f"/api/v1/tickets/{ticket.pk}/messages/").json()["results"]
    assert [m["content"] for m in messages] == [ticket.messages.first().content, "public"]
    assert all("time_spent" not in m for m in messages)
    staff_view = api_client(agent).get(f"/api/v1/tickets/{ticket.pk}/messages/").json()["results"]
    assert [m["message_type"] for m in staff_view][-2:] == ["INTERNAL_NOTE", "STAFF_REPLY"]
    assert staff_view[-1]["time_spent"] == 4
    assert api_client(customer).get(f"/api/v1/tickets/{ticket.pk}/history/").status_code == 403


def test_message_rules_via_api(api_client, customer, agent):
    ticket = TicketFactory(requester=customer)
    client = api_client(customer)
    url = f"/api/v1/tickets/{ticket.pk}/messages/"
    assert (
        client.post(
            url, {"content": "x", "message_type": "INTERNAL_NOTE"}, format="json"
        ).status_code
        == 403
    )
    assert client.post(url, {"content": ""}, format="json").status_code == 400
    assert (
        client.post(url, {"content": "x", "message_type": "SYSTEM"}, format="json").status_code
        == 400
    )
    reply = client.post(url, {"content": "more"}, format="json")
    assert reply.status_code == 201 and reply.json()["message_type"] == "CUSTOMER_REPLY"
    staff = api_client(agent).post(url, {"content": "ok", "time_spent": 5}, format="json")
    assert staff.status_code == 201 and staff.json()["message_type"] == "STAFF_REPLY"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS


def test_status_assign_patch_history(api_client, agent, customer):
    ticket = TicketFactory(requester=customer)
    client = api_client(agent)
    base = f"/api/v1/tickets/{ticket.pk}"
    response = client.post(
        f"{base}/status/", {"status": "ON_HOLD", "reason": "waiting vendor"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "ON_HOLD"
    assert client.post(f"{base}/status/", {"status": "NOPE"}, format="json").status_code == 400
    client.post(f"{base}/status/", {"status": "CLOSED"}, format="json")
    bad = client.post(f"{base}/status/", {"status": "OPEN"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()
    assigned = client.post(f"{base}/assign/", {"assignee": str(agent.pk)}, format="json")
    assert assigned.json()["assignee"]["id"] == str(agent.pk)
    assert (
        client.post(f"{base}/assign/", {"assignee": str(customer.pk)}, format="json").status_code
        == 400
    )
    assert (
        client.post(f"{base}/assign/", {"assignee": None}, format="json").json()["assignee"] is None
    )
    patched = client.patch(base + "/", {"priority": "HIGH", "tags": ["a"]}, format="json")
    assert patched.json()["priority"] == "HIGH" and patched.json()["tags"] == ["a"]
    assert (
        api_client(customer).patch(base + "/", {"priority": "LOW"}, format="json").status_code
        == 403
    )
    history = client.get(f"{base}/history/").json()["results"]
    status_rows = [h for h in history if h["field"] == "status"]
    assert status_rows[0]["reason"] == "waiting vendor"
    assert status_rows[0]["before"] == "OPEN" and status_rows[0]["after"] == "ON_HOLD"


def test_filters_ordering_and_search(api_client, agent, customer):
    cat = CategoryFactory(name="Billing")
    low = TicketFactory(requester=customer, priority="LOW", subject="Invoice copy")
    urgent = TicketFactory(requester=customer, priority="URGENT", category=cat, tags=["vip"])
    services.message_add(ticket=urgent, actor=customer, content="The refrigerator hums")
    services.ticket_assign(ticket=urgent, actor=agent, assignee=agent)
    client = api_client(agent)

    def ids(query):
        response = client.get(f"/api/v1/tickets/?{query}")
        assert response.status_code == 200, response.content
        return [t["id"] for t in response.json()["results"]]

    assert ids("priority=LOW&priority=URGENT&ordering=-priority") == [str(urgent.pk), str(low.pk)]
    assert ids("ordering=priority") == [str(low.pk), str(urgent.pk)]
    assert ids(f"category={cat.pk}") == [str(urgent.pk)]
    assert ids("assignee=none") == [str(low.pk)]
    assert ids(f"assignee={agent.pk}") == [str(urgent.pk)]
    assert ids("tag=VIP") == [str(urgent.pk)]
    assert ids("search=invoices") == [str(low.pk)]
    assert ids("search=refrigerator") == [str(urgent.pk)]
    assert ids(f"search={urgent.number.lower()}") == [str(urgent.pk)]
    assert ids(f"requester={customer.email}") == ids(f"requester={customer.pk}")
    assert client.get("/api/v1/tickets/?assignee=bogus").status_code == 400
    assert client.get("/api/v1/tickets/?ordering=subject").status_code == 400
    assert client.get("/api/v1/tickets/?created_after=yesterday").status_code == 400
    # The filters' form class is built once per language; every list still validates.
    assert client.get("/api/v1/tickets/?status=BOGUS").status_code == 400
    assert client.get("/api/v1/tickets/?status=BOGUS").status_code == 400
    assert ids("status=OPEN&priority=LOW") == [str(low.pk)]


def test_pagination_shape_and_limits(api_client, customer):
    for _ in range(3):
        TicketFactory(requester=customer)
    body = api_client(customer).get("/api/v1/tickets/?limit=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    body = api_client(customer).get("/api/v1/tickets/?limit=1000").json()
    assert len(body["results"]) == 3


def test_list_query_count_does_not_grow_with_page_size(
    api_client, agent, customer, django_assert_max_num_queries
):
    for i in range(25):
        ticket = TicketFactory(requester=customer, tags=[f"t{i}"])
        ticket.cc.add(CustomerFactory())
    client = api_client(agent)
    # 5 queries (domain, agent profile, count, page, cc prefetch), each after a search_path SET
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/v1/tickets/?limit=5").json()["results"]) == 5
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/v1/tickets/?limit=25").json()["results"]) == 25


def test_attachment_upload_download_and_access(api_client, customer, agent):
    ticket = TicketFactory(requester=customer)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    upload = SimpleUploadedFile("../../evil name.png", png, content_type="text/html")
    response = api_client(customer).post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"content": "screenshot", "attachments": [upload]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    attachment = response.json()["attachments"][0]
    assert attachment["filename"] == "evil name.png"
    assert attachment["content_type"] == "image/png"  # sniffed, not the client's text/html
    download = api_client(customer).get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert api_client(agent).get(attachment["url"]).status_code == 200
    stranger = api_client(CustomerFactory())
    assert stranger.get(attachment["url"]).status_code == 404
    assert api_client().get(attachment["url"]).status_code == 401


@override_settings(ATTACHMENT_MAX_FILE_SIZE=100)
def test_oversized_upload_is_refused_and_nothing_saved(api_client, customer):
    ticket = TicketFactory(requester=customer)
    big = SimpleUploadedFile("big.bin", b"x" * 101)
    response = api_client(customer).post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"content": "big", "attachments": [big]},
        format="multipart",
    )
    assert response.status_code == 413
    assert "big.bin" in response.json()["detail"]  # API.md: errors but 400 are {"detail"}
    assert ticket.messages.count() == 1


def test_idempotency_key_replays_and_rejects_a_different_body(api_client, customer):
    client = api_client(customer)
    payload = {"subject": "Once", "content": "only once"}
    first = client.post("/api/v1/tickets/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/tickets/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Ticket.objects.count() == 1
    other = client.post(
        "/api/v1/tickets/",
        {**payload, "subject": "Twice"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 422


def test_throttled_callers_get_429_with_retry_after(api_client, customer, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min", "anon": "2/min"})
    client = api_client(customer)
    codes = [client.get("/api/v1/tickets/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert int(client.get("/api/v1/tickets/")["Retry-After"]) > 0


def test_categories_admin_only_writes(api_client, agent):
    admin = AdminFactory()
    response = api_client(admin).post(
        "/api/v1/categories/", {"name": "Sales", "color": "#112233"}, format="json"
    )
    assert response.status_code == 201
    assert set(response.json()) == {"id", "name", "description", "color", "icon", "is_active"}
    assert (
        api_client(agent).post("/api/v1/categories/", {"name": "X"}, format="json").status_code
        == 403
    )
    bad = api_client(admin).post(
        "/api/v1/categories/", {"name": "Y", "color": "red"}, format="json"
    )
    assert bad.status_code == 400 and "color" in bad.json()
    cid = response.json()["id"]
    assert (
        api_client(admin)
        .patch(f"/api/v1/categories/{cid}/", {"is_active": False}, format="json")
        .json()["is_active"]
        is False
    )
    assert api_client(admin).delete(f"/api/v1/categories/{cid}/").status_code == 204


def test_support_stats(api_client, agent, customer):
    done = TicketFactory(requester=customer, priority="HIGH")
    services.message_add(ticket=done, actor=agent, content="fixed")
    services.ticket_status_change(ticket=done, actor=agent, status="RESOLVED")
    SatisfactionRating.objects.create(ticket=done, rating=4)
    TicketFactory(requester=customer)
    body = api_client(agent).get("/api/v1/stats/support/").json()
    assert body["total_tickets"] == 2 and body["open_tickets"] == 1
    assert body["tickets_by_priority"] == {"LOW": 0, "MEDIUM": 1, "HIGH": 1, "URGENT": 0}
    assert body["satisfaction_score"] == 4.0
    assert body["average_first_response_time"] is not None
    assert api_client(customer).get("/api/v1/stats/support/").status_code == 403
    assert api_client(agent).get("/api/v1/stats/support/?start=2026-13-01").status_code == 400


@pytest.mark.parametrize("content", ["", "   \n\t "])
def test_blank_message_content_is_refused_on_create_and_reply(api_client, customer, content):
    client = api_client(customer)
    ticket = TicketFactory(requester=customer)

    created = client.post("/api/v1/tickets/", {"subject": "S", "content": content}, format="json")
    replied = client.post(
        f"/api/v1/tickets/{ticket.pk}/messages/", {"content": content}, format="json"
    )

    for response in (created, replied):
        assert response.status_code == 400
        assert response.json()["content"] == ["This field may not be blank."]


def test_message_content_keeps_its_whitespace(api_client, customer):
    ticket = TicketFactory(requester=customer)
    content = "  indented\n\n    code block\n"

    response = api_client(customer).post(
        f"/api/v1/tickets/{ticket.pk}/messages/", {"content": content}, format="json"
    )

    assert response.status_code == 201
    assert ticket.messages.get(pk=response.json()["id"]).content == content


def test_api_timestamps_are_utc_whatever_the_callers_time_zone(tenant_client, customer):
    """API.md: "ISO 8601 timestamps in UTC with Z". The desk and portal show a person's own
    time zone; the API never does (a session caller in Tokyo once got local times ending in
    Z, nine hours off)."""
    customer.timezone = "Asia/Tokyo"
    customer.save(update_fields=["timezone"])
    client = tenant_client(customer)
    body = {"subject": "Clock check", "content": "What time is it?"}
    created = client.post("/api/v1/tickets/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    ticket = Ticket.objects.get(pk=created.json()["id"])
    message = ticket.messages.get()

    def utc(value):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    for answer in (created.json(), client.get(f"/api/v1/tickets/{ticket.pk}/").json()):
        assert answer["created_at"] == utc(ticket.created_at)
        assert answer["sla"]["first_response_due_at"] == utc(ticket.sla_state.first_response_due_at)
    conversation = client.get(f"/api/v1/tickets/{ticket.pk}/messages/").json()["results"]
    assert conversation[0]["created_at"] == utc(message.created_at)
