"""Who the helpdesk is on the wire (From, Reply-To, own addresses) and header hygiene."""

from __future__ import annotations

import re
from email.utils import formataddr

from django.conf import settings

from panel1.tenants.models import Tenant

_UNSAFE_HEADER_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_SUBJECT_CHARS = 200


def header_safe(value: str, *, limit: int = 500) -> str:
    """One line of text for a header: CR/LF and other control characters become spaces."""
    value = _UNSAFE_HEADER_CHARS.sub(" ", str(value or ""))
    return " ".join(value.split())[:limit]


def split_address(address: str) -> tuple[str, str]:
    local, _at, domain = (address or "").strip().lower().rpartition("@")
    return local, domain


def base_address(address: str) -> str:
    """support+token@acme.example -> support@acme.example (lowercased)."""
    local, domain = split_address(address)
    return f"{local.partition('+')[0]}@{domain}" if local and domain else ""


def support_address(tenant: Tenant) -> str:
    """The From address: the tenant's own support address, else SUPPORT_FROM_EMAIL."""
    return (tenant.support_email or settings.SUPPORT_FROM_EMAIL).strip().lower()


def reply_base_address(tenant: Tenant) -> str:
    """The address replies go to (before the +token): tenant's, SUPPORT_REPLY_TO_EMAIL, From."""
    return (
        (tenant.support_email or settings.SUPPORT_REPLY_TO_EMAIL or settings.SUPPORT_FROM_EMAIL)
        .strip()
        .lower()
    )


def from_header(tenant: Tenant) -> str:
    return formataddr((header_safe(tenant.brand_name, limit=100), support_address(tenant)))


def reply_to_address(tenant: Tenant, token: str) -> str:
    local, domain = split_address(reply_base_address(tenant))
    return f"{local}+{token}@{domain}" if token else f"{local}@{domain}"


def mail_domain(tenant: Tenant) -> str:
    """The domain of Message-IDs we generate."""
    return split_address(support_address(tenant))[1] or "localhost"


def own_addresses(tenant: Tenant) -> set[str]:
    """Addresses that are the helpdesk itself: mail from them is never ingested (loops)."""
    candidates = [
        tenant.support_email,
        settings.SUPPORT_FROM_EMAIL,
        settings.SUPPORT_REPLY_TO_EMAIL,
        settings.DEFAULT_FROM_EMAIL,
        settings.SERVER_EMAIL,
    ]
    return {base_address(a) for a in candidates if a and "@" in a}


def is_own_address(tenant: Tenant, address: str | None) -> bool:
    return bool(address) and base_address(address) in own_addresses(tenant)


def site_base_url(tenant: Tenant) -> str:
    """scheme://primary-domain[:port] of the tenant, for absolute links in mail."""
    from panel1.tenants.site import tenant_site_url

    return tenant_site_url(tenant)
