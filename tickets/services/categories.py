"""Categories and agent profiles: the ticket domain's configuration, each write audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.exceptions import Conflict
from tickets.models import AgentProfile, Category
from tickets.services.lifecycle import UNSET

# The fields an interface may set (admin forms and the API pass exactly these).
CATEGORY_FIELDS = ("name", "description", "color", "icon", "is_active")
AGENT_PROFILE_FIELDS = ("user", "categories", "languages", "max_open_tickets", "is_available")
DEFAULT_CATEGORY_COLOR = Category._meta.get_field("color").default


def _apply(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the given (non-UNSET) fields on `obj`; the changed ones as {field: [before, after]}."""
    changes = {}
    for name, value in values.items():
        if value is UNSET:
            continue
        before = getattr(obj, name)
        if before != value:
            changes[name] = [before, value]
            setattr(obj, name, value)
    return changes


@transaction.atomic
def category_create(
    *,
    actor: User | Actor | None,
    name: str,
    description: str = "",
    color: str = DEFAULT_CATEGORY_COLOR,
    icon: str = "",
    is_active: bool = True,
) -> Category:
    """Create a category (a unique name) and audit it."""
    category = Category(
        name=name, description=description, color=color, icon=icon, is_active=is_active
    )
    category.full_clean()
    category.save()
    audit_record(actor=actor, action="category.created", target=category, details={"name": name})
    return category


@transaction.atomic
def category_update(
    *,
    category: Category,
    actor: User | Actor | None,
    name: str = UNSET,
    description: str = UNSET,
    color: str = UNSET,
    icon: str = UNSET,
    is_active: bool = UNSET,
) -> Category:
    """Change the given fields of a category; audit what changed (nothing if nothing did)."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    values = {"name": name, "description": description, "color": color, "icon": icon}
    changes = _apply(category, {**values, "is_active": is_active})
    if not changes:
        return category
    category.full_clean()
    category.save(update_fields=list(changes))
    audit_record(actor=actor, action="category.updated", target=category, details=changes)
    return category


@transaction.atomic
def category_delete(*, category: Category, actor: User | Actor | None) -> None:
    """Delete a category no ticket uses (deactivate a used one instead)."""
    name = category.name
    try:
        with transaction.atomic():
            # Recorded first: the entry keeps the target's id, which the delete clears.
            audit_record(
                actor=actor, action="category.deleted", target=category, details={"name": name}
            )
            category.delete()
    except ProtectedError as exc:
        message = f"{name!r} is in use; deactivate it instead."
        raise Conflict({"non_field_errors": [message]}) from exc


def _category_ids(categories: Iterable[Category]) -> list[str]:
    return sorted(str(category.pk) for category in categories)


@transaction.atomic
def agent_profile_create(
    *,
    actor: User | Actor | None,
    user: User,
    categories: Iterable[Category] = (),
    languages: list[str] | None = None,
    max_open_tickets: int = 0,
    is_available: bool = True,
) -> AgentProfile:
    """Give a staff user an agent profile (categories worked, languages, load limit)."""
    profile = AgentProfile(
        user=user,
        languages=list(languages or []),
        max_open_tickets=max_open_tickets,
        is_available=is_available,
    )
    profile.full_clean()
    profile.save()
    categories = list(categories)
    profile.categories.set(categories)
    details = {
        "user": str(user.pk),
        "categories": _category_ids(categories),
        "languages": profile.languages,
        "max_open_tickets": max_open_tickets,
        "is_available": is_available,
    }
    audit_record(actor=actor, action="agent_profile.created", target=profile, details=details)
    return profile


@transaction.atomic
def agent_profile_update(
    *,
    profile: AgentProfile,
    actor: User | Actor | None,
    user: User = UNSET,
    categories: Iterable[Category] = UNSET,
    languages: list[str] = UNSET,
    max_open_tickets: int = UNSET,
    is_available: bool = UNSET,
) -> AgentProfile:
    """Change the given fields of an agent profile; audit what changed."""
    profile = AgentProfile.objects.select_for_update().get(pk=profile.pk)
    values = {
        "user_id": user.pk if user is not UNSET else UNSET,
        "languages": list(languages) if languages is not UNSET else UNSET,
        "max_open_tickets": max_open_tickets,
        "is_available": is_available,
    }
    changes = _apply(profile, values)
    if changes:
        profile.full_clean()
        profile.save(update_fields=list(changes))
    if categories is not UNSET:
        categories = list(categories)
        before = _category_ids(profile.categories.all())
        after = _category_ids(categories)
        if before != after:
            profile.categories.set(categories)
            changes["categories"] = [before, after]
    if changes:
        audit_record(actor=actor, action="agent_profile.updated", target=profile, details=changes)
    return profile


@transaction.atomic
def agent_profile_delete(*, profile: AgentProfile, actor: User | Actor | None) -> None:
    """Remove an agent profile (the user stays; they may then work every category)."""
    audit_record(
        actor=actor,
        action="agent_profile.deleted",
        target=profile,
        details={"user": str(profile.user_id)},
    )
    profile.delete()
