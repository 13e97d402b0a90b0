"""Which categories each agent is limited to, cached per tenant.

Every request of an agent asks (`Ticket.objects.visible_to`), so the tenant's restrictions
(one small map: agent id -> category ids) live in process memory per tenant
(`panel1.tenant_cache`), and a new configuration version is set whenever an agent profile,
its categories or a category changes: at once and again after commit, so a reader racing
the change cannot keep the old map.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from panel1 import tenant_cache
from tickets.models import AgentProfile, Category

KEY = "tickets:agent-categories:v1"


def restricted_categories() -> dict[str, list]:
    """Agent user id (str) -> the category ids they are limited to (agents without a limit
    are absent)."""
    return tenant_cache.cached(KEY, _restrictions_load)


def _restrictions_load() -> dict[str, list]:
    found: dict[str, list] = {}
    rows = AgentProfile.categories.through.objects.values_list(
        "agentprofile__user_id", "category_id"
    ).order_by("category_id")
    for user_id, category_id in rows:
        found.setdefault(str(user_id), []).append(category_id)
    return found


def category_ids_for(user) -> list:
    return list(restricted_categories().get(str(user.pk), ()))


def forget() -> None:
    tenant_cache.bump()


@receiver(post_save, sender=AgentProfile)
@receiver(post_delete, sender=AgentProfile)
@receiver(post_delete, sender=Category)
def _profile_changed(sender, **kwargs) -> None:
    forget()


@receiver(m2m_changed, sender=AgentProfile.categories.through)
def _categories_changed(sender, **kwargs) -> None:
    forget()
