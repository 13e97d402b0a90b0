"""Create tickets and change their status, assignee and properties."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db import transaction
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.db_writes import insert_one
from panel1.events import bus, names
from panel1.exceptions import DomainError, PermissionDenied
from panel1.sentinels import UNSET
from panel1.tenants.services import current_tenant
from panel1.text import clean_one_line
from tickets.language import offered_code, ticket_language
from tickets.models import (
    Category,
    Channel,
    MessageType,
    Priority,
    Status,
    Ticket,
)
from tickets.numbering import ticket_number_claim
from tickets.querysets import agent_category_ids
from tickets.services import extensions
from tickets.services.attachments import AttachmentInput
from tickets.services.audit import audit, emit, touch
from tickets.services.locking import TicketAlreadyAssigned, ticket_lock
from tickets.services.messages import message_write
from tickets.services.routing import creation_route
from tickets.services.transitions import (
    ALLOWED_TRANSITIONS,
    CUSTOMER_TRANSITIONS,
    status_apply,
)

MAX_TAGS = 30


def normalize_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise DomainError({"tags": [_("Tags must be strings.")]})
        tag = clean_one_line(tag).lower()
        if not tag:
            continue
        if len(tag) > 50:
            raise DomainError(
                {
                    "tags": [
                        _("Tag %(tag)s... is longer than 50 characters.") % {"tag": repr(tag[:20])}
                    ]
                }
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise DomainError(
            {"tags": [_("At most %(max_tags)s tags per ticket.") % {"max_tags": MAX_TAGS}]}
        )
    return cleaned


def _check_category(category: Category | None) -> None:
    if category is not None and not category.is_active:
        raise DomainError(
            {
                "category": [
                    _("Category %(category_name)s is not active.")
                    % {"category_name": repr(category.name)}
                ]
            }
        )


@transaction.atomic
def ticket_create(**kwargs) -> Ticket:
    """Create a ticket with its first message, number, audit row and `ticket.created` (one
    transaction, its events written with one INSERT). Keyword arguments: see `_ticket_create`."""
    with bus.batch():
        return _ticket_create(**kwargs)


def ticket_write(**kwargs) -> Ticket:
    """`ticket_create` inside the caller's transaction and event batch (no savepoint of its
    own): for services that already run in one, such as mail ingest, whose failure rolls the
    whole change back anyway. Keyword arguments: see `_ticket_create`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ticket_write() must run inside a transaction.")
    return _ticket_create(**kwargs)


def _ticket_create(
    *,
    actor: User | Actor,
    requester: User,
    subject: str,
    content: str,
    priority: str = Priority.MEDIUM,
    category: Category | None = None,
    tags: Iterable[str] = (),
    channel: str = Channel.WEB,
    attachments: list[AttachmentInput] = (),
    cc: Iterable[User] = (),
    email_message_id: str = "",
    first_message_type: str = MessageType.CUSTOMER_REPLY,
    acknowledge: bool = True,
) -> Ticket:
    """Create a ticket with its first message, number, audit row and `ticket.created`.

    The first message is the requester's request (`CUSTOMER_REPLY`), also when staff file
    it for them; staff opening a conversation with a customer (an outbound ticket) make it
    a `STAFF_REPLY` of theirs, mailed to the requester like any reply (`message.added`).
    `acknowledge=False` asks the mail channel not to send the "we got your request" mail
    (the payload of `ticket.created` carries it).
    """
    actor = Actor.of(actor)
    if first_message_type not in (MessageType.CUSTOMER_REPLY, MessageType.STAFF_REPLY):
        raise DomainError({"first_message_type": [_("Start with a customer or a staff reply.")]})
    outbound = first_message_type == MessageType.STAFF_REPLY
    if outbound and (actor.user is None or not actor.is_staff):
        raise PermissionDenied(_("Only staff open a ticket with a reply of their own."))
    data = extensions.new_ticket_data(
        actor=actor,
        requester=requester,
        data={
            "subject": subject or "",
            "content": content or "",
            "priority": priority,
            "tags": list(tags),
            "channel": channel,
        },
    )
    subject, content, priority, tags = (data[k] for k in ("subject", "content", "priority", "tags"))
    subject = clean_one_line(subject or "")
    if not subject:
        raise DomainError({"subject": [_("A subject is required.")]})
    if len(subject) > 255:
        raise DomainError({"subject": [_("Use at most 255 characters.")]})
    if not (content or "").strip():
        raise DomainError({"content": [_("The first message may not be empty.")]})
    if priority not in Priority.values:
        raise DomainError(
            {
                "priority": [
                    _("%(priority)s is not a valid priority.") % {"priority": repr(priority)}
                ]
            }
        )
    if channel not in Channel.values and channel not in extensions.plugin_channels():
        raise DomainError(
            {"channel": [_("%(channel)s is not a valid channel.") % {"channel": repr(channel)}]}
        )
    _check_category(category)
    language = ticket_language(requester=requester, text=f"{subject}\n{content}")
    ticket = Ticket(
        subject=subject,
        priority=priority,
        category=category,
        tags=normalize_tags(tags),
        requester=requester,
        channel=channel,
        language=language,
        **(
            {"last_staff_message_at": timezone.now(), "first_responded_at": timezone.now()}
            if outbound
            else {"last_customer_message_at": timezone.now()}
        ),
    )
    # Routing decides before the row is written (it goes in with its agent), reading with
    # the statement that takes the ticket's number.
    claim = ticket_number_claim(tenant=current_tenant())
    routed, claimed = creation_route(ticket=ticket, actor=actor, along=(claim.sql, claim.params))
    ticket.number = claim.number(claimed)
    ticket = insert_one(ticket)
    _cc_of_new_ticket(ticket, {user.pk: user for user in cc if user.pk != requester.pk})
    # The first message is the request itself: a customer message by the requester, also
    # when staff file it on the customer's behalf (the audit row records who did).
    message = message_write(
        ticket=ticket,
        actor=actor,
        content=content,
        message_type=first_message_type,
        author=actor.user if outbound else requester,
        attachments=attachments,
        channel=channel,
        email_message_id=email_message_id,
        initial=True,
    )
    ticket.initial_message = message  # in memory only: callers answer with it
    audit(ticket, actor, names.TICKET_CREATED, after=ticket.number)
    extra = {} if acknowledge else {"acknowledge": False}
    created = emit(
        names.TICKET_CREATED,
        ticket,
        actor,
        channel=channel,
        requester_id=ticket.requester_id,
        **extra,
    )
    for recording in routed:
        recording(created)
    extensions.ticket_created(ticket)
    if outbound:
        # The opening reply goes out like any staff reply (requester and CCs).
        emit(
            names.MESSAGE_ADDED,
            ticket,
            actor,
            subject=message,
            message_id=message.pk,
            message_type=first_message_type,
        )
    return ticket


