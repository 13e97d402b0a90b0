"""The tenant's categories (id, name, active), cached for pages that offer them as choices.

Dropped whenever a category is saved or deleted: at once and again after commit, so a
reader racing the change cannot keep the old list. The cache's keys carry the tenant's
schema.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tickets.models import Category

KEY = "tickets:categories:v1"
TTL = 3600


def categories_for_choices() -> list[Category]:
    """Every category by name, with `id`, `name` and `is_active` loaded."""
    found = cache.get(KEY)
    if found is None:
        found = list(Category.objects.order_by("name").only("id", "name", "is_active"))
        cache.set(KEY, found, TTL)
    return found


def forget() -> None:
    cache.delete(KEY)
    transaction.on_commit(lambda: cache.delete(KEY))


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def _category_changed(sender, **kwargs) -> None:
    forget()
