"""Reads of privacy requests shared by the desk, the portal and the API."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from panel1.accounts.models import User
from panel1.privacy.models import DataExport, Erasure, ErasureStatus, ExportStatus


def export_list_for_person(person: User, *, limit: int = 10) -> list[DataExport]:
    return list(DataExport.objects.filter(subject=person).order_by("-created_at")[:limit])


def erasure_open_for_person(person: User) -> Erasure | None:
    return (
        Erasure.objects.filter(subject=person)
        .exclude(status__in=[ErasureStatus.FAILED])
        .order_by("-created_at")
        .first()
    )


def export_download_path(export: DataExport) -> str | None:
    """The signed download path of a ready export (the caller must also be signed in)."""
    from panel1.privacy.services import export_signature

    if export.status != ExportStatus.READY:
        return None
    path = reverse("privacy-api:export-download", kwargs={"pk": export.pk})
    return f"{path}?signature={export_signature(export)}"


def privacy_requests_recent(*, limit: int = 50) -> tuple[QuerySet, QuerySet]:
    exports = DataExport.objects.select_related("subject", "requested_by").order_by("-created_at")
    erasures = Erasure.objects.select_related("subject", "requested_by").order_by("-created_at")
    return exports[:limit], erasures[:limit]