def _cc_of_new_ticket(ticket: Ticket, users: dict) -> None:
    """The new ticket's followers: inside an event batch their rows go in with the batch's
    (the ticket has none yet, and nothing listens to the relation's changes), else now."""
    if not users:
        return
    through = Ticket.cc.through
    if bus.batch_open() and not m2m_changed.has_listeners(through):
        for pk in users:
            bus.defer_insert(through(ticket_id=ticket.pk, user_id=pk))
        return
    ticket.cc.add(*users.values())


@transaction.atomic
def ticket_status_change(
    *,
    ticket: Ticket,
    actor: User | Actor,
    status: str,
    reason: str = "",
    expected_versions: Collection[int] | None = None,
) -> Ticket:
    """Move the ticket to `status` if the transition table allows it (a no-op if unchanged).

    Raise TicketVersionConflict when `expected_versions` does not hold the current version.
    """
    actor = Actor.of(actor)
    if status not in Status.values:
        raise DomainError(
            {"status": [_("%(status)s is not a valid status.") % {"status": repr(status)}]}
        )
    ticket = ticket_lock(ticket, expected_versions)
    before = ticket.status
    if before == status:
        return ticket
    if status not in ALLOWED_TRANSITIONS[before]:
        raise DomainError(
            {
                "status": [
                    _("A ticket cannot go from %(before)s to %(status)s.")
                    % {"before": before, "status": status}
                ]
            }
        )
    if not actor.is_staff and (before, status) not in CUSTOMER_TRANSITIONS:
        raise PermissionDenied(_("Customers may only resolve or reopen their tickets."))
    hook_args = {"ticket": ticket, "actor": actor, "before": before, "after": status}
    extensions.status_before(**hook_args, reason=reason)
    status_apply(ticket, actor, status, reason=reason)
    extensions.status_after(**hook_args, reason=reason)
    return ticket


def check_assignable(*, ticket: Ticket, assignee: User) -> None:
    if not assignee.is_active or not assignee.is_helpdesk_staff:
        raise DomainError({"assignee": [_("Tickets can only be assigned to active staff users.")]})
    if assignee.is_supervisor_or_admin:
        return
    allowed = agent_category_ids(assignee)
    if allowed and ticket.category_id not in allowed:
        raise DomainError(
            {
                "assignee": [
                    _("%(assignee_email)s does not work this ticket's category.")
                    % {"assignee_email": assignee.email}
                ]
            }
        )


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User | Actor,
    assignee: User | None,
    only_if_unassigned: bool = False,
    expected_versions: Collection[int] | None = None,
    reason: str = "",
    routing_reason: str | None = UNSET,
) -> Ticket:
    """Assign the ticket to a staff user (or unassign with None); emits `ticket.assigned`.

    With `only_if_unassigned`, a ticket someone else holds raises TicketAlreadyAssigned (the
    same person: a no-op); a stale `expected_versions` raises TicketVersionConflict. Routing
    passes `routing_reason` (kept on the ticket and in the history's reason); any other
    assignment clears the ticket's routing reason, which no longer explains it.
    """
    actor = Actor.of(actor)
    if not actor.is_staff:
        raise PermissionDenied(_("Only staff can assign tickets."))
    ticket = ticket_lock(ticket, expected_versions)
    before = ticket.assignee
    wanted = assignee.pk if assignee else None
    if only_if_unassigned and before is not None and before.pk != wanted:
        raise TicketAlreadyAssigned(ticket)
    if assignee is not None:
        check_assignable(ticket=ticket, assignee=assignee)
    if (before.pk if before else None) == (assignee.pk if assignee else None):
        return ticket
    ticket.assignee = assignee
    ticket.routing_reason = None if routing_reason is UNSET else routing_reason
    touch(ticket, "assignee", "routing_reason")
    assignment_record(
        ticket,
        actor,
        before=before,
        reason=reason or (routing_reason if routing_reason is not UNSET else "") or "",
    )
    return ticket


