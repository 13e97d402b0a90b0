"""Stable pseudonyms for erased people: the same person always gets the same one (so repeated
references line up), nobody can turn one back into the email address (an HMAC keyed by the
secret key over the user's id, not the address)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

ERASED_DOMAIN = "erased.invalid"


def pseudonym_tag(user_id) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"privacy:{user_id}".encode(), hashlib.sha256).hexdigest()[:16]


def pseudonym_email(user_id) -> str:
    return f"erased-{pseudonym_tag(user_id)}@{ERASED_DOMAIN}"


def pseudonym_name(user_id) -> str:
    return f"Erased person {pseudonym_tag(user_id)[:8]}"


def is_erased_email(email: str) -> bool:
    return (email or "").lower().endswith("@" + ERASED_DOMAIN)
