"""Write KB categories: ordered, with one level of nesting."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from knowledgebase.models import Article, Category
from knowledgebase.services.articles import RESERVED_SLUGS, SLUG_RE, UNSET
from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.exceptions import DomainError, PermissionDenied


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied(_("Only staff can change knowledge-base categories."))


def _check_parent(category: Category | None, parent: Category | None) -> None:
    if parent is None:
        return
    if parent.parent_id is not None:
        raise DomainError(
            {"parent": [_("Categories nest one level deep: pick a top-level parent.")]}
        )
    if category is not None and category.pk is not None:
        if parent.pk == category.pk:
            raise DomainError({"parent": [_("A category cannot be its own parent.")]})
        if category.children.exists():
            raise DomainError({"parent": [_("This category has sub-categories of its own.")]})


def _slug_taken(slug: str, *, category: Category | None) -> bool:
    others = Category.objects.filter(slug=slug)
    if category is not None and category.pk is not None:
        others = others.exclude(pk=category.pk)
    # Categories and articles share /kb/<slug>/.
    return slug in RESERVED_SLUGS or others.exists() or Article.objects.filter(slug=slug).exists()


def _check_slug(slug: str, *, category: Category | None) -> str:
    slug = (slug or "").strip().lower()
    if len(slug) > 100 or not SLUG_RE.match(slug):
        raise DomainError({"slug": [_("Use lowercase letters, digits and single hyphens.")]})
    if _slug_taken(slug, category=category):
        raise DomainError(
            {"slug": [_("The address %(slug)s is already in use.") % {"slug": repr(slug)}]}
        )
    return slug


def _unique_slug(name: str) -> str:
    base = slugify(name)[:90].strip("-") or "category"
    slug, n = base, 1
    while _slug_taken(slug, category=None):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DomainError({"name": [_("Give a name of 1 to 100 characters.")]})
    return name


@transaction.atomic
def kb_category_create(
    *,
    actor: User | Actor,
    name: str,
    slug: str = "",
    description: str = "",
    parent: Category | None = None,
    position: int = 0,
    icon: str = "",
) -> Category:
    """Create a category (under a top-level `parent`, if given)."""
    actor = Actor.of(actor)
    _require_staff(actor)
    name = _clean_name(name)
    _check_parent(None, parent)
    slug = _check_slug(slug, category=None) if slug else _unique_slug(name)
    return Category.objects.create(
        name=name,
        slug=slug,
        description=description,
        parent=parent,
        position=position,
        icon=icon,
    )


@transaction.atomic
def kb_category_update(
    *,
    category: Category,
    actor: User | Actor,
    name: str = UNSET,
    slug: str = UNSET,
    description: str = UNSET,
    parent: Category | None = UNSET,
    position: int = UNSET,
    icon: str = UNSET,
) -> Category:
    """Change a category; nesting stays one level deep."""
    actor = Actor.of(actor)
    _require_staff(actor)
    values: dict[str, Any] = {}
    if name is not UNSET:
        values["name"] = _clean_name(name)
    if slug is not UNSET:
        values["slug"] = _check_slug(slug, category=category)
    if parent is not UNSET:
        _check_parent(category, parent)
        values["parent"] = parent
    for key, value in (("description", description), ("position", position), ("icon", icon)):
        if value is not UNSET:
            values[key] = value
    for key, value in values.items():
        setattr(category, key, value)
    if values:
        category.save(update_fields=list(values))
    return category
