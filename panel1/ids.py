"""Public ids are UUIDs: read one from untrusted input (a URL, a form, an event payload)."""

from __future__ import annotations

import uuid
from typing import Any

__all__ = ["is_uuid", "parse_uuid"]


def parse_uuid(value: Any) -> uuid.UUID | None:
    """Return ``value`` as a UUID, or None when it is not one; never raises."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def is_uuid(value: Any) -> bool:
    """Say whether ``value`` reads as a UUID (so a lookup by primary key cannot fail on it)."""
    return parse_uuid(value) is not None
