"""Files held "pending scan": the rescan job that gives them a verdict.

A file is stored pending when the scanner was down or slow (tickets.scanning.scan_or_defer)
or scanning is asynchronous (`ATTACHMENT_SCAN_ASYNC`). The job runs after the upload commits
and on the `tickets.attachment_rescan` schedule (every 5 minutes, only for tenants with a
pending file): a clean file becomes downloadable; an infected one is quarantined (its bytes
deleted from storage, the row kept with the signature) with a staff-only note on the ticket.
While the scanner stays down the files stay pending and the next run tries again.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.privacy.files import delete_after_commit
from tickets.models import Attachment, MessageType, ScanStatus
from tickets.scanning import ScannerUnavailable, scan_content
from tickets.services import message_add

logger = logging.getLogger(__name__)

BATCH = 200


def attachments_rescan(*, ids: list[str] | None = None, limit: int = BATCH) -> dict[str, int]:
    """Scan pending files (all, or those of `ids`), oldest first; answers the counts of
    verdicts. Stops at the first file the scanner cannot answer for (it is down)."""
    pending = Attachment.objects.filter(scan_status=ScanStatus.PENDING)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    counts = {"clean": 0, "infected": 0, "pending": 0}
    batch = list(pending.select_related("message__ticket").order_by("created_at")[:limit])
    for index, attachment in enumerate(batch):
        try:
            verdict = attachment_rescan(attachment)
        except ScannerUnavailable as exc:
            logger.warning("Rescan stopped, the scanner is unavailable: %s", exc)
            counts["pending"] += len(batch) - index
            break
        counts[verdict] += 1
    return counts


def attachment_rescan(attachment: Attachment) -> str:
    """Scan one pending file and record the verdict (`clean`, `infected`, or `pending` when
    another run got there first). Raises ScannerUnavailable when there is no verdict."""
    with attachment.file.open("rb") as handle:
        content = handle.read()
    verdict = scan_content(content)
    if verdict.clean:
        done = Attachment.objects.filter(pk=attachment.pk, scan_status=ScanStatus.PENDING).update(
            scan_status=ScanStatus.CLEAN, scanned_at=timezone.now()
        )
        return "clean" if done else "pending"
    return "infected" if attachment_quarantine(attachment, verdict.signature) else "pending"


@transaction.atomic
def attachment_quarantine(attachment: Attachment, signature: str) -> bool:
    """Mark the file infected, delete its bytes after commit and note it on the ticket."""
    row = (
        Attachment.objects.select_for_update()
        .filter(pk=attachment.pk, scan_status=ScanStatus.PENDING)
        .first()
    )
    if row is None:
        return False
    delete_after_commit(row.file)
    Attachment.objects.filter(pk=row.pk).update(
        scan_status=ScanStatus.INFECTED,
        scan_signature=(signature or "")[:200],
        scanned_at=timezone.now(),
        file="",
    )
    audit_record(
        actor=Actor.system(),
        action="attachment_quarantined",
        target=row,
        details={"signature": (signature or "")[:200], "ticket": str(row.message.ticket_id)},
    )
    message_add(
        ticket=attachment.message.ticket,
        actor=Actor.system(),
        message_type=MessageType.SYSTEM,
        content=(
            f"{row.filename} was quarantined: a malware scan found {signature or 'malware'}. "
            "The file was deleted and cannot be downloaded."
        ),
    )
    return True


def attachments_rescan_task(ids: list[str] | None = None) -> dict[str, int]:
    return attachments_rescan(ids=ids)


def rescan_due(now):
    """Fan-out due check: tenants with a file waiting for a verdict."""
    return Attachment.objects.filter(scan_status=ScanStatus.PENDING)
