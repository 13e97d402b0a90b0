"""Privacy requests: data exports and erasures of one person, each worked off by a job.

Export: `privacy_export_request` records the request and queues `privacy_export_build`, which
asks every registered contributor (panel1.privacy.registry) for the person's data and files
and writes one ZIP (data.json + files/). The download link is signed and expires after 24 h.

Erasure: `privacy_erasure_request` (two steps: the caller confirms; a person's own request
from the portal also waits for an admin's approval) queues `privacy_erasure_run`, which runs
every contributor's `erase` in one transaction: all or nothing, and rerunnable after a failure.
"""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile
from datetime import timedelta

from django.core import signing
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.accounts.models import Role, User
from panel1.audit.services import audit_record
from panel1.events import bus, names
from panel1.exceptions import Conflict, DomainError, NotFound
from panel1.jobs import enqueue
from panel1.privacy import registry
from panel1.privacy.models import (
    ClosedTicketAction,
    DataExport,
    Erasure,
    ErasureStatus,
    ExportStatus,
    RetentionPolicy,
    Source,
)
from panel1.privacy.pseudonyms import is_erased_email, pseudonym_name

logger = logging.getLogger(__name__)

EXPORT_TTL = timedelta(hours=24)
EXPORT_SCHEMA = "panel1.privacy.export/1"
SIGNING_SALT = "panel1.privacy.export-download"
OPEN_ERASURE = (ErasureStatus.AWAITING_APPROVAL, ErasureStatus.PENDING, ErasureStatus.RUNNING)


def person_get(*, email: str) -> User:
    """The tenant user with `email` (any role); 404 when there is none."""
    person = User.objects.filter(email__iexact=(email or "").strip()).first()
    if person is None:
        raise NotFound({"detail": [_("No person with this email address.")]})
    return person


# --- Exports ------------------------------------------------------------------------------


@transaction.atomic
def privacy_export_request(
    *, actor: User | None, email: str, source: str = Source.API, queue: bool = True
) -> DataExport:
    """Record an export of the person with `email` and queue its build (after commit), unless
    `queue` is false (the caller builds it at once: the management command)."""
    person = person_get(email=email)
    export = DataExport.objects.create(subject=person, requested_by=actor, source=source)
    audit_record(
        actor=actor,
        action="export_requested",
        target=export,
        details={"subject": str(person.pk), "source": source},
    )
    if queue:
        enqueue("panel1.privacy.tasks.privacy_export_build_task", str(export.pk))
    return export


def privacy_export_build(*, export_id: str) -> DataExport | None:
    """Build the export's ZIP. Claims the row first (pending -> running), so a redelivered
    job does nothing; a failure leaves the export `failed` with the reason."""
    claimed = DataExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        return None
    export = DataExport.objects.select_related("subject").get(pk=export_id)
    try:
        with tempfile.TemporaryFile() as archive:
            _write_zip(archive, export.subject)
            size = archive.tell()
            archive.seek(0)
            export.file.save("export.zip", File(archive), save=False)
    except Exception as exc:
        logger.exception("Export %s failed", export_id)
        return _export_finish(export, status=ExportStatus.FAILED, error=str(exc)[:300])
    export.size = size
    return _export_finish(export, status=ExportStatus.READY)


@transaction.atomic
def _export_finish(export: DataExport, *, status: str, error: str = "") -> DataExport:
    now = timezone.now()
    export.status, export.error, export.finished_at = status, error, now
    export.expires_at = now + EXPORT_TTL if status == ExportStatus.READY else None
    export.save(update_fields=["status", "error", "finished_at", "expires_at", "file", "size"])
    action = "export_completed" if status == ExportStatus.READY else "export_failed"
    audit_record(actor=None, action=action, target=export, details={"size": export.size})
    bus.emit(
        names.PRIVACY_EXPORT_COMPLETED,
        payload={
            "export_id": str(export.pk),
            "subject_id": str(export.subject_id),
            "source": export.source,
            "status": status,
            "size": export.size,
            "expires_at": export.expires_at.isoformat() if export.expires_at else None,
        },
    )
    return export


