"""The tenant's SLA profiles with their category ids, cached for ticket creation and rematches.

Matching a ticket to a profile reads every profile and its categories (two queries); tickets
are created far more often than profiles change, so the list is kept in the cache (its keys
carry the tenant's schema) and dropped whenever a profile, its categories or a category
changes: at once and again after commit, so a reader racing the change cannot keep the old
list.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from sla.models import SlaProfile
from tickets.models import Category

KEY = "sla:profiles:v1"
TTL = 3600


def cached_profiles() -> list[tuple[SlaProfile, frozenset]]:
    """Every profile with the ids of its categories (from the cache when it is there)."""
    found = cache.get(KEY)
    if found is None:
        found = [
            (profile, frozenset(category.pk for category in profile.categories.all()))
            for profile in SlaProfile.objects.prefetch_related("categories").order_by("name")
        ]
        cache.set(KEY, found, TTL)
    return found


def forget_profiles() -> None:
    cache.delete(KEY)
    transaction.on_commit(lambda: cache.delete(KEY))


@receiver(post_save, sender=SlaProfile)
@receiver(post_delete, sender=SlaProfile)
@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def _profile_changed(sender, **kwargs) -> None:
    forget_profiles()


@receiver(m2m_changed, sender=SlaProfile.categories.through)
def _categories_changed(sender, **kwargs) -> None:
    forget_profiles()
