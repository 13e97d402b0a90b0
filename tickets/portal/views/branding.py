"""The tenant's logo, served by the app (media files are not public)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django_tenants.utils import get_public_schema_name, schema_context

from tickets.services.attachments import sniff_content_type

MAX_LOGO_BYTES = 2 * 1024 * 1024
IMAGE_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/svg+xml",
    "image/x-icon",
}


def _read_logo(name: str) -> bytes | None:
    # Uploaded in the tenant's own context (files under its prefix) or by the platform admin
    # (public prefix): look in both.
    from django.db import connection

    for schema in dict.fromkeys([connection.schema_name, get_public_schema_name()]):
        with schema_context(schema):
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as handle:
                    return handle.read(MAX_LOGO_BYTES + 1)
    return None


def _content_type(name: str, content: bytes) -> str:
    head = content[:512].lstrip().lower()
    if name.lower().endswith(".svg") and (head.startswith(b"<svg") or head.startswith(b"<?xml")):
        return "image/svg+xml"
    return sniff_content_type(content)


def logo(request):
    tenant = request.tenant
    if not tenant.logo:
        raise Http404("No logo.")
    content = _read_logo(tenant.logo.name)
    if content is None or len(content) > MAX_LOGO_BYTES:
        raise Http404("No logo.")
    content_type = _content_type(tenant.logo.name, content)
    if content_type not in IMAGE_TYPES:
        raise Http404("The logo is not an image.")
    response = HttpResponse(content, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # An SVG opened directly must not run scripts on the tenant's origin.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response