def assignment_record(ticket: Ticket, actor: Actor, *, before: User | None, reason: str) -> None:
    """The history row and `ticket.assigned` of an assignment written to `ticket`."""
    assignee = ticket.assignee
    audit(
        ticket,
        actor,
        names.TICKET_ASSIGNED,
        field="assignee",
        before=before.email if before else None,
        after=assignee.email if assignee else None,
        reason=reason,
    )
    emit(
        names.TICKET_ASSIGNED,
        ticket,
        actor,
        changes={"assignee": [before.pk if before else None, assignee.pk if assignee else None]},
    )


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User | Actor,
    subject=UNSET,
    priority=UNSET,
    category=UNSET,
    tags=UNSET,
    language=UNSET,
    reason: str = "",
    expected_versions: Collection[int] | None = None,
) -> Ticket:
    """Change subject, priority, category, tags and/or language; one audit row per changed
    field. `language` is a LANGUAGES code or None.

    Raise TicketVersionConflict when `expected_versions` does not hold the current version.
    """
    actor = Actor.of(actor)
    if not actor.is_staff:
        raise PermissionDenied(_("Only staff can edit ticket properties."))
    ticket = ticket_lock(ticket, expected_versions)
    wanted = {}
    if subject is not UNSET:
        subject = clean_one_line(subject or "")
        if not subject or len(subject) > 255:
            raise DomainError({"subject": [_("Use 1 to 255 characters.")]})
        wanted["subject"] = subject
    if priority is not UNSET:
        if priority not in Priority.values:
            raise DomainError(
                {
                    "priority": [
                        _("%(priority)s is not a valid priority.") % {"priority": repr(priority)}
                    ]
                }
            )
        wanted["priority"] = priority
    if category is not UNSET:
        if category is not None and category.pk != ticket.category_id:
            _check_category(category)
        wanted["category"] = category
    if tags is not UNSET:
        wanted["tags"] = normalize_tags(tags)
    if language is not UNSET:
        code = offered_code(language) if language else None
        if language and code is None:
            raise DomainError(
                {
                    "language": [
                        _("%(language)s is not one of the languages.")
                        % {"language": repr(language)}
                    ]
                }
            )
        wanted["language"] = code
    changes = {}
    for field, value in wanted.items():
        before = getattr(ticket, field)
        if before != value:
            setattr(ticket, field, value)
            changes[field] = [before, value]
    if not changes:
        return ticket
    touch(ticket, *changes)
    update_record(ticket, actor, changes=changes, reason=reason)
    return ticket


def update_record(ticket: Ticket, actor: Actor, *, changes: dict[str, list], reason: str) -> None:
    """One history row per changed field and `ticket.updated`, for changes written to `ticket`
    ({field: [before, after]})."""
    for field, (before, after) in changes.items():
        audit(
            ticket,
            actor,
            names.TICKET_UPDATED,
            field=field,
            before=before.name if isinstance(before, Category) else before,
            after=after.name if isinstance(after, Category) else after,
            reason=reason,
        )
    emit(names.TICKET_UPDATED, ticket, actor, changes=changes)


@transaction.atomic
def ticket_escalate(*, ticket: Ticket, actor: User | Actor, reason: str = "") -> Ticket:
    """Raise the escalation level by one; emits `ticket.escalated`."""
    actor = Actor.of(actor)
    ticket = ticket_lock(ticket)
    ticket.escalation_level += 1
    touch(ticket, "escalation_level")
    escalation_record(ticket, actor, reason=reason)
    return ticket


def escalation_record(ticket: Ticket, actor: Actor, *, reason: str) -> None:
    """The history row and `ticket.escalated` of a level just raised by one on `ticket`."""
    after = ticket.escalation_level
    audit(
        ticket,
        actor,
        names.TICKET_ESCALATED,
        field="escalation_level",
        before=after - 1,
        after=after,
        reason=reason,
    )
    emit(
        names.TICKET_ESCALATED,
        ticket,
        actor,
        changes={"escalation_level": [after - 1, after]},
        reason=reason,
    )
