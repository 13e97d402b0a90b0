"""The one way an attachment leaves the server, shared by the API, the desk and the portal.

Callers decide visibility first (`Message.objects.visible_to(user)`); this builds the response.
"""

from __future__ import annotations

from django.http import FileResponse

from tickets.models import Attachment


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
