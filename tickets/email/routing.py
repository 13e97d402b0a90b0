"""Which tenant a piped mail is for, decided in the public schema from its recipients.

In order, for the envelope recipient and then Delivered-To / X-Original-To, To and Cc:
1. a tenant's support address (support@acme.example, also support+<token>@acme.example);
2. a reply token whose tenant tag names a tenant (support+<token>@shared-platform.example);
3. a tenant's domain (anything@acme.localhost).
Mail no tenant claims is quarantined under MEDIA_ROOT/quarantine/ (nothing is lost).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from panel1.tenants.models import Domain, Tenant
from tickets.email.addresses import base_address, split_address
from tickets.email.parsing import extract_reply_token, parse_message
from tickets.email.tokens import tenant_tag, token_tag


def recipients_of(raw: bytes, envelope_recipient: str = "") -> list[str]:
    parsed = parse_message(raw)
    found = [envelope_recipient.strip().lower()] if envelope_recipient else []
    found += [*parsed.delivered_to, *parsed.to, *parsed.cc]
    return list(dict.fromkeys(a for a in found if "@" in a))


def tenant_for_recipients(addresses: list[str]) -> Tenant | None:
    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name())
    for address in addresses:
        tenant = tenants.filter(support_email__iexact=base_address(address)).first()
        if tenant is not None:
            return tenant
    tags = None
    for address in addresses:
        token = extract_reply_token([address])
        if token:
            if tags is None:
                tags = {tenant_tag(t.schema_name): t for t in tenants}
            tenant = tags.get(token_tag(token.lower()))
            if tenant is not None:
                return tenant
    for address in addresses:
        domain = split_address(address)[1]
        match = (
            Domain.objects.select_related("tenant")
            .filter(domain__iexact=domain)
            .exclude(tenant__schema_name=get_public_schema_name())
            .first()
        )
        if match is not None:
            return match.tenant
    return None


def quarantine(raw: bytes, *, reason: str) -> Path:
    """Keep a mail no tenant claimed: MEDIA_ROOT/quarantine/YYYY/MM/DD/<time>-<sha>.eml."""
    now = timezone.now()
    folder = Path(settings.MEDIA_ROOT) / "quarantine" / now.strftime("%Y/%m/%d")
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    path = folder / f"{now.strftime('%H%M%S%f')}-{digest}.eml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)
    path.with_suffix(".reason.txt").write_text(reason + "\n", encoding="utf-8")
    return path
