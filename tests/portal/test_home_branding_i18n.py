"""Home page, branding on every page, the logo URL, and the language switch."""

import base64

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django_tenants.utils import schema_context

from tests.factories import CategoryFactory, TicketFactory

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def logo(tenant, tenant_flags):
    """`logo(content, name, schema=None)` stores a logo file and points the tenant at it."""
    stored = []

    def make(content=PNG, name="branding/logo.png", schema=None):
        with schema_context(schema or tenant.schema_name):
            path = default_storage.save(name, ContentFile(content))
            stored.append((schema or tenant.schema_name, path))
        tenant_flags(logo=path)
        return path

    yield make
    for schema, path in stored:
        with schema_context(schema):
            default_storage.delete(path)


def test_home_offers_requests_tickets_and_topics(tenant_client, customer):
    CategoryFactory(name="Billing")
    TicketFactory(requester=customer, subject="My earlier question")

    html = tenant_client(customer).get("/").content.decode()

    assert 'href="/tickets/new/"' in html
    assert 'href="/tickets/"' in html
    assert "My earlier question" in html
    assert "Billing" in html
    assert "1 open request" in html


def test_home_for_visitors_offers_log_in_and_sign_up(tenant_client):
    html = tenant_client().get("/").content.decode()
    assert 'href="/login/"' in html
    assert 'href="/account/signup/"' in html


def test_home_has_the_kb_search_box_and_popular_articles(tenant_client, customer):
    from knowledgebase.models import Article

    Article.objects.create(
        title="Reset your password", slug="reset-password", status="PUBLISHED", view_count=9
    )
    html = tenant_client(customer).get("/").content.decode()
    assert 'type="search" name="q"' in html
    assert "Reset your password" in html


def test_branding_is_on_every_portal_page(tenant_client, customer, tenant_flags):
    tenant_flags(display_name="Acme Help", primary_color="#c2410c", footer_text="Acme Ltd, Bonn")
    ticket = TicketFactory(requester=customer)
    client = tenant_client(customer)
    anonymous = tenant_client()
    pages = [
        client.get("/"),
        client.get("/tickets/"),
        client.get(f"/tickets/{ticket.number}/"),
        client.get("/tickets/new/"),
        client.get("/account/profile/"),
        anonymous.get("/login/"),
        anonymous.get("/account/signup/"),
        anonymous.get("/account/claim/"),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert "Acme Help" in html
        assert "--brand: #c2410c" in html
        assert "Acme Ltd, Bonn" in html


def test_the_logo_appears_on_portal_pages_and_in_mails(tenant_client, logo, mailoutbox):
    logo()
    home = tenant_client().get("/").content.decode()
    response = tenant_client().get("/branding/logo")
    tenant_client().post("/account/password/forgot/", {"email": "nobody@acme-corp.test"})
    tenant_client().post(
        "/account/signup/",
        {
            "name": "Nina",
            "email": "nina@newco.test",
            "password1": "a-Long-unusual-passphrase-77",
            "password2": "a-Long-unusual-passphrase-77",
        },
    )

    assert 'src="/branding/logo' in home
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert 'src="http://alpha.test.localhost/branding/logo"' in mailoutbox[0].alternatives[0][0]


def test_without_a_logo_none_is_shown(tenant_client):
    assert "/branding/logo" not in tenant_client().get("/").content.decode()
    assert tenant_client().get("/branding/logo").status_code == 404


def test_account_mails_carry_the_branding(tenant_client, tenant_flags, mailoutbox):
    tenant_flags(display_name="Acme Help", primary_color="#c2410c", support_email="help@acme.test")
    tenant_client().post(
        "/account/signup/",
        {
            "name": "Nina",
            "email": "nina@newco.test",
            "password1": "a-Long-unusual-passphrase-77",
            "password2": "a-Long-unusual-passphrase-77",
        },
    )
    mail = mailoutbox[0]
    assert mail.from_email == "Acme Help <help@acme.test>"
    assert "Acme Help" in mail.subject
    assert "#c2410c" in mail.alternatives[0][0]


@override_settings(LANGUAGES=[("en", "English"), ("de", "Deutsch")])
def test_the_language_switch_changes_the_interface_language(tenant_client):
    client = tenant_client()
    assert 'name="language"' in client.get("/").content.decode()

    switched = client.post("/i18n/setlang/", {"language": "de", "next": "/account/signup/"})
    page = client.post("/account/signup/", {"name": "", "email": ""})

    assert switched.status_code == 302 and switched["Location"] == "/account/signup/"
    assert switched.cookies["django_language"].value == "de"
    html = page.content.decode()
    assert '<html lang="de" dir="ltr">' in html
    assert "Dieses Feld ist zwingend erforderlich." in html  # Django's own German catalog


@override_settings(LANGUAGES=[("en", "English")])
def test_with_one_language_no_switch_is_shown(tenant_client):
    assert 'name="language"' not in tenant_client().get("/").content.decode()
