"""Agent settings as the API and the desk change them: who may change what, and the profile
created on first use (an agent joins the routing pool when a profile exists)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.exceptions import NotFound, PermissionDenied
from panel1.sentinels import UNSET
from tickets.models import AgentProfile, AgentStatus, Category
from tickets.services.categories import agent_profile_create, agent_profile_update


def _profile_for_update(agent: User, *, actor: Actor) -> AgentProfile:
    profile = AgentProfile.objects.filter(user=agent).first()
    if profile is None:
        profile = agent_profile_create(actor=actor, user=agent, status=AgentStatus.OFFLINE)
    return profile


@transaction.atomic
def agent_update(
    *,
    actor: User,
    agent: User,
    status: str = UNSET,
    capacity: int = UNSET,
    skills: list[str] = UNSET,
    languages: list[str] = UNSET,
    categories: Iterable[Category] = UNSET,
    working_hours: dict[str, Any] | None = UNSET,
    out_of_office: list[dict[str, Any]] = UNSET,
) -> AgentProfile:
    """Change an agent's availability and routing data.

    Supervisors and admins change anyone's; an agent changes only their own `status`.
    A customer (or unknown) agent is NotFound. Creates the profile when missing.
    """
    actor_obj = Actor.of(actor)
    if agent is None or not agent.is_helpdesk_staff:
        raise NotFound({"detail": [_("No such agent.")]})
    others = {
        "capacity": capacity,
        "skills": skills,
        "languages": languages,
        "categories": categories,
        "working_hours": working_hours,
        "out_of_office": out_of_office,
    }
    given_others = {name: value for name, value in others.items() if value is not UNSET}
    if not actor.is_supervisor_or_admin:
        if actor.pk != agent.pk:
            raise PermissionDenied(_("Only supervisors and admins change other agents."))
        if given_others:
            fields = ", ".join(sorted(given_others))
            raise PermissionDenied(
                _("Agents may change only their own status (not %(fields)s).") % {"fields": fields}
            )
    profile = _profile_for_update(agent, actor=actor_obj)
    return agent_profile_update(profile=profile, actor=actor_obj, status=status, **given_others)


def agent_status_set(*, actor: User, status: str) -> AgentProfile:
    """Switch the actor's own status (the desk header's switch)."""
    return agent_update(actor=actor, agent=actor, status=status)
