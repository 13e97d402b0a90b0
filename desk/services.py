"""Writes of the desk: saved views, drafts, presence, replies and bulk actions.

Ticket changes still go through `tickets.services` (audit rows, events after commit); this
module only composes them for the desk and keeps the desk's own rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from desk.macros import macro_actions_clean, macro_apply
from desk.models import CannedResponse, PresenceState, ReplyDraft, SavedView, TicketPresence
from desk.notifications import desk_settings
from desk.queues import normalize_filters, sort_key
from panel1.accounts.models import User
from panel1.audit.services import audit_record
from panel1.db_writes import NO_FLUSH_WAIT, may_skip_flush_wait
from panel1.exceptions import DomainError, PermissionDenied
from tickets import services
from tickets.models import Category, Channel, Message, MessageType, Priority, Status, Ticket
from tickets.services import UNSET, AttachmentInput

PRESENCE_TTL = timedelta(seconds=30)
MAX_SAVED_VIEWS_PER_USER = 50


def _staff_only(user: User) -> None:
    if not (user and user.is_authenticated and user.is_helpdesk_staff):
        raise PermissionDenied(_("Only staff use the desk."))


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError({"name": [_("Give the view a name.")]})
    if len(name) > 80:
        raise DomainError({"name": [_("Use at most 80 characters.")]})
    return name


@transaction.atomic
def saved_view_create(
    *,
    actor: User,
    name: str,
    filters: dict,
    ordering: str = "",
    is_shared: bool = False,
    owner: User | None = None,
    position: int | None = None,
) -> SavedView:
    """Save a filter combination as a view of `owner` (default: `actor`; someone else's only
    for supervisors and admins), shared with all staff if asked."""
    _staff_only(actor)
    owner = owner or actor
    if owner.pk != actor.pk and not actor.is_supervisor_or_admin:
        raise PermissionDenied(_("Only supervisors and admins create views for others."))
    name = _clean_name(name)
    if SavedView.objects.filter(owner=owner).count() >= MAX_SAVED_VIEWS_PER_USER:
        raise DomainError(
            {
                "name": [
                    _("At most %(max_saved_views_per_user)s views per person.")
                    % {"max_saved_views_per_user": MAX_SAVED_VIEWS_PER_USER}
                ]
            }
        )
    extra = {} if position is None else {"position": position}
    try:
        with transaction.atomic():
            view = SavedView.objects.create(
                owner=owner,
                name=name,
                filters=normalize_filters(filters),
                ordering=sort_key(ordering) if ordering else "",
                is_shared=bool(is_shared),
                **extra,
            )
    except IntegrityError as exc:
        raise DomainError(
            {"name": [_("You already have a view named %(name)s.") % {"name": repr(name)}]}
        ) from exc
    audit_record(actor=actor, action="saved_view.created", target=view, details={"name": name})
    return view


def _check_owner(view: SavedView, actor: User) -> None:
    if view.owner_id != actor.pk and not actor.is_supervisor_or_admin:
        raise PermissionDenied(_("Only its owner, a supervisor or an admin can change this view."))


@transaction.atomic
def saved_view_update(
    *,
    view: SavedView,
    actor: User,
    name: str = UNSET,
    filters: dict = UNSET,
    ordering: str = UNSET,
    is_shared: bool = UNSET,
    owner: User = UNSET,
    position: int = UNSET,
) -> SavedView:
    """Rename, re-filter, (un)share, reorder or hand over a view; its owner, supervisors and
    admins only (handing over: supervisors and admins)."""
    _staff_only(actor)
    _check_owner(view, actor)
    if owner is not UNSET and owner.pk != view.owner_id:
        if not actor.is_supervisor_or_admin:
            raise PermissionDenied(_("Only supervisors and admins hand a view over."))
        view.owner = owner
    if position is not UNSET:
        view.position = position
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
        raise DomainError(
            {
                "name": [
                    _("A view named %(view_name)s exists already.") % {"view_name": repr(view.name)}
                ]
            }
        ) from exc
    audit_record(actor=actor, action="saved_view.updated", target=view, details={"name": view.name})
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, actor: User) -> None:
    _staff_only(actor)
    _check_owner(view, actor)
    audit_record(actor=actor, action="saved_view.deleted", target=view, details={"name": view.name})
    view.delete()


def _check_canned_owner(actor: User, owner: User | None) -> None:
    if owner is not None and owner.pk == actor.pk:
        return
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied(
            _("Only supervisors and admins manage shared canned responses or those of others.")
        )


def _check_canned_fields(*, title: str, content: str) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the canned response a title.")]
    if not (content or "").strip():
        errors["content"] = [_("Write the text of the canned response.")]
    if errors:
        raise DomainError(errors)


@transaction.atomic
def canned_response_create(
    *,
    actor: User | None,
    title: str,
    content: str,
    shortcut: str = "",
    category: Category | None = None,
    owner: User | None = None,
    is_active: bool = True,
    actions: dict | None = None,
) -> CannedResponse:
    """Add a canned response, shared with the team (no `owner`) or one agent's own.

    `actor` None is the system (provisioning's demo data); agents may add their own only,
    supervisors and admins any."""
    if actor is not None:
        _staff_only(actor)
        _check_canned_owner(actor, owner)
    _check_canned_fields(title=title, content=content)
    response = CannedResponse.objects.create(
        title=title.strip(),
        content=content,
        shortcut=shortcut or "",
        category=category,
        owner=owner,
        is_active=bool(is_active),
        actions=macro_actions_clean(actions),
    )
    audit_record(
        actor=actor, action="canned_response.created", target=response, details={"title": title}
    )
    return response


@transaction.atomic
def canned_response_update(
    *,
    response: CannedResponse,
    actor: User,
    title: str = UNSET,
    content: str = UNSET,
    shortcut: str = UNSET,
    category: Category | None = UNSET,
    owner: User | None = UNSET,
    is_active: bool = UNSET,
    actions: dict = UNSET,
) -> CannedResponse:
    """Change a canned response (or macro); its owner, supervisors and admins only."""
    _staff_only(actor)
    _check_canned_owner(actor, response.owner)
    if owner is not UNSET:
        _check_canned_owner(actor, owner)
        response.owner = owner
    changes = {"title": title, "content": content, "shortcut": shortcut, "category": category}
    for name, value in changes.items():
        if value is not UNSET:
            setattr(response, name, value)
    if is_active is not UNSET:
        response.is_active = bool(is_active)
    if actions is not UNSET:
        response.actions = macro_actions_clean(actions)
    _check_canned_fields(title=response.title, content=response.content)
    response.title = response.title.strip()
    response.save()
    audit_record(
        actor=actor,
        action="canned_response.updated",
        target=response,
        details={"title": response.title},
    )
    return response


@transaction.atomic
def canned_response_delete(*, response: CannedResponse, actor: User) -> None:
    _staff_only(actor)
    _check_canned_owner(actor, response.owner)
    audit_record(
        actor=actor,
        action="canned_response.deleted",
        target=response,
        details={"title": response.title},
    )
    response.delete()


@transaction.atomic
def canned_response_used(*, response: CannedResponse, actor: User) -> None:
    """Count one use (the most used are listed first); a conditional-free atomic increment."""
    _staff_only(actor)
    CannedResponse.objects.filter(pk=response.pk).update(usage_count=F("usage_count") + 1)


@transaction.atomic
def reply_draft_save(
    *,
    ticket: Ticket,
    actor: User,
    content: str,
    is_internal: bool = False,
    status_after: str = "",
) -> ReplyDraft | None:
    """Keep what the agent is typing (one row per agent and ticket); empty text removes it."""
    _staff_only(actor)
    if not (content or "").strip():
        ReplyDraft.objects.filter(ticket=ticket, user=actor).delete()
        return None
    if status_after not in Status.values:
        status_after = ""
    draft, _unused = ReplyDraft.objects.update_or_create(
        ticket=ticket,
        user=actor,
        defaults={
            "content": content[:200_000],
            "is_internal": bool(is_internal),
            "status_after": status_after,
        },
    )
    return draft


@transaction.atomic
def reply_draft_discard(*, ticket: Ticket, actor: User) -> None:
    ReplyDraft.objects.filter(ticket=ticket, user=actor).delete()


@transaction.atomic
def presence_touch(*, ticket: Ticket, actor: User, state: str = PresenceState.VIEWING) -> None:
    """Record that `actor` has the ticket open (and is typing, or not) for the next 30 s."""
    _staff_only(actor)
    if state not in PresenceState.values:
        state = PresenceState.VIEWING
    now = timezone.now()
    if may_skip_flush_wait():
        # The next heartbeat (10 s) writes it again: a commit that does not wait for the disk
        # flush, one round trip instead of a disk sync per heartbeat of every open ticket.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {NO_FLUSH_WAIT}")
    # One upsert per heartbeat; the unique (ticket, user) constraint is the conflict target.
    TicketPresence.objects.bulk_create(
        [TicketPresence(ticket=ticket, user=actor, state=state, expires_at=now + PRESENCE_TTL)],
        update_conflicts=True,
        unique_fields=["ticket", "user"],
        update_fields=["state", "expires_at"],
    )


@transaction.atomic
def presence_leave(*, ticket: Ticket, actor: User) -> None:
    TicketPresence.objects.filter(ticket=ticket, user=actor).delete()


@transaction.atomic
def presence_prune() -> int:
    """Delete presence rows that expired (agents who closed the tab without a goodbye); the
    hourly job runs it as the system."""
    deleted, _unused = TicketPresence.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


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
    macro: CannedResponse | None = None,
) -> Message:
    """Reply (or add an internal note), apply the macro picked for it and optionally set the
    status, all or nothing; the agent's draft goes with it."""
    _staff_only(actor)
    message = services.message_add(
        ticket=ticket,
        actor=actor,
        content=content,
        message_type=MessageType.INTERNAL_NOTE if internal else MessageType.STAFF_REPLY,
        time_spent=time_spent,
        attachments=attachments,
    )
    if not internal:
        _assign_on_reply(message.ticket, actor)
    if macro is not None and macro.actions:
        macro_apply(
            ticket=message.ticket, actor=actor, actions=macro.actions, status_set=bool(status_after)
        )
    if status_after:
        services.ticket_status_change(
            ticket=message.ticket, actor=actor, status=status_after, reason="Set with reply"
        )
    reply_draft_discard(ticket=ticket, actor=actor)
    return message


def _assign_on_reply(ticket: Ticket, actor: User) -> None:
    """Who answers an unassigned ticket owns it (the tenant's `assign_on_reply` option);
    an agent the ticket's category is closed to leaves it unassigned."""
    ticket.refresh_from_db(fields=["assignee"])
    if ticket.assignee_id is not None or not desk_settings().assign_on_reply:
        return
    try:
        with transaction.atomic():
            services.ticket_assign(ticket=ticket, actor=actor, assignee=actor)
    except DomainError:
        pass


DESK_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.WALK_IN, Channel.WEB)


