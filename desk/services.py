"""Writes of the desk: saved views, drafts, presence, replies and bulk actions.

Ticket changes still go through `tickets.services` (audit rows, events after commit); this
module only composes them for the desk and keeps the desk's own rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from desk.models import CannedResponse, PresenceState, ReplyDraft, SavedView, TicketPresence
from desk.queues import normalize_filters, sort_key
from panel1.accounts.models import User
from panel1.exceptions import DomainError, PermissionDenied
from tickets import services
from tickets.models import Message, MessageType, Status, Ticket
from tickets.services import UNSET, AttachmentInput

PRESENCE_TTL = timedelta(seconds=30)
MAX_SAVED_VIEWS_PER_USER = 50


def _staff_only(user: User) -> None:
    if not (user and user.is_authenticated and user.is_helpdesk_staff):
        raise PermissionDenied("Only staff use the desk.")


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError({"name": ["Give the view a name."]})
    if len(name) > 80:
        raise DomainError({"name": ["Use at most 80 characters."]})
    return name


@transaction.atomic
def saved_view_create(
    *, actor: User, name: str, filters: dict, ordering: str = "", is_shared: bool = False
) -> SavedView:
    """Save a filter combination as a view of `actor` (shared with all staff if asked)."""
    _staff_only(actor)
    name = _clean_name(name)
    if SavedView.objects.filter(owner=actor).count() >= MAX_SAVED_VIEWS_PER_USER:
        raise DomainError({"name": [f"At most {MAX_SAVED_VIEWS_PER_USER} views per person."]})
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                owner=actor,
                name=name,
                filters=normalize_filters(filters),
                ordering=sort_key(ordering) if ordering else "",
                is_shared=bool(is_shared),
            )
    except IntegrityError as exc:
        raise DomainError({"name": [f"You already have a view named {name!r}."]}) from exc


def _check_owner(view: SavedView, actor: User) -> None:
    if view.owner_id != actor.pk and not actor.is_supervisor_or_admin:
        raise PermissionDenied("Only its owner, a supervisor or an admin can change this view.")


@transaction.atomic
def saved_view_update(
    *, view: SavedView, actor: User, name=UNSET, filters=UNSET, ordering=UNSET, is_shared=UNSET
) -> SavedView:
    """Rename, re-filter or (un)share a view; owners, supervisors and admins only."""
    _staff_only(actor)
    _check_owner(view, actor)
    if name is not UNSET:
        view.name = _clean_name(name)
    if filters is not UNSET:
        view.filters = normalize_filters(filters)
    if ordering is not UNSET:
        view.ordering = sort_key(ordering) if ordering else ""
    if is_shared is not UNSET:
        view.is_shared = bool(is_shared)
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError as exc:
        raise DomainError({"name": [f"A view named {view.name!r} exists already."]}) from exc
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, actor: User) -> None:
    _staff_only(actor)
    _check_owner(view, actor)
    view.delete()


def canned_responses_for(user, *, query: str = "", category_id=None, limit: int = 15):
    """Shared and own active canned responses matching `query` (title, shortcut or text);
    those of the ticket's category first, then the most used."""
    qs = CannedResponse.objects.filter(Q(owner__isnull=True) | Q(owner=user), is_active=True)
    for word in (query or "").split()[:5]:
        qs = qs.filter(
            Q(title__icontains=word) | Q(shortcut__icontains=word) | Q(content__icontains=word)
        )
    ordering = ["-usage_count", "title"]
    if category_id:
        from django.db.models import Case, IntegerField, Value, When

        ordering.insert(
            0,
            Case(
                When(category_id=category_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
    return list(qs.order_by(*ordering)[:limit])


def canned_response_used(*, response: CannedResponse) -> None:
    CannedResponse.objects.filter(pk=response.pk).update(usage_count=F("usage_count") + 1)


def reply_draft_save(
    *, ticket: Ticket, user: User, content: str, is_internal: bool = False, status_after: str = ""
) -> ReplyDraft | None:
    """Keep what the agent is typing (one row per agent and ticket); empty text removes it."""
    _staff_only(user)
    if not (content or "").strip():
        ReplyDraft.objects.filter(ticket=ticket, user=user).delete()
        return None
    if status_after not in Status.values:
        status_after = ""
    draft, _ = ReplyDraft.objects.update_or_create(
        ticket=ticket,
        user=user,
        defaults={
            "content": content[:200_000],
            "is_internal": bool(is_internal),
            "status_after": status_after,
        },
    )
    return draft


def reply_draft_discard(*, ticket: Ticket, user: User) -> None:
    ReplyDraft.objects.filter(ticket=ticket, user=user).delete()


def presence_touch(*, ticket: Ticket, user: User, state: str = PresenceState.VIEWING) -> None:
    """Record that `user` has the ticket open (and is typing, or not) for the next 30 s."""
    if state not in PresenceState.values:
        state = PresenceState.VIEWING
    now = timezone.now()
    # One upsert per heartbeat; the unique (ticket, user) constraint is the conflict target.
    TicketPresence.objects.bulk_create(
        [TicketPresence(ticket=ticket, user=user, state=state, expires_at=now + PRESENCE_TTL)],
        update_conflicts=True,
        unique_fields=["ticket", "user"],
        update_fields=["state", "expires_at"],
    )


def presence_leave(*, ticket: Ticket, user: User) -> None:
    TicketPresence.objects.filter(ticket=ticket, user=user).delete()


def presence_prune() -> int:
    """Delete presence rows that expired (agents who closed the tab without a goodbye)."""
    deleted, _ = TicketPresence.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


def presence_others(*, ticket: Ticket, user: User) -> list[TicketPresence]:
    return list(
        TicketPresence.objects.filter(ticket=ticket, expires_at__gt=timezone.now())
        .exclude(user=user)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


@transaction.atomic
def reply_send(
    *,
    ticket: Ticket,
    actor: User,
    content: str,
    internal: bool = False,
    status_after: str = "",
    time_spent: int | None = None,
    attachments: list[AttachmentInput] = (),
) -> Message:
    """Reply (or add an internal note) and optionally set the status, all or nothing; the
    agent's draft goes with it."""
    _staff_only(actor)
    message = services.message_add(
        ticket=ticket,
        actor=actor,
        content=content,
        message_type=MessageType.INTERNAL_NOTE if internal else MessageType.STAFF_REPLY,
        time_spent=time_spent,
        attachments=attachments,
    )
    if status_after:
        services.ticket_status_change(
            ticket=message.ticket, actor=actor, status=status_after, reason="Set with reply"
        )
    reply_draft_discard(ticket=ticket, user=actor)
    return message


BULK_ACTIONS = ("assign", "status", "priority", "tags_add", "tags_remove", "merge")


@dataclass
class BulkResult:
    done: list[Ticket] = field(default_factory=list)
    failed: list[tuple[Ticket, str]] = field(default_factory=list)


def _error_text(exc: DomainError) -> str:
    return " ".join(m for messages in exc.errors.values() for m in messages)


def tickets_bulk_apply(
    *, actor: User, tickets: list[Ticket], action: str, value=None, target: Ticket | None = None
) -> BulkResult:
    """Apply one action to many tickets, each through its service in its own transaction,
    so one refused change (a transition not allowed, ...) does not undo the others."""
    _staff_only(actor)
    if action not in BULK_ACTIONS:
        raise DomainError({"action": [f"{action!r} is not a bulk action."]})
    result = BulkResult()
    if action == "merge":
        return _bulk_merge(actor=actor, tickets=tickets, target=target, result=result)
    for ticket in tickets:
        try:
            _bulk_one(actor, ticket, action, value)
        except DomainError as exc:
            result.failed.append((ticket, _error_text(exc)))
        else:
            result.done.append(ticket)
    return result


def _bulk_one(actor: User, ticket: Ticket, action: str, value) -> None:
    if action == "assign":
        services.ticket_assign(ticket=ticket, actor=actor, assignee=value)
    elif action == "status":
        services.ticket_status_change(ticket=ticket, actor=actor, status=value, reason="Bulk")
    elif action == "priority":
        services.ticket_update(ticket=ticket, actor=actor, priority=value)
    elif action == "tags_add":
        services.ticket_update(ticket=ticket, actor=actor, tags=[*ticket.tags, *value])
    elif action == "tags_remove":
        remove = set(value)
        services.ticket_update(
            ticket=ticket, actor=actor, tags=[t for t in ticket.tags if t not in remove]
        )


def _bulk_merge(*, actor, tickets, target, result: BulkResult) -> BulkResult:
    if target is None:
        if len(tickets) < 2:
            raise DomainError({"tickets": ["Select at least two tickets to merge."]})
        target = min(tickets, key=lambda t: (t.created_at, t.number))
    for ticket in tickets:
        if ticket.pk == target.pk:
            continue
        try:
            services.ticket_merge(source=ticket, target=target, actor=actor)
        except DomainError as exc:
            result.failed.append((ticket, _error_text(exc)))
        else:
            result.done.append(ticket)
    return result
