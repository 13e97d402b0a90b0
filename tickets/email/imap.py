"""IMAP polling: fetch new mail of a tenant's mailbox into the ingest service (imaplib).

New mail is found by UID (above the last UID seen, per UIDVALIDITY); each message is stored
and processed, then the mailbox's last UID advances, one message at a time, so a crash in
between re-fetches at most one message, which deduplication then absorbs. Messages are read
with BODY.PEEK[] and flagged \\Seen once stored; nothing is deleted from the mailbox.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl

from django.utils import timezone

from panel1.crypto import rotate_value
from panel1.events import bus
from tickets.email.crypto import decrypt_secret, encrypt_secret
from tickets.email.ingest import inbound_max_bytes, inbound_receive
from tickets.models import ImapMailbox

logger = logging.getLogger(__name__)

MAX_PER_POLL = 200
TIMEOUT_SECONDS = 30
_UIDVALIDITY_RE = re.compile(rb"UIDVALIDITY (\d+)")
_SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapError(Exception):
    pass


def mailbox_set_password(*, mailbox: ImapMailbox, password: str) -> None:
    """Store the mailbox password encrypted (panel1.crypto: FIELD_ENCRYPTION_KEYS)."""
    mailbox.password_encrypted = encrypt_secret(password)
    mailbox.save(update_fields=["password_encrypted"])


def mailbox_passwords_rotate() -> int:
    """Re-encrypt every stored IMAP password with the newest key (rotate_field_keys)."""
    count = 0
    for mailbox in ImapMailbox.objects.exclude(password_encrypted="").only(
        "pk", "password_encrypted"
    ):
        ImapMailbox.objects.filter(pk=mailbox.pk).update(
            password_encrypted=rotate_value(mailbox.password_encrypted)
        )
        count += 1
    return count


def imap_poll_all() -> int:
    total = 0
    for mailbox in ImapMailbox.objects.filter(is_active=True).order_by("pk"):
        total += imap_poll(mailbox=mailbox)
    return total


def imap_poll(*, mailbox: ImapMailbox, limit: int = MAX_PER_POLL) -> int:
    """Fetch and ingest new messages; answers how many were ingested. Errors are recorded."""
    ingested = 0
    try:
        client = _connect(mailbox)
        try:
            ingested = _poll(client, mailbox, limit)
        finally:
            _logout(client)
    except (OSError, imaplib.IMAP4.error, ImapError, ssl.SSLError) as exc:
        logger.warning("IMAP poll of %s failed: %s", mailbox, exc)
        mailbox.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    else:
        mailbox.last_error = ""
    mailbox.last_polled_at = timezone.now()
    mailbox.save(update_fields=["last_error", "last_polled_at"])
    return ingested


def _connect(mailbox: ImapMailbox) -> imaplib.IMAP4:
    if mailbox.use_ssl:
        client = imaplib.IMAP4_SSL(
            mailbox.host,
            mailbox.port,
            ssl_context=ssl.create_default_context(),
            timeout=TIMEOUT_SECONDS,
        )
    else:
        client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
    client.login(mailbox.username, decrypt_secret(mailbox.password_encrypted))
    return client


def _logout(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        client.logout()


def _poll(client: imaplib.IMAP4, mailbox: ImapMailbox, limit: int) -> int:
    status, _data = client.select(_quote(mailbox.folder))
    if status != "OK":
        raise ImapError(f"cannot open folder {mailbox.folder!r}")
    uidvalidity = _uidvalidity(client, mailbox.folder)
    if uidvalidity is not None and uidvalidity != mailbox.uidvalidity:
        # A new UIDVALIDITY invalidates every UID we remember: start over (dedup absorbs).
        mailbox.uidvalidity = uidvalidity
        mailbox.last_uid = 0
        mailbox.save(update_fields=["uidvalidity", "last_uid"])
    status, data = client.uid("SEARCH", None, f"UID {mailbox.last_uid + 1}:*")
    if status != "OK":
        raise ImapError("UID SEARCH failed")
    # "n:*" always matches the highest UID, even when it is below n.
    uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > mailbox.last_uid)
    ingested = 0
    # The poll's mails have their notifications and other after-commit work run together.
    with bus.dispatch_together():
        for uid in uids[:limit]:
            fetched = _fetch(client, uid)
            if fetched is not None:
                raw, size = fetched
                inbound_receive(
                    raw=raw, source="imap", envelope_recipient=mailbox.username, size=size
                )
                client.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
                ingested += 1
            mailbox.last_uid = uid
            mailbox.save(update_fields=["last_uid"])
    return ingested


def _fetch(client: imaplib.IMAP4, uid: int) -> tuple[bytes, int] | None:
    """(bytes, full size): a message over EMAIL_INBOUND_MAX_BYTES is fetched only up to the
    limit (a partial FETCH), so the poller never holds more than that in memory."""
    size = _size(client, uid)
    limit = inbound_max_bytes()
    part = "BODY.PEEK[]" if size is None or size <= limit else f"BODY.PEEK[]<0.{limit}>"
    status, data = client.uid("FETCH", str(uid), f"({part})")
    if status != "OK":
        raise ImapError(f"FETCH of UID {uid} failed")
    for item in data or []:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1], max(size or 0, len(item[1]))
    return None  # expunged meanwhile


def _size(client: imaplib.IMAP4, uid: int) -> int | None:
    status, data = client.uid("FETCH", str(uid), "(RFC822.SIZE)")
    for item in data or [] if status == "OK" else []:
        line = item[0] if isinstance(item, tuple) else item
        match = _SIZE_RE.search(line or b"")
        if match:
            return int(match.group(1))
    return None


def _uidvalidity(client: imaplib.IMAP4, folder: str) -> int | None:
    # SELECT answers "* OK [UIDVALIDITY n]"; imaplib keeps it as an untagged response.
    _typ, data = client.response("UIDVALIDITY")
    if data and data[0]:
        return int(data[0])
    status, data = client.status(_quote(folder), "(UIDVALIDITY)")
    match = _UIDVALIDITY_RE.search(data[0] or b"") if status == "OK" and data else None
    return int(match.group(1)) if match else None


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
