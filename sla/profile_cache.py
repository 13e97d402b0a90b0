"""The tenant's SLA profiles with their category ids, cached for ticket creation and rematches.

Matching a ticket to a profile reads every profile and its categories (two queries); tickets
are created far more often than profiles change, so the list is kept in process memory per
tenant (`panel1.tenant_cache`) and a new configuration version is set whenever a profile, its
categories or a category changes: at once and again after commit, so a reader racing the
change cannot keep the old list.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from panel1 import tenant_cache
from sla.models import SlaProfile
from tickets.models import Category

KEY = "sla:profiles:v1"


def cached_profiles() -> list[tuple[SlaProfile, frozenset]]:
    """Every profile with the ids of its categories (from the cache when it is there)."""
    return tenant_cache.cached(KEY, _profiles_load)


def _profiles_load() -> list[tuple[SlaProfile, frozenset]]:
    return [
        (profile, frozenset(category.pk for category in profile.categories.all()))
        for profile in SlaProfile.objects.prefetch_related("categories").order_by("name")
    ]


def forget_profiles() -> None:
    tenant_cache.bump()


@receiver(post_save, sender=SlaProfile)
@receiver(post_delete, sender=SlaProfile)
@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def _profile_changed(sender, **kwargs) -> None:
    forget_profiles()


@receiver(m2m_changed, sender=SlaProfile.categories.through)
def _categories_changed(sender, **kwargs) -> None:
    forget_profiles()
