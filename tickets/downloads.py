"""The one way an attachment leaves the server, shared by the API, the desk and the portal.

Callers decide visibility first (`Message.objects.visible_to(user)`); this builds the response.
A file still waiting for its malware scan is held: customers never get it, staff only when
`ATTACHMENT_SCAN_FAIL_OPEN` is on; a quarantined file is gone for everyone.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _

from tickets.models import Attachment, ScanStatus
from tickets.scanning import fail_open
from tickets.thumbnails import preview_bytes


def attachment_refusal(attachment: Attachment, user=None) -> str | None:
    """Why `user` may not download `attachment` now (None: they may)."""
    if attachment.scan_status == ScanStatus.INFECTED:
        return _("%(name)s was quarantined by the malware scanner.") % {"name": attachment.filename}
    if attachment.scan_status == ScanStatus.PENDING:
        staff = user is not None and getattr(user, "is_helpdesk_staff", False)
        if not (staff and fail_open()):
            return _("%(name)s is waiting for a malware scan; try again later.") % {
                "name": attachment.filename
            }
    return None


def attachment_response(attachment: Attachment, *, user=None) -> FileResponse:
    """A download (never rendered inline) that browsers may not sniff or run as a page;
    404 for a file held by the malware scanner."""
    refusal = attachment_refusal(attachment, user)
    if refusal:
        raise Http404(refusal)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def attachment_preview_response(attachment: Attachment, size: str) -> HttpResponse:
    """A re-encoded thumbnail ("thumb") or screen-sized view ("view") of an image; 404 for
    anything else (not an image, not decodable safely, an unknown size)."""
    if attachment_refusal(attachment):  # held by the malware scanner: no preview for anyone
        raise Http404("No preview.")
    preview = preview_bytes(attachment, size=size)
    if preview is None:
        raise Http404("No preview.")
    data, content_type = preview
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response