def _write_zip(archive, person: User) -> None:
    sections, names = {}, set()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for contributor in registry.contributors():
            part = contributor.export(person)
            sections[contributor.name] = part.data
            for name, fieldfile in part.files:
                arcname = _unique(f"files/{contributor.name}/{name}", names)
                with fieldfile.open("rb") as source, zf.open(arcname, "w") as target:
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
        document = {
            "schema": EXPORT_SCHEMA,
            "generated_at": timezone.now().isoformat(),
            "person": str(person.pk),
            "sections": sections,
            "files": sorted(names),
        }
        zf.writestr("data.json", json.dumps(document, indent=2, sort_keys=True, default=str))


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def export_signature(export: DataExport) -> str:
    return signing.TimestampSigner(salt=SIGNING_SALT).sign(str(export.pk))


class ExportLinkExpired(DomainError):
    status_code = 410


def export_for_download(*, export: DataExport, signature: str, user: User) -> DataExport:
    """The ready export a signed link names: 404 for a bad signature or someone else's export,
    410 once expired."""
    try:
        value = signing.TimestampSigner(salt=SIGNING_SALT).unsign(
            signature or "", max_age=EXPORT_TTL
        )
    except signing.SignatureExpired as exc:
        raise ExportLinkExpired({"detail": [_("This download link has expired.")]}) from exc
    except signing.BadSignature as exc:
        raise NotFound({"detail": [_("Not found.")]}) from exc
    allowed = user.role == Role.ADMIN or user.pk == export.subject_id
    if value != str(export.pk) or not allowed or export.status != ExportStatus.READY:
        raise NotFound({"detail": [_("Not found.")]})
    if export.expires_at and export.expires_at <= timezone.now():
        raise ExportLinkExpired({"detail": [_("This download link has expired.")]})
    return export


# --- Erasures -----------------------------------------------------------------------------


def _erasure_refusal(person: User) -> str | None:
    if (
        is_erased_email(person.email)
        or Erasure.objects.filter(subject=person, status=ErasureStatus.DONE).exists()
    ):
        return _("This person has already been erased.")
    if Erasure.objects.filter(subject=person, status__in=OPEN_ERASURE).exists():
        return _("An erasure of this person is already under way.")
    if person.role == Role.ADMIN and person.is_active:
        others = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=person.pk)
        if not others.exists():
            return _("The last active admin cannot be erased.")
    return None


def privacy_erasure_request(
    *, actor: User, email: str, confirm: bool, source: str = Source.API
) -> Erasure:
    """Record an erasure of the person with `email`: queued at once, or (a person's own
    request from the portal) waiting for an admin's approval. `confirm` must be true.

    A refusal (already erased, under way, the last admin) is audited in its own transaction,
    so the record survives the error the caller gets."""
    if confirm is not True:
        raise DomainError({"confirm": [_("Confirm the erasure: it cannot be undone.")]})
    person = person_get(email=email)
    try:
        return _erasure_create(actor=actor, person=person, source=source)
    except Conflict as exc:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="erasure_refused",
                target=person,
                details={"reason": " ".join(exc.errors.get("detail", []))},
            )
        raise


@transaction.atomic
def _erasure_create(*, actor: User, person: User, source: str) -> Erasure:
    # Serialize requests for one person (the unique constraint would also refuse a twin).
    User.objects.select_for_update().filter(pk=person.pk).first()
    refusal = _erasure_refusal(person)
    if refusal:
        raise Conflict({"detail": [refusal]})
    waiting = source == Source.PORTAL
    erasure = Erasure.objects.create(
        subject=person,
        requested_by=actor,
        source=source,
        status=ErasureStatus.AWAITING_APPROVAL if waiting else ErasureStatus.PENDING,
    )
    audit_record(
        actor=actor,
        action="erasure_requested",
        target=erasure,
        details={"subject": str(person.pk), "source": source},
    )
    if not waiting:
        enqueue("panel1.privacy.tasks.privacy_erasure_run_task", str(erasure.pk))
    return erasure


