"""Privacy requests in the desk and Django admin."""

from __future__ import annotations

from panel1.accounts.models import User
from panel1.privacy.models import DataExport, Erasure
from tests.factories import AgentFactory
from tests.privacy.conftest import ALICE_EMAIL, BOB_EMAIL


def test_desk_admin_starts_an_export_and_an_erasure(shared, tenant_client):
    client = tenant_client(shared.admin)

    client.post("/desk/privacy/export/", {"export-email": BOB_EMAIL})
    refused = client.post("/desk/privacy/erasure/", {"erasure-email": ALICE_EMAIL}, follow=True)
    assert not Erasure.objects.exists() and "confirm" in refused.content.decode().lower()
    client.post("/desk/privacy/erasure/", {"erasure-email": ALICE_EMAIL, "erasure-confirm": "on"})

    assert DataExport.objects.get().status == "ready"
    assert Erasure.objects.get().status == "done"
    page = client.get("/desk/privacy/").content.decode()
    assert "signature=" in page and "erased-" in page


def test_desk_admin_approves_a_portal_request(shared, tenant_client):
    tenant_client(shared.alice).post(
        "/account/privacy/erasure/", {"email": ALICE_EMAIL, "confirm": "on"}
    )
    erasure = Erasure.objects.get()
    client = tenant_client(shared.admin)
    assert "Approve" in client.get("/desk/privacy/").content.decode()

    client.post(f"/desk/privacy/erasure/{erasure.pk}/approve/")

    erasure.refresh_from_db()
    assert erasure.status == "done" and erasure.approved_by_id == shared.admin.pk
    assert User.objects.get(pk=shared.alice.pk).email.endswith("@erased.invalid")


def test_portal_erasure_needs_the_own_address_and_the_checkbox(shared, tenant_client):
    client = tenant_client(shared.alice)
    wrong = client.post("/account/privacy/erasure/", {"email": BOB_EMAIL, "confirm": "on"})
    unchecked = client.post("/account/privacy/erasure/", {"email": ALICE_EMAIL})
    assert wrong.status_code == 200 and unchecked.status_code == 200
    assert not Erasure.objects.exists()


def test_desk_privacy_page_is_for_admins(shared, tenant_client, django_assert_max_num_queries):
    assert tenant_client(AgentFactory()).get("/desk/privacy/").status_code == 403
    assert tenant_client(AgentFactory()).post("/desk/privacy/export/").status_code == 403
    client = tenant_client(shared.admin)
    for _ in range(3):
        client.post("/desk/privacy/export/", {"export-email": BOB_EMAIL})
    # Session, user, sidebar views, both lists (one query each), the policy, the flash ...
    with django_assert_max_num_queries(18):
        assert client.get("/desk/privacy/").status_code == 200


def test_django_admin_action_exports_personal_data(shared, tenant_client):
    client = tenant_client(shared.admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "export_personal_data", "_selected_action": [str(shared.bob.pk)]},
    )
    assert response.status_code == 302
    export = DataExport.objects.get()
    assert (export.subject_id, export.source, export.status) == (shared.bob.pk, "admin", "ready")
    assert client.get("/admin/privacy/dataexport/").status_code == 200
    assert client.get("/admin/privacy/erasure/").status_code == 200


def test_portal_privacy_page_query_count(shared, tenant_client, django_assert_max_num_queries):
    client = tenant_client(shared.bob)
    for _ in range(3):
        client.post("/account/privacy/export/")
    # Tenant, session, user, the exports, the open erasure (each with its search_path SET).
    with django_assert_max_num_queries(12):
        page = client.get("/account/privacy/")
    assert page.content.decode().count("signature=") == 3


def test_a_customer_cannot_see_or_approve_privacy_requests(shared, tenant_client, api_client):
    assert tenant_client(shared.bob).get("/desk/privacy/").status_code == 302
    assert api_client(shared.bob).get("/api/v1/privacy/erasures/").status_code == 403
    assert api_client(shared.bob).get("/api/v1/privacy/exports/").status_code == 403
