"""Categories and agent profiles: the ticket domain's configuration, each write audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.events import bus, names
from panel1.exceptions import Conflict, DomainError
from tickets import availability
from tickets.models import AgentProfile, AgentStatus, Category
from tickets.services.lifecycle import UNSET

# The fields an interface may set (admin forms and the API pass exactly these).
CATEGORY_FIELDS = ("name", "description", "color", "icon", "is_active")
AGENT_PROFILE_FIELDS = (
    "user",
    "categories",
    "status",
    "capacity",
    "skills",
    "languages",
    "working_hours",
    "out_of_office",
)
# Changes to these can make an agent (un)available to routing.
AVAILABILITY_FIELDS = ("status", "working_hours", "out_of_office")
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


def _profile_values(
    *, status, capacity, skills, languages, working_hours, out_of_office
) -> dict[str, Any]:
    """Clean the given (non-UNSET) profile fields; DomainError names the bad field."""
    cleaners = {
        "status": _clean_status,
        "capacity": availability.clean_capacity,
        "skills": availability.clean_skills,
        "languages": availability.clean_languages,
        "working_hours": availability.clean_working_hours,
        "out_of_office": availability.clean_out_of_office,
    }
    given = {
        "status": status,
        "capacity": capacity,
        "skills": skills,
        "languages": languages,
        "working_hours": working_hours,
        "out_of_office": out_of_office,
    }
    return {name: cleaners[name](value) for name, value in given.items() if value is not UNSET}


def _clean_status(value: Any) -> str:
    if value not in AgentStatus.values:
        choices = ", ".join(AgentStatus.values)
        raise DomainError(
            {
                "status": [
                    _("%(value)s is not a status; use one of: %(choices)s.")
                    % {"value": repr(value), "choices": choices}
                ]
            }
        )
    return value


def _emit_availability(profile: AgentProfile, actor: Actor, changes: dict[str, list]) -> None:
    """Emit `agent.availability.changed` when status, working hours or absences changed."""
    watched = {name: changes[name] for name in AVAILABILITY_FIELDS if name in changes}
    if not watched:
        return
    bus.emit(
        names.AGENT_AVAILABILITY_CHANGED,
        payload={"user_id": str(profile.user_id), "status": profile.status, "changes": watched},
        actor=actor.event_actor,
        chain=actor.chain,
    )


@transaction.atomic
def agent_profile_create(
    *,
    actor: User | Actor | None,
    user: User,
    categories: Iterable[Category] = (),
    languages: list[str] | None = None,
    capacity: int = 0,
    status: str = AgentStatus.OFFLINE,
    skills: list[str] | None = None,
    working_hours: dict | None = None,
    out_of_office: list[dict] | None = None,
) -> AgentProfile:
    """Give a staff user an agent profile (categories worked, languages, skills, capacity,
    availability); this puts them in the routing pool. Emits `agent.availability.changed`
    when the profile starts out online."""
    actor = Actor.of(actor)
    if not user.is_helpdesk_staff:
        raise DomainError({"user": [_("Only staff users have agent profiles.")]})
    values = _profile_values(
        status=status,
        capacity=capacity,
        skills=list(skills or []),
        languages=list(languages or []),
        working_hours=working_hours,
        out_of_office=list(out_of_office or []),
    )
    profile = AgentProfile(user=user, status_changed_at=timezone.now(), **values)
    profile.full_clean(exclude=["user"])
    profile.save()
    categories = list(categories)
    profile.categories.set(categories)
    details = {"user": str(user.pk), "categories": _category_ids(categories), **values}
    audit_record(actor=actor, action="agent_profile.created", target=profile, details=details)
    if profile.status == AgentStatus.ONLINE:
        _emit_availability(profile, actor, {"status": [None, profile.status]})
    return profile


@transaction.atomic
def agent_profile_update(
    *,
    profile: AgentProfile,
    actor: User | Actor | None,
    user: User = UNSET,
    categories: Iterable[Category] = UNSET,
    languages: list[str] = UNSET,
    capacity: int = UNSET,
    status: str = UNSET,
    skills: list[str] = UNSET,
    working_hours: dict | None = UNSET,
    out_of_office: list[dict] = UNSET,
) -> AgentProfile:
    """Change the given fields of an agent profile; audit what changed. Emits
    `agent.availability.changed` after a change of status, working hours or absences."""
    actor = Actor.of(actor)
    profile = AgentProfile.objects.select_for_update().get(pk=profile.pk)
    values = _profile_values(
        status=status,
        capacity=capacity,
        skills=skills,
        languages=languages,
        working_hours=working_hours,
        out_of_office=out_of_office,
    )
    if user is not UNSET:
        values["user_id"] = user.pk
    changes = _apply(profile, values)
    if "status" in changes:
        profile.status_changed_at = timezone.now()
    if changes:
        profile.full_clean(exclude=["user"])
        extra = ["status_changed_at"] if "status" in changes else []
        profile.save(update_fields=[*changes, *extra])
    if categories is not UNSET:
        categories = list(categories)
        before = _category_ids(profile.categories.all())
        after = _category_ids(categories)
        if before != after:
            profile.categories.set(categories)
            changes["categories"] = [before, after]
    if changes:
        audit_record(actor=actor, action="agent_profile.updated", target=profile, details=changes)
        _emit_availability(profile, actor, changes)
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
