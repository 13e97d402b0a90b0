"""The one way an attachment leaves the server, shared by the API, the desk and the portal.

Callers decide visibility first (`Message.objects.visible_to(user)`); this builds the response.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse

from tickets.models import Attachment
from tickets.thumbnails import preview_bytes


def attachment_response(attachment: Attachment) -> FileResponse:
    """A download (never rendered inline) that browsers may not sniff or run as a page."""
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
    preview = preview_bytes(attachment, size=size)
    if preview is None:
        raise Http404("No preview.")
    data, content_type = preview
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response
