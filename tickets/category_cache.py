"""The tenant's categories (id, name, active), cached for pages that offer them as choices.

Kept in process memory per tenant (`panel1.tenant_cache`); a new configuration version is
set whenever a category is saved or deleted: at once and again after commit, so a reader
racing the change cannot keep the old list.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from panel1 import tenant_cache
from tickets.models import Category

KEY = "tickets:categories:v1"


def categories_for_choices() -> list[Category]:
    """Every category by name, with `id`, `name` and `is_active` loaded."""
    return tenant_cache.cached(KEY, _categories_load)


def _categories_load() -> list[Category]:
    return list(Category.objects.order_by("name").only("id", "name", "is_active"))


def forget() -> None:
    tenant_cache.bump()


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def _category_changed(sender, **kwargs) -> None:
    forget()
