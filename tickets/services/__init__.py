"""Every write to tickets goes through these services (API, desk, portal, email, automation)."""

from tickets.services.attachments import AttachmentInput, attachments_prepare
from tickets.services.lifecycle import (
    UNSET,
    ticket_assign,
    ticket_create,
    ticket_escalate,
    ticket_status_change,
    ticket_update,
    ticket_write,
)
from tickets.services.locking import (
    TicketAlreadyAssigned,
    TicketRef,
    TicketVersionConflict,
    ticket_expect_version,
    ticket_resolve_merged,
)
from tickets.services.messages import message_add, message_write
from tickets.services.relations import (
    ticket_cc_add,
    ticket_cc_remove,
    ticket_delete,
    ticket_link,
    ticket_mark_spam,
    ticket_merge,
    ticket_split,
)
from tickets.services.routing import ticket_routing_note
from tickets.services.transitions import ALLOWED_TRANSITIONS

__all__ = [
    "ALLOWED_TRANSITIONS",
    "UNSET",
    "AttachmentInput",
    "TicketAlreadyAssigned",
    "TicketRef",
    "TicketVersionConflict",
    "attachments_prepare",
    "message_add",
    "message_write",
    "ticket_assign",
    "ticket_cc_add",
    "ticket_cc_remove",
    "ticket_create",
    "ticket_delete",
    "ticket_escalate",
    "ticket_expect_version",
    "ticket_link",
    "ticket_mark_spam",
    "ticket_merge",
    "ticket_resolve_merged",
    "ticket_routing_note",
    "ticket_split",
    "ticket_status_change",
    "ticket_update",
    "ticket_write",
]
