"""Which categories each agent is limited to, cached per tenant.

Every request of an agent asks (`Ticket.objects.visible_to`), so the tenant's restrictions
(one small map: agent id -> category ids) live in the cache, whose keys carry the tenant's
schema, and are dropped whenever an agent profile, its categories or a category changes: at
once and again after commit, so a reader racing the change cannot keep the old map.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from tickets.models import AgentProfile, Category

KEY = "tickets:agent-categories:v1"
TTL = 3600


def restricted_categories() -> dict[str, list]:
    """Agent user id (str) -> the category ids they are limited to (agents without a limit
    are absent)."""
    found = cache.get(KEY)
    if found is None:
        found = {}
        rows = AgentProfile.categories.through.objects.values_list(
            "agentprofile__user_id", "category_id"
        ).order_by("category_id")
        for user_id, category_id in rows:
            found.setdefault(str(user_id), []).append(category_id)
        cache.set(KEY, found, TTL)
    return found


def category_ids_for(user) -> list:
    return list(restricted_categories().get(str(user.pk), ()))


def forget() -> None:
    cache.delete(KEY)
    transaction.on_commit(lambda: cache.delete(KEY))


@receiver(post_save, sender=AgentProfile)
@receiver(post_delete, sender=AgentProfile)
@receiver(post_delete, sender=Category)
def _profile_changed(sender, **kwargs) -> None:
    forget()


@receiver(m2m_changed, sender=AgentProfile.categories.through)
def _categories_changed(sender, **kwargs) -> None:
    forget()