@transaction.atomic
def privacy_erasure_approve(*, actor: User, erasure: Erasure) -> Erasure:
    """Approve a waiting erasure (a person's own request) and queue it."""
    claimed = Erasure.objects.filter(pk=erasure.pk, status=ErasureStatus.AWAITING_APPROVAL).update(
        status=ErasureStatus.PENDING, approved_by=actor
    )
    if not claimed:
        raise Conflict({"detail": [_("Only an erasure awaiting approval can be approved.")]})
    audit_record(actor=actor, action="erasure_approved", target=erasure)
    enqueue("panel1.privacy.tasks.privacy_erasure_run_task", str(erasure.pk))
    erasure.refresh_from_db()
    return erasure


def privacy_erasure_run(*, erasure_id: str) -> Erasure | None:
    """Erase the person: every contributor in one transaction. Claims the row (pending ->
    running) so a redelivered job does nothing; a failure rolls everything back and leaves
    the erasure `failed`, to be requested again."""
    claimed = Erasure.objects.filter(pk=erasure_id, status=ErasureStatus.PENDING).update(
        status=ErasureStatus.RUNNING
    )
    if not claimed:
        return None
    erasure = Erasure.objects.select_related("subject").get(pk=erasure_id)
    try:
        return _erase(erasure)
    except Exception as exc:
        logger.exception("Erasure %s failed", erasure_id)
        with transaction.atomic():
            Erasure.objects.filter(pk=erasure.pk).update(
                status=ErasureStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
            )
            audit_record(actor=None, action="erasure_failed", target=erasure)
        erasure.refresh_from_db()
        return erasure


@transaction.atomic
def _erase(erasure: Erasure) -> Erasure:
    person = User.objects.select_for_update().get(pk=erasure.subject_id)
    if person.role == Role.ADMIN and person.is_active:
        others = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=person.pk)
        if not others.exists():
            raise Conflict({"detail": [_("The last active admin cannot be erased.")]})
    pseudonym = pseudonym_name(person.pk)
    counts = {}
    for contributor in registry.contributors():
        counts[contributor.name] = contributor.erase(person, pseudonym)
    erasure.status, erasure.counts, erasure.finished_at = (
        ErasureStatus.DONE,
        counts,
        timezone.now(),
    )
    erasure.save(update_fields=["status", "counts", "finished_at"])
    audit_record(actor=None, action="erasure_completed", target=erasure, details=counts)
    bus.emit(
        names.PRIVACY_ERASURE_COMPLETED,
        payload={
            "erasure_id": str(erasure.pk),
            "subject_id": str(person.pk),
            "pseudonym": pseudonym,
            "source": erasure.source,
            "counts": counts,
        },
    )
    return erasure


# --- Retention policy ---------------------------------------------------------------------

MAX_RETENTION_DAYS = 36500


@transaction.atomic
def retention_policy_update(*, actor: User, **values) -> RetentionPolicy:
    """Change the tenant's retention policy (days per kind, 0 = forever; what happens to
    closed tickets). Audited as `settings_changed` with section `retention`."""
    policy = RetentionPolicy.objects.select_for_update().order_by("pk").first() or RetentionPolicy()
    allowed = {*RetentionPolicy.DAY_FIELDS, "closed_ticket_action"}
    unknown = set(values) - allowed
    if unknown:
        raise DomainError({field: [_("Unknown setting.")] for field in sorted(unknown)})
    errors = {}
    for field in RetentionPolicy.DAY_FIELDS:
        if field in values and not (0 <= int(values[field]) <= MAX_RETENTION_DAYS):
            errors[field] = [_("Between 0 and 36500 days.")]
    action = values.get("closed_ticket_action", policy.closed_ticket_action)
    if action not in ClosedTicketAction.values:
        errors["closed_ticket_action"] = [_("Anonymise or delete.")]
    if errors:
        raise DomainError(errors)
    changes = {}
    for field, value in values.items():
        if getattr(policy, field) != value:
            changes[field] = [getattr(policy, field), value]
            setattr(policy, field, value)
    policy.save()
    if changes:
        audit_record(
            actor=actor,
            action="settings_changed",
            target=policy,
            details={"section": "retention", **changes},
        )
    return policy
