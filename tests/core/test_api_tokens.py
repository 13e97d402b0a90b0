"""API tokens: hashed at rest, shown once, named, read-only, expiring, listed and revoked."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from panel1.api.models import ApiToken
from panel1.api.tokens import api_token_create, token_hash
from panel1.audit.models import AuditEntry
from tests.conftest import in_schema
from tests.factories import AdminFactory, AgentFactory, CustomerFactory


def test_a_created_token_is_shown_once_and_stored_as_a_hash(api_client):
    agent = AgentFactory()
    created = api_client(agent).post("/api/v1/tokens/", {"name": "CI", "read_only": False})

    assert created.status_code == 201
    key = created.json()["token"]
    assert len(key) == 40
    row = ApiToken.objects.get(pk=created.json()["id"])
    assert row.key_hash == token_hash(key) and key not in str(row.__dict__)
    listed = api_client(agent).get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["CI"] and "token" not in listed[0]
    me = api_client(token=key).get("/api/v1/me/")
    assert me.status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None
    assert AuditEntry.objects.filter(action="token_created", target_id=str(row.pk)).exists()


def test_revoked_and_expired_tokens_are_refused(api_client):
    agent = AgentFactory()
    token, key = api_token_create(actor=agent, user=agent, name="laptop")
    assert api_client(agent).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert api_client(token=key).get("/api/v1/me/").status_code == 401
    assert AuditEntry.objects.filter(action="token_revoked").count() == 1

    expiring, key2 = api_token_create(
        actor=agent, user=agent, name="soon", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert api_client(token=key2).get("/api/v1/me/").status_code == 200
    ApiToken.objects.filter(pk=expiring.pk).update(expires_at=timezone.now())
    assert api_client(token=key2).get("/api/v1/me/").status_code == 401


def test_a_read_only_token_cannot_write(api_client):
    customer = CustomerFactory()
    _, key = api_token_create(actor=customer, user=customer, name="ro", read_only=True)
    client = api_client(token=key)
    assert client.get("/api/v1/tickets/").status_code == 200
    assert client.post("/api/v1/tickets/", {"subject": "x", "content": "y"}).status_code == 403


def test_owners_see_their_own_tokens_admins_see_and_revoke_all(api_client):
    ann, bob, admin = AgentFactory(), AgentFactory(), AdminFactory()
    anns, _ = api_token_create(actor=ann, user=ann, name="ann")
    api_token_create(actor=bob, user=bob, name="bob")

    assert [t["name"] for t in api_client(ann).get("/api/v1/tokens/").json()["results"]] == ["ann"]
    assert api_client(bob).delete(f"/api/v1/tokens/{anns.pk}/").status_code == 404
    assert api_client(admin).get("/api/v1/tokens/").json()["count"] >= 2
    assert api_client(admin).delete(f"/api/v1/tokens/{anns.pk}/").status_code == 204
    for_ann = api_client(admin).post("/api/v1/tokens/", {"name": "for ann", "user": str(ann.pk)})
    assert for_ann.status_code == 201 and for_ann.json()["user"]["id"] == str(ann.pk)
    forged = api_client(bob).post("/api/v1/tokens/", {"name": "x", "user": str(ann.pk)})
    assert forged.status_code == 404


def test_bad_input_is_a_400(api_client):
    client = api_client(AgentFactory())
    assert client.post("/api/v1/tokens/", {}).status_code == 400
    past = client.post("/api/v1/tokens/", {"name": "x", "expires_at": "2000-01-01T00:00:00Z"})
    assert past.status_code == 400 and "expires_at" in past.json()
    assert client.post("/api/v1/tokens/", {"name": "x", "expires_at": "soon"}).status_code == 400


def test_tokens_are_tenant_bound(api_client, other_tenant):
    agent = AgentFactory()
    _, key = api_token_create(actor=agent, user=agent, name="a")
    with in_schema(other_tenant):
        assert api_client(token=key, on=other_tenant).get("/api/v1/me/").status_code == 401


def test_desk_tokens_page_creates_lists_and_revokes(tenant_client, django_assert_max_num_queries):
    agent = AgentFactory()
    client = tenant_client(agent)

    created = client.post("/desk/tokens/", {"name": "Zapier", "read_only": "on"})
    html = created.content.decode()
    token = ApiToken.objects.get(user=agent)
    assert "not shown again" in html and token.read_only
    assert created["Cache-Control"] == "no-store"
    with django_assert_max_num_queries(12):
        page = client.get("/desk/tokens/")
    assert "Zapier" in page.content.decode() and "not shown again" not in page.content.decode()

    client.post(f"/desk/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    other = AgentFactory()
    theirs, _ = api_token_create(actor=other, user=other, name="theirs")
    assert client.post(f"/desk/tokens/{theirs.pk}/revoke/").status_code == 404
