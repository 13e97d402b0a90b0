"""Canned responses, categories, agents, email, settings and the demo outbox from the desk."""

import pytest
from django.core import mail
from django.test import override_settings

from desk.models import CannedResponse
from panel1.accounts.models import Role, User
from panel1.audit.models import AuditEntry
from tests.factories import AdminFactory, CategoryFactory, TicketFactory
from tickets.models import Category, EmailTemplate

pytestmark = pytest.mark.django_db

PAGES = [
    "/desk/admin/canned/",
    "/desk/admin/canned/new/",
    "/desk/admin/categories/",
    "/desk/admin/agents/",
    "/desk/admin/email/",
    "/desk/admin/email/ticket_created/",
    "/desk/admin/settings/",
]


@pytest.mark.parametrize("url", PAGES)
def test_admin_pages_render_within_a_query_budget(
    url, tenant_client, admin_user, django_assert_max_num_queries
):
    CategoryFactory(name="Hardware")
    client = tenant_client(admin_user)
    client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", ["/desk/admin/agents/", "/desk/admin/email/", "/desk/admin/settings/"]
)
def test_admin_only_screens_refuse_supervisors_with_a_reason(url, tenant_client, supervisor):
    response = tenant_client(supervisor).get(url)
    assert response.status_code == 403
    assert "Only admins may open" in response.content.decode()


# --- canned responses --------------------------------------------------------------------


def test_agent_keeps_personal_canned_responses_and_sees_shared_ones(tenant_client, agent):
    CannedResponse.objects.create(title="Team greeting", content="Hello!")
    client = tenant_client(agent)
    response = client.post(
        "/desk/admin/canned/new/",
        {"title": "My sign-off", "content": "Cheers, {{ agent_name }}", "is_active": "on"},
    )
    assert response.status_code == 302
    mine = CannedResponse.objects.get(title="My sign-off")
    assert mine.owner == agent
    body = client.get("/desk/admin/canned/").content.decode()
    assert "Team greeting" in body and "My sign-off" in body
    shared = CannedResponse.objects.get(title="Team greeting")
    assert client.get(f"/desk/admin/canned/{shared.pk}/").status_code == 302  # not editable


def test_supervisor_shares_a_canned_response(tenant_client, supervisor):
    response = tenant_client(supervisor).post(
        "/desk/admin/canned/new/",
        {"title": "Refund policy", "content": "See our policy.", "shared": "on", "is_active": "on"},
    )
    assert response.status_code == 302
    assert CannedResponse.objects.get(title="Refund policy").owner is None


def test_canned_response_needs_text(tenant_client, supervisor):
    response = tenant_client(supervisor).post(
        "/desk/admin/canned/new/", {"title": "Empty", "content": "  "}
    )
    assert response.status_code == 400


# --- categories ------------------------------------------------------------------------


def test_categories_add_edit_and_delete_with_audit(tenant_client, supervisor):
    client = tenant_client(supervisor)
    response = client.post(
        "/desk/admin/categories/",
        {"name": "Returns", "description": "", "color": "#aa0000", "is_active": "on"},
    )
    assert response.status_code == 302
    category = Category.objects.get(name="Returns")
    response = client.post(
        f"/desk/admin/categories/{category.pk}/",
        {"name": "Returns and refunds", "description": "x", "color": "#aa0000"},
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.name, category.is_active) == ("Returns and refunds", False)
    assert AuditEntry.objects.filter(action="category.updated").exists()
    assert client.post(f"/desk/admin/categories/{category.pk}/delete/").status_code == 302
    assert not Category.objects.filter(pk=category.pk).exists()


def test_duplicate_or_bad_category_is_a_400(tenant_client, supervisor):
    CategoryFactory(name="Billing")
    client = tenant_client(supervisor)
    assert (
        client.post("/desk/admin/categories/", {"name": "Billing", "color": "#000000"}).status_code
        == 400
    )
    assert client.post("/desk/admin/categories/", {"name": "X", "color": "red"}).status_code == 400


def test_category_in_use_is_not_deleted(tenant_client, supervisor):
    used = CategoryFactory(name="Used")
    TicketFactory(category=used)
    response = tenant_client(supervisor).post(f"/desk/admin/categories/{used.pk}/delete/")
    assert response.status_code == 302
    assert Category.objects.filter(pk=used.pk).exists()