@transaction.atomic
def desk_ticket_open(
    *,
    actor: User,
    requester: User,
    subject: str,
    content: str,
    channel: str = Channel.PHONE,
    send_to_customer: bool = False,
    priority: str = Priority.MEDIUM,
    category: Category | None = None,
    tags: list[str] = (),
    assignee: User | None = None,
    status: str = "",
    attachments: list[AttachmentInput] = (),
    follow_up_of: Ticket | None = None,
) -> Ticket:
    """Open a ticket from the desk, all or nothing: a call or visit logged for the customer
    (`send_to_customer=False`: their request as the first message, no mail to them) or a
    conversation the agent starts (their message is mailed to the customer). Then the
    properties; a follow-up of a closed ticket is linked to it with a note giving context."""
    _staff_only(actor)
    if channel not in DESK_CHANNELS:
        raise DomainError({"channel": [_("Choose phone, email, walk-in or web.")]})
    ticket = services.ticket_create(
        actor=actor,
        requester=requester,
        subject=subject,
        content=content,
        priority=priority,
        category=category,
        tags=tags,
        channel=channel,
        attachments=attachments,
        first_message_type=MessageType.STAFF_REPLY
        if send_to_customer
        else MessageType.CUSTOMER_REPLY,
        acknowledge=False,
    )
    if follow_up_of is not None:
        services.ticket_link(ticket=ticket, other=follow_up_of, actor=actor)
        services.message_add(
            ticket=ticket,
            actor=actor,
            message_type=MessageType.INTERNAL_NOTE,
            content=(
                f"Follow-up of {follow_up_of.number} “{follow_up_of.subject}” "
                f"({follow_up_of.get_status_display().lower()})."
            ),
        )
    if assignee is not None:
        services.ticket_assign(ticket=ticket, actor=actor, assignee=assignee)
    if status and status != ticket.status:
        services.ticket_status_change(ticket=ticket, actor=actor, status=status)
    return ticket


