"""Attachments in the desk: the file-type policy on replies and in the admin area, image
thumbnails and the viewer's previews, drop-and-paste wiring."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.desk.conftest import HTMX
from tickets import services
from tickets.models import Attachment, AttachmentPolicy, MessageType

pytestmark = pytest.mark.django_db


def png(width=600, height=300) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "blue").save(out, format="PNG")
    return out.getvalue()


def reply(client, ticket, files, **extra):
    data = {"content": "See attached", "internal": "", "confirm": "on", "attachments": files}
    return client.post(f"/desk/tickets/{ticket.number}/reply/", data, **extra)


def test_a_blocked_file_is_refused_with_a_clear_message_and_nothing_sent(desk, ticket):
    response = reply(desk, ticket, [SimpleUploadedFile("fix.bat", b"del *.*")], **HTMX)

    assert response.status_code == 200
    assert "fix.bat is not accepted: .bat files are blocked here." in response.content.decode()
    assert not ticket.messages.filter(message_type=MessageType.STAFF_REPLY).exists()


def test_an_allowed_image_is_stored_and_shown_as_a_thumbnail(
    desk, ticket, django_assert_max_num_queries
):
    reply(desk, ticket, [SimpleUploadedFile("screen.png", png())])
    attachment = Attachment.objects.get()

    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert f'/desk/attachments/{attachment.pk}/thumb/"' in page
    assert f'href="/desk/attachments/{attachment.pk}/view/" data-viewer' in page
    assert "js/attachments.js" in page
    assert 'data-drop-hint="Drop files here' in page

    with django_assert_max_num_queries(8):
        thumb = desk.get(f"/desk/attachments/{attachment.pk}/thumb/")
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"
    assert thumb["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) == 240
    assert desk.get(f"/desk/attachments/{attachment.pk}/view/").status_code == 200
    assert desk.get(f"/desk/attachments/{attachment.pk}/huge/").status_code == 404


def test_previews_follow_ticket_visibility_and_skip_non_images(
    tenant_client, ticket, agent, customer
):
    message = services.message_add(
        ticket=ticket,
        actor=agent,
        content="note",
        message_type=MessageType.INTERNAL_NOTE,
        attachments=services.attachments_prepare(
            [SimpleUploadedFile("a.png", png()), SimpleUploadedFile("b.txt", b"text")]
        ),
    )
    image, text = message.attachments.order_by("filename")
    client = tenant_client(agent)
    assert client.get(f"/desk/attachments/{image.pk}/thumb/").status_code == 200
    assert client.get(f"/desk/attachments/{text.pk}/thumb/").status_code == 404
    # Customers never reach the desk; the portal's own download route follows the ticket.
    assert tenant_client(customer).get(f"/desk/attachments/{image.pk}/thumb/").status_code in (
        302,
        403,
        404,
    )


def test_admin_edits_the_policy_in_the_admin_area(
    tenant_client, admin_user, django_assert_max_num_queries
):
    client = tenant_client(admin_user)
    overview = client.get("/desk/admin/").content.decode()
    assert "/desk/admin/attachments/" in overview
    with django_assert_max_num_queries(16):
        page = client.get("/desk/admin/attachments/")
    assert page.status_code == 200
    assert "exe" in page.content.decode()

    response = client.post("/desk/admin/attachments/", {"blocked_extensions": "exe, zip"})
    assert response.status_code == 302
    assert AttachmentPolicy.objects.get().blocked_extensions == ["exe", "zip"]

    bad = client.post("/desk/admin/attachments/", {"blocked_extensions": "exe ../x"})
    assert bad.status_code == 400
    assert "Not a file extension" in bad.content.decode()

    client.post("/desk/admin/attachments/", {"blocked_extensions": "", "restore_defaults": "on"})
    assert "bat" in AttachmentPolicy.objects.get().blocked_extensions


def test_agents_may_not_edit_the_policy(desk):
    assert desk.get("/desk/admin/attachments/").status_code == 403
