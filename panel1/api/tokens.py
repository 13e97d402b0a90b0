"""API tokens: created (shown once), listed, revoked, and checked on each request.

Tokens are 40 random hex characters; only their SHA-256 is stored (a database leak gives no
usable token). Revoked and expired tokens fail authentication; a read-only token may only
read. `last_used_at` is written at most once a minute per token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.accounts.models import Role, User
from panel1.api.models import ApiToken
from panel1.audit.services import audit_record
from panel1.db_reads import CompiledRead
from panel1.exceptions import DomainError, NotFound

LAST_USED_RESOLUTION = timedelta(minutes=1)
# Read on every API request: compiled once (`panel1.db_reads`). The hash is unique.
_LIVE_TOKEN = CompiledRead(
    lambda key_hash: (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, revoked_at__isnull=True)
        .order_by()
    ),
    "key_hash",
)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    user: User,
    name: str,
    read_only: bool = False,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for `user` (the actor themself, or anyone when the actor is an admin);
    answers the row and the token, which is never readable again."""
    if actor.pk != user.pk and actor.role != Role.ADMIN:
        raise NotFound({"detail": [_("Not found.")]})
    if not user.is_active:
        raise DomainError({"user": [_("This user is inactive.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError({"expires_at": [_("The expiry must be in the future.")]})
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or _("API token"),
        key_hash=token_hash(key),
        prefix=key[:8],
        read_only=read_only,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="token_created",
        target=token,
        details={"user": str(user.pk), "read_only": read_only, "expires_at": expires_at},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token (its owner or an admin); revoking twice changes nothing."""
    if actor.pk != token.user_id and actor.role != Role.ADMIN:
        raise NotFound({"detail": [_("Not found.")]})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="token_revoked", target=token, details={"user": str(token.user_id)}
        )
    return token


def api_token_list_for(user: User) -> QuerySet[ApiToken]:
    """The tokens `user` may see: their own; every token for an admin."""
    tokens = ApiToken.objects.select_related("user").order_by("-created_at")
    return tokens if user.role == Role.ADMIN else tokens.filter(user=user)


def api_token_authenticate(key: str) -> ApiToken | None:
    """The live token for `key` (not revoked, not expired, active user), or None."""
    now = timezone.now()
    token = _LIVE_TOKEN.first(key_hash=token_hash(key or ""))
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
