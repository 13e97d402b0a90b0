"""Storing inbound mail: the raw bytes first (bounded, deduplicated by digest), then parsing."""

from __future__ import annotations

import functools
import hashlib
import logging
from email.parser import BytesHeaderParser
from email.policy import compat32

import psycopg
from django.conf import settings
from django.db import connection
from psycopg import sql as psycopg_sql

from panel1.db_writes import insert_one, insert_one_returning
from panel1.plugins.hooks import filter_inbound_mail_raw
from tickets.email.parsing.headers import plain_header_values
from tickets.models import (
    InboundEmail,
    InboundStatus,
)

logger = logging.getLogger(__name__)

INLINE_RAW_BYTES = 64 * 1024
TWIN_REASON_END = ", which keeps the raw message."


def inbound_max_bytes() -> int:
    return int(settings.EMAIL_INBOUND_MAX_BYTES)


def inbound_too_large_reason(size: int) -> str:
    return (
        f"Refused: the message is {size} bytes, over the limit of {inbound_max_bytes()} "
        "bytes (EMAIL_INBOUND_MAX_BYTES); only its beginning is kept."
    )


def inbound_store(
    *, raw: bytes, source: str, envelope_recipient: str = "", size: int | None = None
) -> InboundEmail:
    """Keep the raw bytes (committed on their own when no outer transaction is open).

    A message over EMAIL_INBOUND_MAX_BYTES (`size`, when the caller read only a prefix) is
    kept only up to the limit and refused (FAILED, never parsed). A redelivery of bytes
    already stored keeps no second copy: the row points at the first by its dedup key.
    """
    data = bytes(raw or b"")
    size = max(size or 0, len(data))
    recipient = (envelope_recipient or "")[:320]
    # Plugins (redaction) may rewrite the bytes before anything is kept: the original nowhere.
    data = filter_inbound_mail_raw(
        data, limit=inbound_max_bytes(), meta={"source": source, "envelope_recipient": recipient}
    )
    if size > inbound_max_bytes():
        # A view, not a copy, of the part that is kept.
        return _store_too_large(memoryview(data)[: inbound_max_bytes()], size, source, recipient)
    digest = hashlib.sha256(data).hexdigest()
    if len(data) <= INLINE_RAW_BYTES:
        inbound = _insert_unless_twin(data, size, digest, source, recipient)
        if inbound is not None:
            return inbound
    twin = _stored_twin(data, digest)
    # Most mail is small: its bytes go in with the row (one statement); a large one is
    # written by `_write_raw`, never copied into an escaped query text.
    inline = not twin and len(data) <= INLINE_RAW_BYTES
    inbound = insert_one(
        InboundEmail(
            source=source[:32],
            raw=data if inline else b"",
            raw_size=size,
            raw_sha256=digest,
            dedup_key=twin.dedup_key if twin else f"sha256:{digest}",
            reason=f"Same bytes as {twin.pk}{TWIN_REASON_END}" if twin else "",
            envelope_recipient=recipient,
        )
    )
    if not twin and not inline:
        _write_raw(inbound, data)
    return inbound


def _write_raw(inbound: InboundEmail, data: bytes | memoryview) -> None:
    """Store the bytes as a binary parameter bound on the server: the default client-side
    binding would build an escaped text copy of the whole message (several times its size)
    in memory first."""
    table = psycopg_sql.Identifier(connection.schema_name, InboundEmail._meta.db_table)
    query = psycopg_sql.SQL("UPDATE {} SET raw = %b WHERE id = %s").format(table)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(query, [data, inbound.pk])
    inbound.raw = data if isinstance(data, bytes) else b""  # a refused mail is never parsed


def _store_too_large(
    prefix: bytes | memoryview, size: int, source: str, recipient: str
) -> InboundEmail:
    reason = inbound_too_large_reason(size)
    digest = hashlib.sha256(prefix).hexdigest()
    logger.warning("Inbound email refused: %s bytes over the limit", size)
    inbound = InboundEmail.objects.create(
        source=source[:32],
        raw=b"",
        raw_size=size,
        raw_sha256=digest,
        dedup_key=f"sha256:{digest}",
        status=InboundStatus.FAILED,
        reason=reason,
        error=reason,
        envelope_recipient=recipient,
    )
    _write_raw(inbound, prefix)
    return inbound