BULK_ACTIONS = ("assign", "status", "priority", "tags_add", "tags_remove", "merge")


@dataclass
class BulkResult:
    done: list[Ticket] = field(default_factory=list)
    failed: list[tuple[Ticket, str]] = field(default_factory=list)


def _error_text(exc: DomainError) -> str:
    return " ".join(m for messages in exc.errors.values() for m in messages)


def tickets_bulk_apply(
    *,
    actor: User,
    tickets: list[Ticket],
    action: str,
    value=None,
    target: Ticket | None = None,
    make_public: bool = False,
) -> BulkResult:
    """Apply one action to many tickets, each through its service in its own transaction,
    so one refused change (a transition not allowed, ...) does not undo the others."""
    _staff_only(actor)
    if action not in BULK_ACTIONS:
        raise DomainError(
            {"action": [_("%(action)s is not a bulk action.") % {"action": repr(action)}]}
        )
    result = BulkResult()
    if action == "merge":
        return tickets_merge(actor=actor, tickets=tickets, target=target, make_public=make_public)
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


def tickets_merge(
    *, actor: User, tickets: list[Ticket], target: Ticket | None, make_public: bool = False
) -> BulkResult:
    """Merge every ticket of `tickets` into `target`, the survivor the agent chose (there is
    no default: a merge is hard to undo). Each merge is its own transaction; across
    requesters replies become internal notes unless `make_public` (see `ticket_merge`)."""
    _staff_only(actor)
    if target is None:
        raise DomainError({"target": [_("Choose the ticket that survives the merge.")]})
    others = [t for t in tickets if t.pk != target.pk]
    if not others:
        raise DomainError({"tickets": [_("Select at least one other ticket to merge.")]})
    result = BulkResult()
    for ticket in others:
        try:
            services.ticket_merge(
                source=ticket, target=target, actor=actor, make_public=make_public
            )
        except DomainError as exc:
            result.failed.append((ticket, _error_text(exc)))
        else:
            result.done.append(ticket)
    return result
