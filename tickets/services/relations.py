"""Merge, split, link and CC: the services that touch more than one ticket or user."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.events import names
from panel1.exceptions import DomainError, PermissionDenied
from tickets.models import Message, MessageType, Status, Ticket
from tickets.services.audit import audit, emit, touch
from tickets.services.lifecycle import ticket_create
from tickets.services.locking import ticket_lock  # fresh copies: `touch` bumps the version
from tickets.services.messages import message_add
from tickets.services.transitions import status_apply


def _staff_only(actor: Actor, what: str) -> None:
    if not actor.is_staff:
        raise PermissionDenied(_("Only staff can %(what)s.") % {"what": what})


def _lock_pair(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    # Lock both rows in primary-key order so two opposite merges cannot deadlock.
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .filter(pk__in=[first.pk, second.pk])
        .order_by("pk")
    }
    return locked[first.pk], locked[second.pk]


PUBLIC_TYPES = (MessageType.CUSTOMER_REPLY, MessageType.STAFF_REPLY)


@transaction.atomic
def ticket_merge(
    *, source: Ticket, target: Ticket, actor: User | Actor, make_public: bool = False
) -> Ticket:
    """Merge `source` into `target`: messages move, `source` closes with a pointer to
    `target`. Emits `ticket.merged` and `ticket.closed` for `source`.

    Same requester: the conversation moves as it is and `source`'s CCs follow. Different
    requesters: no customer may see another's messages or address, so the moved replies
    become internal notes (unless `make_public`, the agent's explicit choice) and neither
    `source`'s requester nor its CCs are carried over.
    """
    actor = Actor.of(actor)
    _staff_only(actor, _("merge tickets"))
    if source.pk == target.pk:
        raise DomainError({"target": [_("A ticket cannot be merged into itself.")]})
    source, target = _lock_pair(source, target)
    if source.merged_into_id:
        raise DomainError(
            {
                "source": [
                    _("%(source_number)s was already merged.") % {"source_number": source.number}
                ]
            }
        )
    if target.merged_into_id or target.status == Status.CLOSED:
        raise DomainError(
            {
                "target": [
                    _("%(target_number)s is closed or merged; pick another.")
                    % {"target_number": target.number}
                ]
            }
        )
    cross = source.requester_id != target.requester_id
    messages = Message.objects.filter(ticket=source)
    as_notes = 0
    if cross and not make_public:
        as_notes = messages.filter(message_type__in=PUBLIC_TYPES).update(
            ticket=target, moved_from=source, message_type=MessageType.INTERNAL_NOTE
        )
    moved = as_notes + messages.update(ticket=target, moved_from=source)
    if not cross:
        followers = set(source.cc.values_list("pk", flat=True))
        followers.discard(target.requester_id)
        if followers:
            target.cc.add(*followers)
    target.related.remove(source)
    source.merged_into = target
    touch(source, "merged_into")
    touch(target)
    audit(source, actor, names.TICKET_MERGED, field="merged_into", after=target.number)
    reason = f"{moved} messages moved"
    if as_notes:
        reason += f"; {as_notes} replies of another requester kept as internal notes"
    elif cross:
        reason += "; another requester's replies made public by the agent"
    audit(target, actor, names.TICKET_MERGED, field="merged_from", after=source.number,
          reason=reason)  # fmt: skip
    message_add(
        ticket=target,
        actor=Actor.system(),
        message_type=MessageType.SYSTEM,
        content=f"{source.number} was merged into this ticket by {actor.display}.",
    )
    message_add(
        ticket=source,
        actor=Actor.system(),
        message_type=MessageType.SYSTEM,
        content=f"Merged into {target.number} by {actor.display}.",
        initial=True,
    )
    if source.status != Status.CLOSED:
        status_apply(source, actor, Status.CLOSED, reason=f"Merged into {target.number}")
    emit(
        names.TICKET_MERGED,
        source,
        actor,
        target_id=target.pk,
        target_number=target.number,
        moved_messages=moved,
        requesters_differ=cross,
        as_internal_notes=as_notes,
    )
    return target


@transaction.atomic
def ticket_split(
    *,
    actor: User | Actor,
    message: Message | None = None,
    messages: list[Message] = (),
    subject: str = "",
) -> Ticket:
    """Move `message` (or several `messages` of one ticket) into a new ticket: same
    requester and properties, linked to the original. Emits `ticket.split`."""
    actor = Actor.of(actor)
    _staff_only(actor, _("split tickets"))
    chosen = [message] if message is not None else list(messages)
    if not chosen:
        raise DomainError({"messages": [_("Choose the messages to split off.")]})
    original = ticket_lock(chosen[0].ticket)
    if any(m.ticket_id != original.pk for m in chosen):
        raise DomainError({"messages": [_("Choose messages of one ticket.")]})
    if any(m.message_type == MessageType.SYSTEM for m in chosen):
        raise DomainError({"message": [_("System messages cannot be split off.")]})
    spoken = original.messages.exclude(message_type=MessageType.SYSTEM).count()
    if spoken - len(chosen) < 1:
        raise DomainError({"message": [_("The only message of a ticket cannot be split off.")]})
    new = ticket_create(
        actor=actor,
        requester=original.requester,
        subject=subject or f"Split from {original.number}: {original.subject}"[:255],
        content=f"Split from {original.number}.",
        priority=original.priority,
        category=original.category,
        tags=original.tags,
        channel=original.channel,
        acknowledge=False,
    )
    Message.objects.filter(pk__in=[m.pk for m in chosen]).update(ticket=new, moved_from=original)
    new.related.add(original)
    audit(original, actor, names.TICKET_SPLIT, field="message", after=new.number,
          reason=f"{len(chosen)} message(s) moved")  # fmt: skip
    touch(original)
    emit(names.TICKET_SPLIT, original, actor, new_ticket_id=new.pk, new_number=new.number,
         moved_messages=len(chosen))  # fmt: skip
    return new


LINK_KINDS = ("related", "duplicate_of", "parent", "child")


def _would_cycle(child: Ticket, parent: Ticket) -> bool:
    """Would `parent` (or one of its ancestors, as stored) be `child` itself?"""
    seen = {child.pk}
    current_id = parent.pk
    while current_id is not None and len(seen) < 100:
        if current_id in seen:
            return True
        seen.add(current_id)
        current_id = Ticket.objects.filter(pk=current_id).values_list("parent_id", flat=True)[0]
    return False


@transaction.atomic
def ticket_link(
    *,
    ticket: Ticket,
    other: Ticket,
    actor: User | Actor,
    unlink: bool = False,
    kind: str = "related",
):
    """Link two tickets: `related` (both ways), `duplicate_of` (`ticket` duplicates `other`),
    `parent` (`other` is the parent of `ticket`) or `child` (`other` is a child of `ticket`);
    `unlink` removes that link. Emits `ticket.linked`."""
    actor = Actor.of(actor)
    _staff_only(actor, _("link tickets"))
    if kind not in LINK_KINDS:
        raise DomainError({"kind": [_("%(kind)s is not a link kind.") % {"kind": repr(kind)}]})
    if ticket.pk == other.pk:
        raise DomainError({"related": [_("A ticket cannot be linked to itself.")]})
    ticket = ticket_lock(ticket)
    child, parent = (ticket, other) if kind == "parent" else (other, ticket)
    if kind == "related":
        (ticket.related.remove if unlink else ticket.related.add)(other)
    elif kind == "duplicate_of":
        ticket.duplicate_of = None if unlink else other
        touch(ticket, "duplicate_of")
    else:
        if not unlink and _would_cycle(child, parent):
            raise DomainError({"related": [_("That would make a ticket its own ancestor.")]})
        if unlink and child.parent_id != parent.pk:
            return ticket
        child.parent = None if unlink else parent
        touch(child, "parent")
    event = "ticket.unlinked" if unlink else names.TICKET_LINKED
    field = {"related": "related", "duplicate_of": "duplicate_of"}.get(kind, "parent")
    audit(ticket, actor, event, field=field, after=f"{kind} {other.number}")
    touch(ticket)
    if not unlink:
        emit(names.TICKET_LINKED, ticket, actor, other_id=other.pk, other_number=other.number,
             kind=kind)  # fmt: skip
    return ticket


@transaction.atomic
def ticket_delete(*, ticket: Ticket, actor: User | Actor) -> None:
    """Delete a ticket with its conversation and files (admins only). The tenant's audit log
    keeps who deleted which number and subject (the ticket's own history goes with it)."""
    actor = Actor.of(actor)
    if actor.user is None or not (actor.user.is_active and actor.user.role == "ADMIN"):
        raise PermissionDenied(_("Only admins can delete tickets."))
    audit_record(
        actor=actor,
        action="ticket.deleted",
        target=ticket,
        details={"number": ticket.number, "subject": ticket.subject,
                 "requester": str(ticket.requester_id)},
    )  # fmt: skip
    Ticket.objects.filter(merged_into=ticket).update(merged_into=None)
    ticket.delete()


@transaction.atomic
def ticket_cc_add(*, ticket: Ticket, actor: User | Actor, user: User) -> Ticket:
    """Add a CC/follower: they see the ticket and get its public replies."""
    actor = Actor.of(actor)
    if not actor.is_staff and actor.user.pk != ticket.requester_id:
        raise PermissionDenied(_("Only staff or the requester can add CCs."))
    ticket = ticket_lock(ticket)
    if user.pk == ticket.requester_id or ticket.cc.filter(pk=user.pk).exists():
        return ticket
    ticket.cc.add(user)
    audit(ticket, actor, names.TICKET_UPDATED, field="cc", after=user.email)
    touch(ticket)
    emit(names.TICKET_UPDATED, ticket, actor, changes={"cc": [None, user.email]})
    return ticket


@transaction.atomic
def ticket_cc_remove(*, ticket: Ticket, actor: User | Actor, user: User) -> Ticket:
    actor = Actor.of(actor)
    if not actor.is_staff and actor.user.pk not in (ticket.requester_id, user.pk):
        raise PermissionDenied(_("Only staff, the requester or the CC can remove a CC."))
    ticket = ticket_lock(ticket)
    if not ticket.cc.filter(pk=user.pk).exists():
        return ticket
    ticket.cc.remove(user)
    audit(ticket, actor, names.TICKET_UPDATED, field="cc", before=user.email)
    touch(ticket)
    emit(names.TICKET_UPDATED, ticket, actor, changes={"cc": [user.email, None]})
    return ticket


@transaction.atomic
def ticket_mark_spam(*, ticket: Ticket, actor: User | Actor) -> Ticket:
    """Mark the ticket as spam: tag it `spam`, close it, and block its sender (a customer
    account is deactivated, so mail from the address is held, and portal and API refuse
    it). Staff requesters are never blocked. Audited on the ticket and in the audit log."""
    actor = Actor.of(actor)
    _staff_only(actor, _("mark tickets as spam"))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if "spam" not in ticket.tags:
        ticket.tags = [*ticket.tags, "spam"]
        touch(ticket, "tags")
        audit(ticket, actor, names.TICKET_UPDATED, field="tags", after=ticket.tags,
              reason="Marked as spam")  # fmt: skip
    requester = ticket.requester
    if requester.is_customer and requester.is_active:
        User.objects.filter(pk=requester.pk).update(is_active=False)
        audit_record(
            actor=actor,
            action="customer.blocked",
            target=requester,
            details={"reason": f"{ticket.number} marked as spam"},
        )
    if ticket.status != Status.CLOSED:
        status_apply(ticket, actor, Status.CLOSED, reason="Marked as spam")
    return ticket