def _twin_keys(data: bytes, digest: str) -> list[str]:
    keys = [f"sha256:{digest}"]
    message_id = header_message_id(data)
    if message_id:
        keys.append(f"mid:{message_id[:990]}")
    return keys


def _stored_twin(data: bytes, digest: str) -> InboundEmail | None:
    """The first stored row with exactly these bytes (found through the indexed dedup key:
    the bytes' hash, or the Message-ID once the first copy was parsed)."""
    keys = _twin_keys(data, digest)
    with connection.cursor() as cursor:
        cursor.execute(_twin_sql(len(keys)), [*keys, digest, InboundStatus.DUPLICATE.value])
        found = cursor.fetchone()
    return InboundEmail(pk=found[0], dedup_key=found[1]) if found else None


# A small mail's row, written in the statement that looks for its stored twin: a twin's
# dedup key and no bytes of its own, or the bytes and their hash's key.
_TWIN_EXPRESSIONS = {
    "raw": "COALESCE((SELECT ''::bytea FROM twin), %s)",
    "dedup_key": "COALESCE((SELECT dedup_key FROM twin), %s)",
    "reason": "COALESCE((SELECT 'Same bytes as ' || id || '"
    + TWIN_REASON_END.replace("'", "''")
    + "' FROM twin), %s)",
}


def _insert_unless_twin(
    data: bytes, size: int, digest: str, source: str, recipient: str
) -> InboundEmail | None:
    """`inbound_store`'s row for a small mail, in one statement with the twin look-up (None
    when the row cannot be written so: the caller takes the two statements)."""
    keys = _twin_keys(data, digest)
    inbound = InboundEmail(
        source=source[:32],
        raw=data,
        raw_size=size,
        raw_sha256=digest,
        dedup_key=f"sha256:{digest}",
        reason="",
        envelope_recipient=recipient,
    )
    row = insert_one_returning(
        inbound,
        ctes=f"twin (id, dedup_key) AS ({_twin_sql(len(keys))})",
        cte_params=[*keys, digest, InboundStatus.DUPLICATE.value],
        expressions=_TWIN_EXPRESSIONS,
        returning=("dedup_key", "reason"),
    )
    if row is None:
        return None
    inbound.dedup_key, inbound.reason = row
    if inbound.reason:
        inbound.raw = b""  # the twin keeps the bytes
    return inbound


@functools.cache
def _twin_sql(keys: int) -> str:
    """Every mail asks it: built once per number of keys (one or two; a text parameter each,
    quoted in C, where an array is quoted element by element in Python). Duplicates drop
    their bytes, so they are no twin."""
    return (
        InboundEmail.objects.filter(dedup_key__in=[f"k{n}" for n in range(keys)], raw_sha256="d")
        .exclude(status="s")
        .order_by("received_at")
        .values_list("pk", "dedup_key")[:1]
        .query.sql_with_params()[0]
    )


def header_message_id(data: bytes) -> str:
    """The Message-ID from the header block alone (no body parsing), as the parser cleans it."""
    end = min((i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0), default=-1)
    head = data[: end if 0 <= end < 262_144 else 262_144]
    plain = plain_header_values(head)
    if plain is not None:
        value = plain.get("message-id", [""])[0]
        return "".join(value.split()).strip("<>")
    try:
        value = BytesHeaderParser(policy=compat32).parsebytes(head).get("Message-ID") or ""
    except Exception:  # a header block too broken to read: no twin lookup by id
        return ""
    return "".join(str(value).split()).replace("\x00", "").strip("<>")


def _raw_bytes(inbound: InboundEmail) -> bytes:
    """The message's bytes: its own, or those of the first copy (a raw-less redelivery)."""
    raw = bytes(inbound.raw)
    if raw or not inbound.raw_size:
        return raw
    same = InboundEmail.objects.filter(raw_sha256=inbound.raw_sha256, raw_size=inbound.raw_size)
    same = same.exclude(pk=inbound.pk).order_by("received_at").values_list("raw", flat=True)
    # The indexed dedup key finds the first copy; the hash alone if the key moved on since.
    first = same.filter(dedup_key=inbound.dedup_key).first() or same.first()
    return bytes(first or b"")
