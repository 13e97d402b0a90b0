"""GDPR export: API statuses, the signed expiring link, the ZIP's contents (only the person)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.management import call_command

from panel1.audit.models import AuditEntry
from panel1.privacy import services
from panel1.privacy.models import DataExport
from tests.conftest import in_schema
from tests.factories import AdminFactory, AgentFactory, CustomerFactory
from tests.privacy.conftest import (
    ALICE_EMAIL,
    ALICE_NAME,
    ALICE_SECRET,
    BOB_EMAIL,
    BOB_SECRET,
    download,
    zip_members,
)


def request_export(client, email):
    return client.post("/api/v1/privacy/exports/", {"email": email})


def test_export_is_accepted_built_by_a_job_and_downloadable(shared, api_client):
    client = api_client(shared.admin)

    accepted = request_export(client, BOB_EMAIL)
    assert accepted.status_code == 202
    assert set(accepted.json()) >= {"id", "status"}
    assert accepted.json()["status"] == "pending"

    detail = client.get(f"/api/v1/privacy/exports/{accepted.json()['id']}/").json()
    assert detail["status"] == "ready"
    assert "signature=" in detail["download_url"]
    members = zip_members(download(client, detail["download_url"]))

    data = json.loads(members["data.json"])
    assert data["schema"] == "panel1.privacy.export/1"
    assert data["sections"]["account"]["profile"]["email"] == BOB_EMAIL
    tickets = data["sections"]["tickets"]
    assert [m["content"] for m in tickets["messages_written"]] == [BOB_SECRET]
    assert [t["number"] for t in tickets["tickets_cc"]] == [shared.ticket.number]
    files = [name for name in members if name.startswith("files/")]
    assert len(files) == 1 and members[files[0]].endswith(b"BOBFILE")


def test_export_of_a_cc_holds_nothing_about_the_requester(shared, api_client):
    client = api_client(shared.admin)
    export_id = request_export(client, BOB_EMAIL).json()["id"]
    url = client.get(f"/api/v1/privacy/exports/{export_id}/").json()["download_url"]

    everything = b"".join(zip_members(download(client, url)).values()).lower()

    for marker in (ALICE_EMAIL, ALICE_NAME, ALICE_SECRET, "ALICEFILE", "Agent Smith"):
        assert marker.lower().encode() not in everything, marker
    assert str(shared.alice.pk).encode() not in everything


def test_export_of_the_requester_has_her_messages_files_and_the_staff_replies(shared, api_client):
    client = api_client(shared.admin)
    export_id = request_export(client, ALICE_EMAIL).json()["id"]
    url = client.get(f"/api/v1/privacy/exports/{export_id}/").json()["download_url"]

    members = zip_members(download(client, url))
    tickets = json.loads(members["data.json"])["sections"]["tickets"]
    everything = b"".join(members.values())

    assert [t["subject"] for t in tickets["tickets_requested"]] == ["Printer broken"]
    assert len(tickets["messages_written"]) == 2
    assert [m["content"] for m in tickets["messages_received"]] == ["We are on it."]
    assert BOB_SECRET.encode() not in everything and b"BOBFILE" not in everything
    assert b"ALICEFILE" in everything


def test_export_errors(shared, api_client):
    admin = api_client(shared.admin)
    assert request_export(admin, "nobody@nowhere.test").status_code == 404
    assert request_export(admin, "nobody@nowhere.test").json() == {
        "detail": "No person with this email address."
    }
    bad = request_export(admin, "not an email")
    assert bad.status_code == 400 and "email" in bad.json()
    assert admin.post("/api/v1/privacy/exports/", {}).status_code == 400
    assert request_export(api_client(AgentFactory()), BOB_EMAIL).status_code == 403
    assert request_export(api_client(), BOB_EMAIL).status_code == 401
    assert (
        admin.get("/api/v1/privacy/exports/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


def test_download_needs_auth_and_a_valid_unexpired_signature(shared, api_client, monkeypatch):
    admin = api_client(shared.admin)
    export_id = request_export(admin, BOB_EMAIL).json()["id"]
    url = admin.get(f"/api/v1/privacy/exports/{export_id}/").json()["download_url"]

    assert api_client().get(url).status_code == 401
    assert api_client(CustomerFactory()).get(url).status_code == 404
    assert admin.get(url + "x").status_code == 404
    assert admin.get(url.split("?")[0]).status_code == 404
    # The person themself may fetch their own export with the link.
    assert api_client(shared.bob).get(url).status_code == 200

    monkeypatch.setattr(services, "EXPORT_TTL", timedelta(seconds=-1))
    expired = admin.get(url)
    assert expired.status_code == 410 and "expired" in expired.json()["detail"]


def test_a_row_past_its_expiry_answers_410(shared, api_client):
    admin = api_client(shared.admin)
    export_id = request_export(admin, BOB_EMAIL).json()["id"]
    url = admin.get(f"/api/v1/privacy/exports/{export_id}/").json()["download_url"]
    export = DataExport.objects.get(pk=export_id)
    DataExport.objects.filter(pk=export.pk).update(expires_at=export.created_at)
    assert admin.get(url).status_code == 410


def test_exports_are_audited(shared, api_client):
    request_export(api_client(shared.admin), BOB_EMAIL)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"export_requested", "export_completed"} <= actions


def test_exports_are_tenant_isolated(shared, api_client, other_tenant):
    admin = api_client(shared.admin)
    export_id = request_export(admin, BOB_EMAIL).json()["id"]
    with in_schema(other_tenant):
        beta_admin = AdminFactory(email="beta-privacy@helpdesk.test")
        beta = api_client(beta_admin, on=other_tenant)
        assert beta.get(f"/api/v1/privacy/exports/{export_id}/").status_code == 404
        assert request_export(beta, BOB_EMAIL).status_code == 404


def test_management_command_writes_the_zip(shared, tmp_path, tenant):
    target = tmp_path / "bob.zip"
    call_command("privacy_export", "--schema", tenant.schema_name, BOB_EMAIL, "--output", target)
    members = zip_members(target.read_bytes())
    assert json.loads(members["data.json"])["sections"]["account"]["profile"]["email"] == BOB_EMAIL


def test_export_list_query_count(shared, api_client, django_assert_max_num_queries):
    admin = api_client(shared.admin)
    for _ in range(5):
        request_export(admin, BOB_EMAIL)
    with django_assert_max_num_queries(6):
        assert admin.get("/api/v1/privacy/exports/").json()["count"] == 5
