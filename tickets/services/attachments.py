"""Attachments: limits, content types sniffed from the bytes, per-tenant storage."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile

from panel1.exceptions import DomainError
from panel1.sniffing import sniff_content_type
from tickets.models import Attachment, Message
from tickets.scanning import ScannerUnavailable, scan_content
from tickets.services.attachment_policy import attachments_check_policy


class AttachmentTooLarge(DomainError):
    status_code = 413
    default_field = "attachments"


class AttachmentInfected(DomainError):
    """A file the malware scanner flagged: refused (API 422 naming the file)."""

    status_code = 422
    default_field = "attachments"


class AttachmentUnscanned(DomainError):
    """The scanner could not give a verdict and uploads fail closed."""

    status_code = 503
    default_field = "attachments"


@dataclass(frozen=True)
class AttachmentInput:
    filename: str
    content: bytes
    declared_content_type: str = ""
    inline: bool = False


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
    for item in inputs if scan else ():
        attachment_scan(item)
    return inputs


def attachment_scan(item: AttachmentInput) -> None:
    """Refuse a file the malware scanner flags (or cannot scan, unless failing open)."""
    name = clean_filename(item.filename)
    try:
        verdict = scan_content(item.content)
    except ScannerUnavailable as exc:
        raise AttachmentUnscanned(
            f"{name} could not be scanned for malware; try again later."
        ) from exc
    if not verdict.clean:
        raise AttachmentInfected(f"{name} contains malware ({verdict.signature}).")


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
    for item in inputs:
        _check_size(item.filename, len(item.content))
        attachment = Attachment(
            message=message,
            filename=clean_filename(item.filename),
            size=len(item.content),
            content_type=sniff_content_type(item.content),
            sha256=hashlib.sha256(item.content).hexdigest(),
            inline=item.inline,
        )
        attachment.file.save(attachment.filename, ContentFile(item.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored
