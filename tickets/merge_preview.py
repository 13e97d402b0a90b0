"""What a merge would do, for the preview an agent confirms (reads only; the merge itself
is `tickets.services.ticket_merge`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from panel1.accounts.models import User
from tickets.models import Attachment, Message, MessageType, Status, Ticket

PUBLIC = (MessageType.CUSTOMER_REPLY, MessageType.STAFF_REPLY)


@dataclass
class MergeMove:
    ticket: Ticket
    public_messages: int = 0
    notes: int = 0
    attachments: int = 0
    cc: list[User] = field(default_factory=list)
    requester_differs: bool = False
    problem: str = ""

    @property
    def messages(self) -> int:
        return self.public_messages + self.notes


@dataclass
class MergePreview:
    target: Ticket | None
    moves: list[MergeMove]
    make_public: bool = False

    @property
    def requesters_differ(self) -> bool:
        return any(m.requester_differs for m in self.moves)

    @property
    def possible(self) -> bool:
        return self.target is not None and any(not m.problem for m in self.moves)


def merge_problem(source: Ticket, target: Ticket) -> str:
    """Why `source` cannot be merged into `target` (empty when it can)."""
    if source.merged_into_id:
        return f"{source.number} was already merged."
    if target.merged_into_id or target.status == Status.CLOSED:
        return f"{target.number} is closed or merged; choose another survivor."
    return ""


def merge_preview(
    *, tickets: list[Ticket], target: Ticket | None, make_public: bool = False
) -> MergePreview:
    """For each ticket other than `target`: what moves (replies, notes, files), whose CCs
    follow, and whether the requester differs (its replies then become notes)."""
    sources = [t for t in tickets if target is None or t.pk != target.pk]
    ids = [t.pk for t in sources]
    counts = {
        row["ticket_id"]: row
        for row in Message.objects.filter(ticket_id__in=ids)
        .exclude(message_type=MessageType.SYSTEM)
        .values("ticket_id")
        .annotate(
            public=Count("pk", filter=Q(message_type__in=PUBLIC)),
            notes=Count("pk", filter=~Q(message_type__in=PUBLIC)),
        )
    }
    files = {
        row["message__ticket_id"]: row["n"]
        for row in Attachment.objects.filter(message__ticket_id__in=ids)
        .values("message__ticket_id")
        .annotate(n=Count("pk"))
    }
    ccs: dict = {}
    for through in Ticket.cc.through.objects.filter(ticket_id__in=ids).select_related("user"):
        ccs.setdefault(through.ticket_id, []).append(through.user)
    moves = []
    for source in sources:
        row = counts.get(source.pk, {})
        differs = target is not None and source.requester_id != target.requester_id
        moves.append(
            MergeMove(
                ticket=source,
                public_messages=row.get("public", 0),
                notes=row.get("notes", 0),
                attachments=files.get(source.pk, 0),
                cc=ccs.get(source.pk, []),
                requester_differs=differs,
                problem=merge_problem(source, target) if target is not None else "",
            )
        )
    return MergePreview(target=target, moves=moves, make_public=make_public)