# --- agents and roles -------------------------------------------------------------------


def test_admin_invites_an_agent_who_gets_a_mail(tenant_client, admin_user):
    response = tenant_client(admin_user).post(
        "/desk/admin/agents/", {"name": "Nina New", "email": "nina@example.com", "role": "AGENT"}
    )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@example.com")
    assert nina.role == Role.AGENT and not nina.has_usable_password()
    assert AuditEntry.objects.filter(action="user.invited").exists()


def test_invite_errors_are_shown(tenant_client, admin_user, agent):
    response = tenant_client(admin_user).post(
        "/desk/admin/agents/", {"name": "Dup", "email": agent.email, "role": "AGENT"}
    )
    assert response.status_code == 400
    assert "exists already" in response.content.decode()
    bad = tenant_client(admin_user).post(
        "/desk/admin/agents/", {"name": "X", "email": "x@example.com", "role": "CUSTOMER"}
    )
    assert bad.status_code == 400


def test_admin_changes_role_and_categories(tenant_client, admin_user, agent):
    billing = CategoryFactory(name="Billing")
    response = tenant_client(admin_user).post(
        f"/desk/admin/agents/{agent.pk}/",
        {
            "role": "SUPERVISOR",
            "categories": [str(billing.pk)],
            "capacity": "5",
            "is_available": "on",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.role == Role.SUPERVISOR
    assert list(agent.agent_profile.categories.all()) == [billing]
    assert agent.agent_profile.capacity == 5
    assert AuditEntry.objects.filter(action="user.role_changed").exists()


def test_last_admin_cannot_be_demoted_or_deactivate_themselves(tenant_client, admin_user):
    User.objects.filter(role=Role.ADMIN).exclude(pk=admin_user.pk).update(is_active=False)
    client = tenant_client(admin_user)
    response = client.post(
        f"/desk/admin/agents/{admin_user.pk}/",
        {"role": "AGENT", "capacity": "0"},
    )
    assert response.status_code == 400
    client.post(f"/desk/admin/agents/{admin_user.pk}/active/", {"active": "0"})
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.role == Role.ADMIN


def test_deactivate_and_reactivate(tenant_client, admin_user, agent):
    client = tenant_client(admin_user)
    client.post(f"/desk/admin/agents/{agent.pk}/active/", {"active": "0"})
    agent.refresh_from_db()
    assert not agent.is_active
    client.post(f"/desk/admin/agents/{agent.pk}/active/", {"active": "1"})
    agent.refresh_from_db()
    assert agent.is_active
    assert AuditEntry.objects.filter(action="user.deactivated").exists()


def test_supervisor_cannot_change_roles(tenant_client, supervisor, agent):
    response = tenant_client(supervisor).post(
        f"/desk/admin/agents/{agent.pk}/", {"role": "ADMIN", "capacity": "0"}
    )
    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.role == Role.AGENT


# --- email ------------------------------------------------------------------------------


def test_email_template_saves_and_previews(tenant_client, admin_user):
    client = tenant_client(admin_user)
    page = client.get("/desk/admin/email/ticket_created/").content.decode()
    assert "srcdoc=" in page and "SUP-2026-00000042" in page
    preview = client.post(
        "/desk/admin/email/ticket_created/preview/",
        {
            "subject": "[{{ ticket_number }}] We got it",
            "body_text": "Hi {{ requester_name }}<script>",
        },
    ).content.decode()
    assert "[SUP-2026-00000042] We got it" in preview
    assert "Hi Carol Customer" in preview
    assert "<script>" not in preview
    response = client.post(
        "/desk/admin/email/ticket_created/",
        {
            "key": "ticket_created",
            "subject": "[{{ ticket_number }}] We got it",
            "body_text": "Hello {{ requester_name }}",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert EmailTemplate.objects.get(key="ticket_created").subject.startswith(
        "[{{ ticket_number }}]"
    )
    assert client.post("/desk/admin/email/ticket_created/reset/").status_code == 302
    assert not EmailTemplate.objects.filter(key="ticket_created").exists()


def test_email_template_unknown_placeholder_is_a_field_error(tenant_client, admin_user):
    response = tenant_client(admin_user).post(
        "/desk/admin/email/staff_reply/",
        {"key": "staff_reply", "subject": "{{ nope }}", "body_text": "x", "is_active": "on"},
    )
    assert response.status_code == 400
    assert "Unknown placeholder" in response.content.decode()


def test_unknown_email_key_is_404(tenant_client, admin_user):
    assert tenant_client(admin_user).get("/desk/admin/email/nothing/").status_code == 404


# --- settings ---------------------------------------------------------------------------


@pytest.fixture
def tenant_restored(tenant):
    """The settings service changes the (session-wide) tenant object in memory; the database
    rolls back after the test, so the object's fields are put back too."""
    from panel1.tenants.services import TENANT_SETTINGS_FIELDS, current_tenant

    objects = {id(tenant): tenant, id(current_tenant()): current_tenant()}.values()
    saved = [(obj, {f: getattr(obj, f) for f in TENANT_SETTINGS_FIELDS}) for obj in objects]
    yield tenant
    for obj, values in saved:
        for field, value in values.items():
            setattr(obj, field, value)


def _settings_post(**extra):
    data = {
        "display_name": "Acme Support",
        "primary_color": "#123456",
        "support_email": "help@acme.test",
        "footer_text": "",
        "default_timezone": "Europe/Berlin",
        "ticket_prefix": "SUP",
        "ticket_number_include_year": "on",
        "ticket_number_padding": "8",
        "ticket_suffix": "",
        "allow_signup": "on",
        "kb_search_config": "german",
    }
    data.update(extra)
    return data


def test_settings_show_language_names_not_setting_names(tenant_client, admin_user):
    body = tenant_client(admin_user).get("/desk/admin/settings/").content.decode()
    assert "Knowledge base search language" in body
    assert "Kb search config" not in body
    assert ">German<" in body


def test_settings_save_through_the_service_with_audit(tenant_client, admin_user, tenant_restored):
    tenant = tenant_restored
    response = tenant_client(admin_user).post("/desk/admin/settings/", _settings_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    tenant.refresh_from_db()
    assert tenant.kb_search_config == "german"
    assert tenant.primary_color == "#123456"
    assert AuditEntry.objects.filter(action="settings_changed").exists()


def test_settings_bad_input_is_a_400(tenant_client, admin_user, tenant_restored):
    response = tenant_client(admin_user).post(
        "/desk/admin/settings/",
        _settings_post(default_timezone="Mars/Base", kb_search_config="klingon"),
    )
    assert response.status_code == 400


# --- demo outbox ------------------------------------------------------------------------


def test_outbox_lists_mail_to_this_tenants_people_only(tenant_client, admin_user, tmp_path, agent):
    from django.core.mail import EmailMessage

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
        DEBUG=True,
    ):
        EmailMessage("For our agent", "Body one", "x@demo.test", [agent.email]).send()
        EmailMessage("For a stranger", "Body two", "x@demo.test", ["who@else.test"]).send()
        body = tenant_client(admin_user).get("/desk/admin/mail-outbox/").content.decode()
    assert "For our agent" in body
    assert "For a stranger" not in body


def test_outbox_is_demo_only(tenant_client, admin_user):
    with override_settings(DEBUG=False, DEMO_MODE=False):
        response = tenant_client(admin_user).get("/desk/admin/mail-outbox/")
    assert response.status_code == 403
    assert len(mail.outbox) == 0


def test_other_tenant_admin_cannot_see_this_tenants_data(tenant_client, other_tenant):
    from tests.conftest import in_schema

    CategoryFactory(name="Secret category A")
    with in_schema(other_tenant):
        client = tenant_client(AdminFactory(), on=other_tenant)
        body = client.get("/desk/admin/categories/").content.decode()
    assert "Secret category A" not in body


def test_agent_invite_mail_is_sent(tenant_client, admin_user, run_on_commit, settings):
    settings.ENABLE_EMAIL_SENDING = True
    tenant_client(admin_user).post(
        "/desk/admin/agents/", {"name": "Mo Mail", "email": "mo@example.com", "role": "AGENT"}
    )
    assert any("helpdesk team" in m.subject for m in mail.outbox)
