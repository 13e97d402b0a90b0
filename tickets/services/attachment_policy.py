"""The per-tenant file-type policy of attachments: read it, check a file against it, edit it.

A file is refused when its name's extension is on the tenant's list, or when its bytes are an
executable of a kind the list blocks (a Windows program renamed to `invoice.pdf` is still a
Windows program). Every channel applies the same check: the desk, the portal and the API
through `attachments_prepare`, mail ingest through `attachment_blocked_reason` (the file is
left out with a note, the mail is kept).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from panel1 import tenant_cache
from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.exceptions import DomainError
from panel1.sniffing import sniff_content_type
from tickets.models import AttachmentPolicy

MAX_EXTENSIONS = 200
POLICY_CACHE_KEY = "tickets:attachment-policy:v1"
_EXTENSION = re.compile(r"^[a-z0-9][a-z0-9_+-]{0,19}$")

# Executable formats recognised by their bytes, mapped to the extension that stands for them:
# blocking that extension blocks the bytes under any name.
EXECUTABLE_TYPES = {
    "application/x-dosexec": "exe",
    "application/x-msdownload": "exe",
    "application/vnd.microsoft.portable-executable": "exe",
    "application/x-ms-installer": "msi",
    "application/x-msi": "msi",
    "application/x-executable": "elf",
    "application/x-elf": "elf",
    "application/x-sharedlib": "so",
    "application/x-mach-binary": "app",
    "application/x-mach-o-executable": "app",
    "application/x-sh": "sh",
    "text/x-shellscript": "sh",
}
# Signatures puremagic does not name reliably enough on their own.
_MAGIC = ((b"MZ", "exe"), (b"\x7fELF", "elf"), (b"#!", "sh"))


class AttachmentBlocked(DomainError):
    """A file type the tenant's policy refuses (API 400 on `attachments`)."""

    default_field = "attachments"


def attachment_policy_get() -> AttachmentPolicy:
    """The tenant's policy (the defaults until an admin edits it)."""
    policy = AttachmentPolicy.objects.filter(pk=1).first()
    return policy or AttachmentPolicy(pk=1)


def blocked_extensions() -> frozenset[str]:
    """The blocked extensions, kept per process while the tenant's configuration version
    holds (`panel1.tenant_cache`; `attachment_policy_update` sets a new one)."""
    return tenant_cache.cached(POLICY_CACHE_KEY, _blocked_extensions_load)


def _blocked_extensions_load() -> frozenset[str]:
    return frozenset(attachment_policy_get().blocked_extensions)


def attachment_blocked_reason(
    filename: str, content: bytes, *, blocked: frozenset[str] | None = None
) -> str | None:
    """Why `filename` with `content` may not be stored, as a sentence; None when it may."""
    blocked = blocked_extensions() if blocked is None else blocked
    if not blocked:
        return None
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in blocked:
        return _("%(name)s is not accepted: .%(ext)s files are blocked here.") % {
            "name": filename,
            "ext": extension,
        }
    kind = _executable_kind(content)
    if kind and kind in blocked:
        return _("%(name)s is not accepted: it is a program (.%(ext)s), which is blocked here.") % {
            "name": filename,
            "ext": kind,
        }
    return None


def _executable_kind(content: bytes) -> str | None:
    for signature, kind in _MAGIC:
        if content.startswith(signature):
            if kind == "exe" and b"PE\x00\x00" not in content[:1024]:
                continue  # "MZ" alone is also how some text starts
            return kind
    return EXECUTABLE_TYPES.get(sniff_content_type(content[:8192]))


def attachments_check_policy(items) -> None:
    """Refuse the whole upload when any file is blocked (nothing is saved); one error per file."""
    blocked = blocked_extensions()
    problems = [
        reason
        for item in items
        if (reason := attachment_blocked_reason(item.filename, item.content, blocked=blocked))
    ]
    if problems:
        raise AttachmentBlocked({"attachments": problems})


def normalize_extensions(values) -> list[str]:
    """Lower-case extensions without dots, sorted, unique; DomainError naming bad entries."""
    if isinstance(values, str):
        values = re.split(r"[\s,;]+", values)
    cleaned: set[str] = set()
    bad: list[str] = []
    for value in values or ():
        ext = str(value).strip().lower().lstrip("*").lstrip(".")
        if not ext:
            continue
        if _EXTENSION.match(ext):
            cleaned.add(ext)
        else:
            bad.append(str(value)[:30])
    if bad:
        message = _("Not a file extension: %(values)s.") % {"values": ", ".join(bad)}
        raise DomainError({"blocked_extensions": [message]})
    if len(cleaned) > MAX_EXTENSIONS:
        message = _("At most %(n)d extensions.") % {"n": MAX_EXTENSIONS}
        raise DomainError({"blocked_extensions": [message]})
    return sorted(cleaned)


@transaction.atomic
def attachment_policy_update(
    *, actor: User | Actor | None, blocked_extensions: list[str] | str
) -> AttachmentPolicy:
    """Replace the tenant's list of blocked extensions; audit what was added and removed."""
    wanted = normalize_extensions(blocked_extensions)
    policy, _created = AttachmentPolicy.objects.select_for_update().get_or_create(pk=1)
    before = set(policy.blocked_extensions)
    if set(wanted) == before and not _created:
        return policy
    policy.blocked_extensions = wanted
    policy.save()
    tenant_cache.bump()
    audit_record(
        actor=actor,
        action="attachment_policy.updated",
        target=policy,
        details={
            "added": sorted(set(wanted) - before),
            "removed": sorted(before - set(wanted)),
        },
    )
    return policy
