"""Erasure: statuses, approval, and afterwards no trace of the person anywhere in the tenant."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from knowledgebase.models import SearchRecord
from panel1.accounts.models import Role, User
from panel1.api.tokens import api_token_create
from panel1.audit.models import AuditEntry
from panel1.privacy.models import Erasure
from tests.conftest import in_schema
from tests.factories import AdminFactory, AgentFactory, CustomerFactory
from tests.privacy.conftest import ALICE_EMAIL, ALICE_NAME, ALICE_SECRET, BOB_SECRET
from tickets.models import Message, OutboundEmail, SatisfactionRating, Status, Ticket

TEXT_TYPES = ("character varying", "text", "character", "json", "jsonb")


def erase(client, email, confirm=True):
    body = {"email": email} if confirm is None else {"email": email, "confirm": confirm}
    return client.post("/api/v1/privacy/erasures/", body)


def tenant_text_hits(schema: str, needles: list[str]) -> list[str]:
    """Every (table.column) in the tenant schema whose text holds one of `needles`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND data_type = ANY(%s)",
            [schema, list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        hits = []
        for table, column in columns:
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}"::text ILIKE %s',
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column}: {needle}")
    return hits


def media_hits(schema: str, needles: list[bytes]) -> list[str]:
    root = Path(settings.MEDIA_ROOT) / "tenants" / schema
    return [
        str(path)
        for path in (root.rglob("*") if root.exists() else [])
        if path.is_file() and any(n in path.read_bytes().lower() for n in needles)
    ]


def cache_hits(needles: list[str]) -> list[str]:
    store = getattr(cache, "_cache", {})
    return [key for key, value in store.items() if any(n.encode() in value for n in needles)]


def test_erasure_leaves_no_trace_of_the_person(shared, api_client, tenant_client, tenant):
    alice = shared.alice
    # More places her data lives: a rating with a comment, a session, a token, KB searches,
    # notification mail, cached rendered messages.
    Ticket.objects.filter(pk=shared.ticket.pk).update(status=Status.RESOLVED)
    SatisfactionRating.objects.create(ticket=shared.ticket, rating=4, comment=f"{ALICE_NAME} ok")
    tenant_client(alice).get(f"/tickets/{shared.ticket.number}/")
    api_token_create(actor=alice, user=alice, name=f"{ALICE_NAME}'s laptop")
    SearchRecord.objects.create(
        query=ALICE_NAME,
        normalized_query=ALICE_NAME.lower(),
        result_count=0,
        source="API",
        user=alice,
    )
    assert OutboundEmail.objects.filter(to_email=ALICE_EMAIL).exists()
    message_count = Message.objects.filter(ticket=shared.ticket).count()

    accepted = erase(api_client(shared.admin), ALICE_EMAIL)

    assert accepted.status_code == 202 and accepted.json()["status"] == "pending"
    done = api_client(shared.admin).get(f"/api/v1/privacy/erasures/{accepted.json()['id']}/")
    assert done.json()["status"] == "done", done.json()
    needles = [ALICE_EMAIL, ALICE_NAME, ALICE_SECRET]
    assert tenant_text_hits(tenant.schema_name, needles) == []
    assert media_hits(tenant.schema_name, [b"alicefile", ALICE_EMAIL.encode()]) == []
    assert cache_hits(needles) == []
    # What keeps the metrics right stays.
    ticket = Ticket.objects.get(pk=shared.ticket.pk)
    assert (ticket.number, ticket.status, ticket.requester_id) == (
        shared.ticket.number,
        Status.RESOLVED,
        alice.pk,
    )
    assert Message.objects.filter(ticket=ticket).count() == message_count
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.rating, rating.comment) == (4, "")
    # Bob's own words and file are untouched.
    assert Message.objects.filter(content=BOB_SECRET).exists()
    assert media_hits(tenant.schema_name, [b"bobfile"])
    alice.refresh_from_db()
    assert alice.email.endswith("@erased.invalid") and not alice.is_active
    assert not alice.has_usable_password()


def test_the_pseudonym_is_stable_and_shown_in_the_audit_log(shared, api_client):
    AuditEntry.objects.create(actor_id=shared.alice.pk, action="login")
    erase(api_client(shared.admin), ALICE_EMAIL)
    pseudonym = User.objects.get(pk=shared.alice.pk).email

    rows = api_client(shared.admin).get("/api/v1/audit/", {"action": "login"}).json()["results"]
    assert pseudonym in [row["actor"] for row in rows]
    assert pseudonym.startswith("erased-")
    from panel1.privacy.pseudonyms import pseudonym_email

    assert pseudonym_email(shared.alice.pk) == pseudonym


