"""Attachments: limits, content types sniffed from the bytes, per-tenant storage."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.db_writes import write_together
from panel1.events import bus
from panel1.exceptions import DomainError
from panel1.jobs import enqueue
from panel1.sniffing import sniff_content_type
from tickets.models import Attachment, Message, ScanStatus
from tickets.scanning import scan_or_defer, scanning_enabled
from tickets.services.attachment_policy import attachments_check_policy


class AttachmentTooLarge(DomainError):
    status_code = 413
    default_field = "attachments"


class AttachmentInfected(DomainError):
    """A file the malware scanner flagged: refused (API 422 naming the file)."""

    status_code = 422
    default_field = "attachments"


@dataclass(frozen=True)
class AttachmentInput:
    filename: str
    content: bytes
    declared_content_type: str = ""
    inline: bool = False
    # The malware scanner's verdict (ScanStatus): "pending" files are stored but held.
    scan_status: str = ScanStatus.CLEAN


_UNSAFE_NAME = re.compile(r"[^\w.\- ()\[\]+@]+", re.UNICODE)


def clean_filename(name: str, *, fallback: str = "attachment") -> str:
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")[:200]
    return name or fallback


def attachments_prepare(
    files, *, scan: bool = True, check_policy: bool = True
) -> list[AttachmentInput]:
    """Read uploaded files into inputs, enforcing per-file and per-message limits first, then
    the tenant's file-type policy, then scanning each for malware (`scan=False`,
    `check_policy=False`: the caller did that already)."""
    inputs: list[AttachmentInput] = []
    total = 0
    for upload in files:
        size = getattr(upload, "size", None)
        if size is None:
            size = len(upload.content)
        _check_size(upload_name(upload), size)
        total += size
        if total > settings.ATTACHMENT_MAX_MESSAGE_SIZE:
            raise AttachmentTooLarge(
                f"Attachments of one message may total at most "
                f"{settings.ATTACHMENT_MAX_MESSAGE_SIZE} bytes."
            )
        if isinstance(upload, AttachmentInput):
            inputs.append(upload)
        else:
            inputs.append(
                AttachmentInput(
                    filename=upload.name,
                    content=upload.read(),
                    declared_content_type=getattr(upload, "content_type", "") or "",
                )
            )
    if check_policy and inputs:
        attachments_check_policy(inputs)
    if scan:
        inputs = [attachment_scan(item) for item in inputs]
    return inputs


def attachment_scan(item: AttachmentInput) -> AttachmentInput:
    """Refuse a file the malware scanner flags; one it could not scan (or that is scanned
    asynchronously) comes back marked pending, to be stored held and rescanned."""
    verdict = scan_or_defer(item.content)
    if verdict.infected:
        name = clean_filename(item.filename)
        raise AttachmentInfected(f"{name} contains malware ({verdict.signature}).")
    return replace(item, scan_status=verdict.status)


def upload_name(upload) -> str:
    return getattr(upload, "filename", None) or getattr(upload, "name", "") or "attachment"


def _check_size(name: str, size: int) -> None:
    if size > settings.ATTACHMENT_MAX_FILE_SIZE:
        raise AttachmentTooLarge(
            f"{clean_filename(name)} is {size} bytes; the limit is "
            f"{settings.ATTACHMENT_MAX_FILE_SIZE} bytes per file."
        )


def attachments_store(*, message: Message, inputs: list[AttachmentInput]) -> list[Attachment]:
    stored = []
    scanned_at = timezone.now() if scanning_enabled() else None
    for item in inputs:
        _check_size(item.filename, len(item.content))
        attachment = Attachment(
            message=message,
            filename=clean_filename(item.filename),
            size=len(item.content),
            content_type=sniff_content_type(item.content),
            sha256=hashlib.sha256(item.content).hexdigest(),
            inline=item.inline,
            scan_status=item.scan_status,
            scanned_at=scanned_at if item.scan_status == ScanStatus.CLEAN else None,
        )
        attachment.file.save(attachment.filename, ContentFile(item.content), save=False)
        stored.append(attachment)
    # One INSERT for the message's files (bulk_create's rows, its text compiled once), or
    # the rows go in with the open event batch's (nothing reads them before its end).
    if bus.batch_open():
        for attachment in stored:
            bus.defer_insert(attachment)
    else:
        write_together({Attachment: stored})
    pending = [str(a.pk) for a in stored if a.scan_status == ScanStatus.PENDING]
    if pending:
        # Scanned by a job after commit; the schedule retries while the scanner is down.
        enqueue("tickets.scan_jobs.attachments_rescan_task", pending)
        if not getattr(settings, "ATTACHMENT_SCAN_ASYNC", False):
            audit_record(
                actor=Actor.system(),
                action="attachment_scan_deferred",
                target=message,
                details={"attachments": pending, "reason": "the scanner gave no verdict"},
            )
    return stored
