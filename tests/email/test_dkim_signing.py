"""Outbound DKIM signing with the tenant's key: the bytes a real SMTP server receives verify
with dkimpy against the DNS record we tell the admin to publish."""

from __future__ import annotations

import dkim
import pytest
from django.core.management import call_command

from panel1.audit.models import AuditEntry
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TicketFactory
from tickets.email.dkim_signing import dkim_dns_record, dkim_key_generate, dkim_signer
from tickets.models import DkimKey

pytestmark = pytest.mark.django_db


def dns_of(key: DkimKey):
    name, value = dkim_dns_record(key)

    def lookup(qname, timeout=5):
        asked = qname.decode().rstrip(".") if isinstance(qname, bytes) else qname.rstrip(".")
        return value.encode() if asked == name else None

    return lookup


def test_a_generated_key_is_encrypted_at_rest_and_audited(tenant):
    admin = AdminFactory()
    key = dkim_key_generate(actor=admin, domain="Acme.Example", selector="s2026")

    assert (key.domain, key.selector) == ("acme.example", "s2026")
    assert key.private_key_encrypted.startswith("enc1:")
    assert "PRIVATE KEY" not in key.private_key_encrypted
    assert b"PRIVATE KEY" in dkim_signer().private_key
    assert "PRIVATE" not in repr(dkim_signer())
    name, value = dkim_dns_record(key)
    assert name == "s2026._domainkey.acme.example"
    assert value.startswith("v=DKIM1; k=rsa; p=MII")
    entry = AuditEntry.objects.get(action="settings_changed", target_id=str(key.pk))
    assert entry.details == {"section": "dkim", "domain": "acme.example", "selector": "s2026"}

    newer = dkim_key_generate(actor=admin, domain="acme.example")
    assert list(DkimKey.objects.filter(is_active=True)) == [newer]


def test_notifications_are_signed_and_verify_with_the_published_record(
    tenant, smtp, run_on_commit, support_address
):
    key = dkim_key_generate(actor=None, domain="acme.example", selector="p1")
    customer = CustomerFactory(name="Carol Customer")
    with run_on_commit():
        TicketFactory(requester=customer, subject="Printer jammed ünïcode")

    [mail] = smtp.to(customer.email)
    assert "d=acme.example" in mail["DKIM-Signature"] and "s=p1" in mail["DKIM-Signature"]
    assert dkim.verify(mail.data, dnsfunc=dns_of(key))
    # Any change in transit breaks it.
    assert not dkim.verify(mail.data.replace(b"Carol", b"Karol"), dnsfunc=dns_of(key))


def test_without_a_key_or_with_signing_off_mail_is_unsigned(
    tenant, smtp, run_on_commit, settings, support_address
):
    customer = CustomerFactory()
    with run_on_commit():
        TicketFactory(requester=customer)
    dkim_key_generate(actor=None, domain="acme.example")
    settings.EMAIL_DKIM_SIGNING = False
    with run_on_commit():
        TicketFactory(requester=customer)
    assert [m["DKIM-Signature"] for m in smtp.to(customer.email)] == [None, None]


def test_the_command_prints_the_dns_record(tenant, capsys):
    call_command("dkim_key", "--schema", tenant.schema_name, "--domain", "acme.example")
    first = capsys.readouterr().out
    key = DkimKey.objects.get()
    assert first.startswith(f"{key.selector}._domainkey.acme.example. IN TXT (")
    assert key.public_key[:200] in first.replace('" "', "")
    call_command("dkim_key", "--schema", tenant.schema_name)  # shows the same key again
    assert DkimKey.objects.count() == 1 and capsys.readouterr().out == first
    call_command("dkim_key", "--schema", tenant.schema_name, "--new")
    assert DkimKey.objects.filter(is_active=True).count() == 1 and DkimKey.objects.count() == 2


def test_the_admin_email_screen_makes_a_key_and_shows_the_record(tenant, tenant_client):
    client = tenant_client(AdminFactory())
    page = client.get("/desk/admin/email/").content.decode()
    assert "No key yet" in page

    made = client.post("/desk/admin/email/dkim/", {"domain": "acme.example", "selector": "desk"})
    assert made.status_code == 302
    page = client.get("/desk/admin/email/").content.decode()
    key = DkimKey.objects.get()
    assert "desk._domainkey.acme.example" in page and key.public_key in page

    bad = client.post("/desk/admin/email/dkim/", {"domain": "not a domain", "selector": "x y"})
    assert bad.status_code == 400
    assert "Enter the mail domain" in bad.content.decode()
    assert DkimKey.objects.count() == 1
    assert tenant_client(AgentFactory()).post("/desk/admin/email/dkim/").status_code in (302, 403)
