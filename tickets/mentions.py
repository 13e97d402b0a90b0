"""Who an internal note mentions: active staff named as @email or @Full Name."""

from __future__ import annotations

import re

from panel1.accounts.models import STAFF_ROLES, User

MAX_MENTION_CANDIDATES = 2000


def mentioned_staff(content: str) -> list[User]:
    """Active staff named in `content` as @email or @Full Name (case-insensitive)."""
    lowered = (content or "").lower()
    if "@" not in lowered:
        return []
    found = []
    staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("email")
    for user in staff[:MAX_MENTION_CANDIDATES]:
        handles = [user.email.lower()] + ([user.name.lower()] if user.name.strip() else [])
        if any(
            re.search(rf"(?<![\w@]){re.escape('@' + handle)}(?![\w@-])", lowered)
            for handle in handles
        ):
            found.append(user)
    return found
