"""Which organization lists an email domain, cached for creating customers (each new sender
of a mail becomes one, and joins the organization of their domain).

Kept in process memory per tenant (`panel1.tenant_cache`) as a map of each listed domain to
the oldest organization listing it; a new configuration version is set whenever an
organization is saved or deleted: at once and again after commit, so a reader racing the
change cannot keep the old map.
"""

from __future__ import annotations

import uuid

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from panel1 import tenant_cache
from tickets.models import Organization

KEY = "tickets:organization-domains:v1"


def organization_id_for_domain(domain: str) -> uuid.UUID | None:
    """The id of the oldest organization that lists `domain` (lowercase), or None."""
    return tenant_cache.cached(KEY, _domains_load).get(domain)


def _domains_load() -> dict[str, uuid.UUID]:
    found: dict[str, uuid.UUID] = {}
    rows = Organization.objects.exclude(domains=[]).order_by("created_at", "pk")
    for organization_id, domains in rows.values_list("id", "domains"):
        for domain in domains:
            found.setdefault(domain, organization_id)  # the oldest keeps the domain
    return found


@receiver(post_save, sender=Organization)
@receiver(post_delete, sender=Organization)
def _organization_changed(sender, **kwargs) -> None:
    tenant_cache.bump()
