"""Loop and abuse safety: per-sender inbound limits, acknowledgement limits, bounces.

- A sender who sends more than EMAIL_INBOUND_SENDER_LIMIT mails within
  EMAIL_INBOUND_SENDER_WINDOW seconds has the excess HELD (kept, flagged, releasable).
  Counted from the InboundEmail rows themselves, so it holds across processes.
- Acknowledgements ("we received your ticket") to senders never seen before are limited per
  address and per tenant and hour (tenant-prefixed cache keys): a forged From cannot turn
  the helpdesk into a relay that mails a victim over and over.
- Bounces (DSNs) are recorded against the bounced address; while suppressed, nothing more is
  mailed there.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, F, Value
from django.utils import timezone

from tickets.models import BouncedAddress, InboundEmail, InboundStatus


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _recent_from(sender: str, exclude_id, now=None):
    window = timedelta(seconds=_setting("EMAIL_INBOUND_SENDER_WINDOW", 3600))
    return (
        InboundEmail.objects.filter(
            sender=sender, received_at__gte=(now or timezone.now()) - window
        )
        .exclude(status__in=[InboundStatus.DUPLICATE, InboundStatus.RECEIVED])
        .exclude(pk=exclude_id)
    )


def sender_limit_settings() -> tuple[int, int]:
    """(EMAIL_INBOUND_SENDER_LIMIT, EMAIL_INBOUND_SENDER_WINDOW): what shapes the limit's SQL."""
    return (
        _setting("EMAIL_INBOUND_SENDER_LIMIT", 20),
        _setting("EMAIL_INBOUND_SENDER_WINDOW", 3600),
    )


def sender_over_limit(sender: str, *, exclude_id=None) -> bool:
    """True when `sender` already sent the allowed number of mails in the window."""
    limit = _setting("EMAIL_INBOUND_SENDER_LIMIT", 20)
    if limit <= 0 or not sender:
        return False
    return _recent_from(sender, exclude_id).count() >= limit


def sender_limit_reached(sender: str, exclude_id=None, *, now=None) -> Exists | Value:
    """`sender_over_limit` as an SQL expression, to be asked along with other questions: is
    there a limit-th mail of the sender in the window (an index range, no count)? The window
    ends at `now` (default: the current time)."""
    limit = _setting("EMAIL_INBOUND_SENDER_LIMIT", 20)
    if limit <= 0 or not sender:
        return Value(False, output_field=BooleanField())
    return Exists(_recent_from(sender, exclude_id, now).order_by()[limit - 1 : limit])


def _hit(key: str, limit: int, ttl: int) -> bool:
    """Count one hit on `key`; True while within `limit` (the cache key is tenant-prefixed)."""
    cache.add(key, 0, ttl)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, ttl)
        count = 1
    return count <= limit


@transaction.atomic
def new_sender_ack_allowed(address: str) -> bool:
    """May we acknowledge a ticket from a sender never seen before? Counts the attempt.

    The counters' read-and-increment runs under a per-tenant PostgreSQL advisory lock held
    to the end of this transaction: cache backends whose `incr` is a read then a write (the
    database cache) would otherwise let parallel deliveries overshoot the cap.
    """
    _lock_ack_counters()
    hour = timezone.now().strftime("%Y%m%d%H")
    digest = hashlib.sha256(address.lower().encode()).hexdigest()[:32]
    per_address = _hit(
        f"email:ack-new:{digest}:{hour}", _setting("EMAIL_NEW_SENDER_ACK_PER_ADDRESS", 3), 3700
    )
    per_tenant = _hit(f"email:ack-new:*:{hour}", _setting("EMAIL_NEW_SENDER_ACK_LIMIT", 100), 3700)
    return per_address and per_tenant


def _lock_ack_counters() -> None:
    key = int.from_bytes(
        hashlib.sha256(f"panel1:ack-new:{connection.schema_name}".encode()).digest()[:8],
        "big",
        signed=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def bounce_record(*, addresses: list[str], reason: str) -> list[BouncedAddress]:
    """Record a bounce for each address and suppress further mail to it."""
    now = timezone.now()
    recorded = []
    for address in {a.strip().lower() for a in addresses if a and "@" in a}:
        row, created = BouncedAddress.objects.get_or_create(
            email=address,
            defaults={"bounce_count": 1, "last_bounced_at": now, "last_reason": reason[:500]},
        )
        if not created:
            BouncedAddress.objects.filter(pk=row.pk).update(
                bounce_count=F("bounce_count") + 1,
                suppressed=True,
                last_bounced_at=now,
                last_reason=reason[:500],
            )
        recorded.append(row)
    return recorded


def suppressed_addresses(addresses: list[str]) -> set[str]:
    lowered = [a.lower() for a in addresses]
    return set(
        BouncedAddress.objects.filter(email__in=lowered, suppressed=True).values_list(
            "email", flat=True
        )
    )