def test_erasure_request_errors(shared, api_client):
    admin = api_client(shared.admin)
    missing = erase(admin, ALICE_EMAIL, confirm=None)
    assert missing.status_code == 400 and "confirm" in missing.json()
    assert erase(admin, ALICE_EMAIL, confirm=False).status_code == 400
    assert erase(admin, "nobody@nowhere.test").status_code == 404
    assert erase(admin, "bad address").status_code == 400
    assert erase(api_client(AgentFactory()), ALICE_EMAIL).status_code == 403
    assert erase(api_client(), ALICE_EMAIL).status_code == 401

    assert erase(admin, ALICE_EMAIL).status_code == 202
    again = erase(admin, User.objects.get(pk=shared.alice.pk).email)
    assert again.status_code == 409 and "already" in again.json()["detail"]
    assert Erasure.objects.count() == 1
    assert AuditEntry.objects.filter(action="erasure_refused").exists()


def test_the_last_active_admin_cannot_be_erased(shared, api_client):
    User.objects.filter(role=Role.ADMIN).exclude(pk=shared.admin.pk).update(is_active=False)
    refused = erase(api_client(shared.admin), shared.admin.email)
    assert refused.status_code == 409 and "last active admin" in refused.json()["detail"]

    second = AdminFactory()
    assert erase(api_client(second), shared.admin.email).status_code == 202


def test_a_portal_request_waits_for_approval(shared, api_client, tenant_client):
    client = tenant_client(shared.alice)
    page = client.get("/account/privacy/")
    assert page.status_code == 200
    client.post("/account/privacy/erasure/", {"confirm": "on", "email": ALICE_EMAIL})
    erasure = Erasure.objects.get(subject=shared.alice)
    assert erasure.status == "awaiting_approval"
    assert User.objects.get(pk=shared.alice.pk).email == ALICE_EMAIL

    admin = api_client(shared.admin)
    listed = admin.get(f"/api/v1/privacy/erasures/{erasure.pk}/").json()
    assert listed["status"] == "awaiting_approval"
    approved = admin.post(f"/api/v1/privacy/erasures/{erasure.pk}/approve/")
    assert approved.status_code == 202
    assert admin.get(f"/api/v1/privacy/erasures/{erasure.pk}/").json()["status"] == "done"
    assert admin.post(f"/api/v1/privacy/erasures/{erasure.pk}/approve/").status_code == 409


def test_a_customer_requests_their_own_export_in_the_portal(shared, tenant_client):
    client = tenant_client(shared.bob)
    response = client.post("/account/privacy/export/")
    assert response.status_code == 302
    page = client.get("/account/privacy/").content.decode()
    assert "signature=" in page


def test_a_failing_contributor_rolls_the_whole_erasure_back(shared, api_client, monkeypatch):
    from panel1.privacy import registry

    def boom(person, pseudonym):
        raise RuntimeError("storage offline")

    monkeypatch.setitem(
        registry._contributors,
        "zz-failing",
        registry.Contributor(name="zz-failing", export=lambda p: None, erase=boom, order=999),
    )
    accepted = erase(api_client(shared.admin), ALICE_EMAIL)
    erasure = Erasure.objects.get(pk=accepted.json()["id"])
    assert erasure.status == "failed" and "storage offline" in erasure.error
    assert User.objects.get(pk=shared.alice.pk).email == ALICE_EMAIL
    assert Message.objects.filter(content__contains=ALICE_SECRET).exists()
    # A failed erasure can be requested again.
    monkeypatch.delitem(registry._contributors, "zz-failing")
    assert erase(api_client(shared.admin), ALICE_EMAIL).status_code == 202


def test_erasures_are_tenant_isolated(shared, api_client, other_tenant):
    with in_schema(other_tenant):
        beta_admin = AdminFactory(email="beta-eraser@helpdesk.test")
        CustomerFactory(email=ALICE_EMAIL)
        assert erase(api_client(beta_admin, on=other_tenant), ALICE_EMAIL).status_code == 202
    assert User.objects.get(pk=shared.alice.pk).email == ALICE_EMAIL
