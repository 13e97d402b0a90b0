"""Reply tokens: support+<token>@domain in Reply-To threads replies even when subjects break.

A token is `<16 random base32 chars>-<tenant tag>`, all lowercase (mail systems and
email parsing lowercase addresses). The tag (a hash of the schema name) lets the pipe route
a reply to its tenant before any tenant schema is searched; the token itself is looked up in
that tenant's table only, so a token never reaches another tenant's ticket.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.db import IntegrityError, connection, transaction

from panel1.accounts.models import User
from tickets.models import EmailReplyToken, Ticket

_RANDOM_BYTES = 10  # 16 base32 characters, 80 bits


def tenant_tag(schema_name: str) -> str:
    digest = hashlib.sha256(f"panel1.email:{schema_name}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:6].lower()


def token_tag(token: str) -> str:
    return token.rpartition("-")[2] if "-" in token else ""


def reply_token_for(*, ticket: Ticket, user: User) -> str:
    """The recipient's token for this ticket (created once, then reused)."""
    existing = EmailReplyToken.objects.filter(ticket=ticket, user=user).first()
    if existing is not None:
        return existing.token
    random_part = base64.b32encode(secrets.token_bytes(_RANDOM_BYTES)).decode("ascii").lower()
    token = f"{random_part}-{tenant_tag(connection.schema_name)}"
    try:
        with transaction.atomic():
            EmailReplyToken.objects.create(token=token, ticket=ticket, user=user)
    except IntegrityError:  # created concurrently for the same ticket and user
        return EmailReplyToken.objects.get(ticket=ticket, user=user).token
    return token


def reply_token_lookup(token: str | None) -> EmailReplyToken | None:
    """The token row of THIS tenant, or None (unknown, malformed or another tenant's)."""
    if not token:
        return None
    token = token.lower()
    if token_tag(token) != tenant_tag(connection.schema_name):
        return None
    return EmailReplyToken.objects.select_related("ticket", "user").filter(token=token).first()
