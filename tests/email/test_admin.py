"""The email channel's admin pages (tenant admin): lists, detail, IMAP password handling."""

from __future__ import annotations

import pytest

from tests.factories import AdminFactory
from tests.factories.email import raw_mail
from tickets.email.crypto import decrypt_secret
from tickets.models import ImapMailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(tenant, tenant_client):
    return tenant_client(AdminFactory())


@pytest.mark.parametrize(
    "model", ["inboundemail", "outboundemail", "bouncedaddress", "emailtemplate", "imapmailbox"]
)
def test_the_lists_render(admin_client, ingest, model):
    ingest(raw_mail(subject="Listed"))

    assert admin_client.get(f"/admin/tickets/{model}/").status_code == 200


def test_an_inbound_mail_detail_never_renders_its_html(admin_client, ingest):
    inbound = ingest(raw_mail(body="", html="<p>Hi <img src=x onerror=alert(1)></p>"))

    page = admin_client.get(f"/admin/tickets/inboundemail/{inbound.pk}/change/").content.decode()

    assert "Download .eml" in page and "onerror" not in page


def test_the_imap_password_is_write_only_and_stored_encrypted(admin_client):
    form = {
        "name": "Support",
        "host": "imap.example.test",
        "port": "993",
        "use_ssl": "on",
        "username": "support@example.test",
        "folder": "INBOX",
        "is_active": "on",
        "last_uid": "0",
        "password": "s3cret-imap",
    }

    response = admin_client.post("/admin/tickets/imapmailbox/add/", form)

    assert response.status_code == 302
    box = ImapMailbox.objects.get()
    assert "s3cret" not in box.password_encrypted
    assert decrypt_secret(box.password_encrypted) == "s3cret-imap"
    page = admin_client.get(f"/admin/tickets/imapmailbox/{box.pk}/change/").content.decode()
    assert "s3cret" not in page and box.password_encrypted not in page
    admin_client.post(f"/admin/tickets/imapmailbox/{box.pk}/change/", {**form, "password": ""})
    box.refresh_from_db()
    assert decrypt_secret(box.password_encrypted) == "s3cret-imap"  # empty keeps it


def test_a_template_with_unknown_placeholders_is_refused(admin_client):
    response = admin_client.post(
        "/admin/tickets/emailtemplate/add/",
        {
            "key": "ticket_created",
            "subject": "Hi {{ secret }}",
            "body_text": "x",
            "body_html": "",
            "is_active": "on",
        },
    )

    assert (
        response.status_code == 200
        and "Unknown placeholder(s): secret" in response.content.decode()
    )
