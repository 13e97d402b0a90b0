"""The per-tenant attachment policy and the image previews, at the service and API level."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from panel1.audit.models import AuditEntry
from panel1.exceptions import DomainError
from tests.factories import AdminFactory, CustomerFactory, TicketFactory
from tickets import services
from tickets.models import Attachment, AttachmentPolicy
from tickets.services.attachment_policy import (
    AttachmentBlocked,
    attachment_blocked_reason,
    attachment_policy_update,
)
from tickets.services.attachments import AttachmentInput
from tickets.thumbnails import render_preview

pytestmark = pytest.mark.django_db

# A minimal Windows program header: "MZ", then "PE\0\0" where e_lfanew points.
PE_BYTES = b"MZ" + b"\x90" * 58 + b"\x40\x00\x00\x00" + b"PE\x00\x00" + b"\x00" * 200


def png_bytes(width=40, height=30, mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "red").save(out, format="PNG")
    return out.getvalue()


def test_executables_and_scripts_are_blocked_by_default(tenant):
    assert "exe" in AttachmentPolicy().blocked_extensions
    assert attachment_blocked_reason("setup.EXE", b"x") == (
        "setup.EXE is not accepted: .exe files are blocked here."
    )
    assert attachment_blocked_reason("run.ps1", b"Write-Host hi")
    assert attachment_blocked_reason("report.pdf", b"%PDF-1.7 ...") is None


def test_a_renamed_program_is_recognised_by_its_bytes(tenant):
    reason = attachment_blocked_reason("invoice.pdf", PE_BYTES)
    assert reason == "invoice.pdf is not accepted: it is a program (.exe), which is blocked here."
    assert attachment_blocked_reason("notes.txt", b"MZ is how this text starts") is None


def test_the_admin_edits_the_list_and_it_is_audited(tenant):
    admin = AdminFactory()
    attachment_policy_update(actor=admin, blocked_extensions=".EXE, *.js  zip")

    assert AttachmentPolicy.objects.get().blocked_extensions == ["exe", "js", "zip"]
    assert attachment_blocked_reason("archive.zip", b"PK\x03\x04") is not None
    assert attachment_blocked_reason("run.bat", b"echo") is None
    entry = AuditEntry.objects.get(action="attachment_policy.updated")
    assert "bat" in entry.details["removed"] and entry.details["added"] == ["zip"]


def test_an_empty_list_accepts_everything_and_bad_entries_are_refused(tenant):
    admin = AdminFactory()
    attachment_policy_update(actor=admin, blocked_extensions=[])
    assert attachment_blocked_reason("setup.exe", PE_BYTES) is None
    with pytest.raises(DomainError) as exc:
        attachment_policy_update(actor=admin, blocked_extensions="exe ../etc")
    assert "blocked_extensions" in exc.value.errors


def test_prepare_refuses_the_whole_upload_naming_each_blocked_file(tenant):
    files = [
        AttachmentInput(filename="ok.txt", content=b"fine"),
        AttachmentInput(filename="a.exe", content=b"x"),
        AttachmentInput(filename="b.vbs", content=b"y"),
    ]
    with pytest.raises(AttachmentBlocked) as exc:
        services.attachments_prepare(files)
    assert len(exc.value.errors["attachments"]) == 2


def test_api_answers_400_with_a_field_error_and_saves_nothing(tenant, api_client):
    customer = CustomerFactory()
    ticket = TicketFactory(requester=customer)
    response = api_client(customer).post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"content": "see file", "attachments": [SimpleUploadedFile("tool.exe", PE_BYTES)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["attachments"] == [
        "tool.exe is not accepted: .exe files are blocked here."
    ]
    assert ticket.messages.count() == 1
    assert not Attachment.objects.exists()


def test_api_new_ticket_with_a_blocked_file_is_not_created(tenant, api_client):
    customer = CustomerFactory()
    response = api_client(customer).post(
        "/api/v1/tickets/",
        {"subject": "s", "content": "c", "attachments": [SimpleUploadedFile("x.js", b"alert(1)")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "attachments" in response.json()


def test_previews_are_reencoded_and_fit_the_box():
    data, content_type = render_preview(png_bytes(800, 400), "PNG", 240)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (240, 120)
        assert image.format == "JPEG"
    assert content_type == "image/jpeg"
    _data, alpha_type = render_preview(png_bytes(10, 10, "RGBA"), "PNG", 240)
    assert alpha_type == "image/png"


def test_a_decompression_bomb_gets_no_preview():
    # A 1-bit PNG that declares 12000 x 12000 pixels (144 megapixels) in a few hundred bytes.
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, format="PNG")
    assert len(out.getvalue()) < 100_000
    assert render_preview(out.getvalue(), "PNG", 240) is None


def test_bytes_that_are_not_the_sniffed_format_get_no_preview():
    assert render_preview(b"<svg onload=alert(1)>", "PNG", 240) is None
    assert render_preview(png_bytes()[:30], "PNG", 240) is None
