"""Create, change and delete SLA profiles; keep exactly one default; re-derive open tickets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1 import jobs
from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.exceptions import Conflict, DomainError
from panel1.sentinels import UNSET
from sla.models import SlaProfile, TicketSLA
from sla.services.states import (
    SYSTEM,
    audit_due_times,
    due_times,
    log_entry,
    profile_sentence,
    refresh_state,
    save_derived,
    sla_profile_match,
    ticket_sla_rederive,
)
from sla.services.validation import sla_profile_clean
from tickets.models import Ticket
from tickets.services.audit import HistoryEntry, ticket_history_record_bulk

# Editing one of these changes due times of running tickets, so they are re-derived.
CLOCK_FIELDS = frozenset(
    {
        "first_response_time",
        "next_response_time",
        "resolution_time",
        "business_hours",
        "holidays",
        "recurring_holidays",
        "escalation_rules",
    }
)
CHUNK = 500
SYNC_REDERIVE_LIMIT = 2000


# The fields of a profile an interface may set: the admin form, the API serializer and the
# services below all use this one list.
PROFILE_FIELDS = (
    "name",
    "description",
    "first_response_time",
    "next_response_time",
    "resolution_time",
    "is_default",
    "business_hours",
    "holidays",
    "recurring_holidays",
    "priorities",
    "categories",
    "escalation_rules",
)


def _demote_default(*, keep: SlaProfile | None = None) -> None:
    # Lock the current default first: two admins switching the default at once queue here,
    # and the partial unique index catches anything that slips past.
    current = SlaProfile.objects.select_for_update().filter(is_default=True)
    if keep is not None:
        current = current.exclude(pk=keep.pk)
    for profile in current:
        profile.is_default = False
        profile.save(update_fields=["is_default", "updated_at"])


@transaction.atomic
def sla_profile_create(
    *,
    actor: User | Actor,
    name: str,
    first_response_time: int,
    resolution_time: int,
    description: str = "",
    next_response_time: int | None = None,
    is_default: bool = False,
    business_hours: dict | None = None,
    holidays: Iterable = (),
    recurring_holidays: Iterable[str] = (),
    priorities: Iterable[str] = (),
    categories: Iterable = (),
    escalation_rules: list | None = None,
) -> SlaProfile:
    """Create a profile. The first profile becomes the default; a new default demotes the old.

    New profiles apply to tickets created (or re-prioritized / re-categorized) from now on.
    """
    arguments = locals()
    data = sla_profile_clean({field: arguments[field] for field in PROFILE_FIELDS})
    categories = data.pop("categories")
    if data["is_default"]:
        _demote_default()
    elif not SlaProfile.objects.filter(is_default=True).exists():
        data["is_default"] = True
    profile = SlaProfile.objects.create(**data)
    profile.categories.set(categories)
    audit_record(
        actor=actor, action="sla.profile.created", target=profile, details={"name": profile.name}
    )
    return profile


@transaction.atomic
def sla_profile_update(
    *,
    profile: SlaProfile,
    actor: User | Actor,
    now: dt.datetime | None = None,
    name: str = UNSET,
    description: str = UNSET,
    first_response_time: int = UNSET,
    next_response_time: int | None = UNSET,
    resolution_time: int = UNSET,
    is_default: bool = UNSET,
    business_hours: dict | None = UNSET,
    holidays: Iterable = UNSET,
    recurring_holidays: Iterable[str] = UNSET,
    priorities: Iterable[str] = UNSET,
    categories: Iterable = UNSET,
    escalation_rules: list | None = UNSET,
) -> SlaProfile:
    """Change a profile. New targets, hours, holidays or escalation rules re-derive the due
    times of its open tickets at once; closed tickets keep their recorded outcomes.

    Changed criteria (priorities, categories) apply from each ticket's next match (creation,
    priority or category change); tickets already running keep their profile.
    """
    arguments = locals()
    given = {field: arguments[field] for field in PROFILE_FIELDS}
    profile = SlaProfile.objects.select_for_update().get(pk=profile.pk)
    data = sla_profile_clean(
        {key: value for key, value in given.items() if value is not UNSET}, profile=profile
    )
    if data.get("is_default") is False and profile.is_default:
        raise DomainError(
            {"is_default": [_("One profile is always the default: make another one the default.")]}
        )
    if data.get("is_default") and not profile.is_default:
        _demote_default(keep=profile)
    new_categories = data.pop("categories", None)
    changed = {key for key, value in data.items() if getattr(profile, key) != value}
    for key in changed:
        setattr(profile, key, data[key])
    profile.save()
    if new_categories is not None:
        profile.categories.set(new_categories)
    if changed or new_categories is not None:
        fields = sorted(changed | ({"categories"} if new_categories is not None else set()))
        audit_record(
            actor=actor, action="sla.profile.updated", target=profile, details={"fields": fields}
        )
    if changed & CLOCK_FIELDS:
        fields = sorted(changed & CLOCK_FIELDS)
        _rederive_after_edit(profile, now=now or timezone.now(), fields=fields)
    return profile


def _rederive_after_edit(profile: SlaProfile, *, now: dt.datetime, fields: list[str]) -> None:
    """Re-derive the profile's open tickets now, or, for many, in a task after commit.

    Up to SYNC_REDERIVE_LIMIT tickets (about half a second) the edit's own transaction does
    it, so the answer already shows the new due times. Beyond that a request would take
    minutes, so a task re-derives in chunks right after commit; until it has run, the monitor
    judges those tickets by their previous due times.
    """
    count = TicketSLA.objects.filter(profile=profile, is_closed=False).count()
    if count <= SYNC_REDERIVE_LIMIT:
        sla_profile_rederive(profile=profile, now=now, fields=fields)
    else:
        jobs.enqueue("sla.tasks.profile_rederive_task", str(profile.pk), fields)


def sla_profile_rederive(*, profile: SlaProfile, now: dt.datetime, fields: list[str]) -> int:
    """Re-derive every open ticket on `profile`, a chunk per transaction, under row locks
    taken in pk order; return how many tickets were looked at.

    The chunk's tickets are locked before their SLA rows (a new due time is copied to the
    ticket's row, see sla/migrations/0003), in the order a ticket request takes them (ticket
    lock, then its SLA row): either may wait for the other, neither for a lock the other
    waits for.
    """
    reason = f"Profile {profile.name!r} changed ({', '.join(fields)}): due times re-derived."
    pks = list(
        TicketSLA.objects.filter(profile=profile, is_closed=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for offset in range(0, len(pks), CHUNK):
        with transaction.atomic():
            _rederive_chunk(profile, pks[offset : offset + CHUNK], now=now, reason=reason)
    return len(pks)


def _lock_tickets(pks: list) -> None:
    """Lock the tickets of `pks`, in pk order, ahead of their SLA rows (the fixed order)."""
    list(
        Ticket.objects.select_for_update(no_key=True)
        .filter(pk__in=pks)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _rederive_chunk(profile: SlaProfile, pks: list, *, now: dt.datetime, reason: str) -> None:
    _lock_tickets(pks)
    states = list(
        TicketSLA.objects.select_for_update(of=("self",))
        .filter(pk__in=pks, profile=profile, is_closed=False)
        .order_by("pk")
    )
    audits = []
    for state in states:
        before = ticket_sla_rederive(state, profile=profile, now=now, reason=reason)
        after = due_times(state)
        if before is not None and before != after:
            audits.append(
                HistoryEntry(
                    ticket_id=state.pk,
                    event="sla.due_times",
                    field="sla",
                    before=before,
                    after=after,
                    reason=reason,
                )
            )
    save_derived(states)
    ticket_history_record_bulk(actor=SYSTEM, entries=audits)


@transaction.atomic
def sla_profile_delete(
    *, profile: SlaProfile, actor: User | Actor, now: dt.datetime | None = None
) -> None:
    """Delete a profile that is not the default; its open tickets move to the profile that
    matches them now. Closed tickets keep their outcomes (and the profile's name)."""
    now = now or timezone.now()
    profile = SlaProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.is_default:
        raise Conflict(
            {
                "non_field_errors": [
                    _("The default profile cannot be deleted; make another default.")
                ]
            }
        )
    audit_record(
        actor=actor, action="sla.profile.deleted", target=profile, details={"name": profile.name}
    )
    _lock_tickets(
        list(
            TicketSLA.objects.filter(profile=profile, is_closed=False).values_list("pk", flat=True)
        )
    )
    states = (
        TicketSLA.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .filter(profile=profile, is_closed=False)
        .order_by("pk")
    )
    for state in states:
        ticket = state.ticket
        new, why = sla_profile_match(
            priority=ticket.priority, category_id=ticket.category_id, exclude=profile
        )
        before = due_times(state)
        refresh_state(state, new, now=now)
        detail = f"Profile {profile.name!r} deleted. {profile_sentence(new, why)}"
        log_entry(state, now, "rematch", detail)
        state.save()
        audit_due_times(ticket, state, before, detail)
    profile.delete()
