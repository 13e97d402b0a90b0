"""The models of the tickets app, one module per area; every public name is importable here.

- ``tickets``: statuses, priorities, channels, categories, tickets, messages, attachments,
  the audit trail and the numbering counter;
- ``people``: agent profiles and satisfaction ratings;
- ``survey``: the satisfaction survey's settings and invitations;
- ``texts``: texts the tenant writes per language (the portal welcome text);
- ``customers``: organizations and customer profiles;
- ``email``: the email channel (templates, reply tokens, outbound and inbound mail,
  bounces, mailboxes).

One app label and one migration history for all of them.
"""

from tickets.models.customers import CustomerProfile, Organization
from tickets.models.email import (
    BouncedAddress,
    DkimKey,
    EmailReplyToken,
    EmailTemplate,
    EmailTemplateKey,
    ImapMailbox,
    InboundEmail,
    InboundOutcome,
    InboundStatus,
    OutboundEmail,
    OutboundStatus,
)
from tickets.models.people import AgentLoadDelta, AgentProfile, AgentStatus, SatisfactionRating
from tickets.models.policy import AttachmentPolicy
from tickets.models.survey import SurveyInvite, SurveySettings
from tickets.models.texts import LocalizedText, TextKey
from tickets.models.tickets import (
    OPEN_STATUSES,
    PAUSED_STATUSES,
    PRIORITY_RANK,
    Attachment,
    Category,
    Channel,
    Message,
    MessageType,
    Priority,
    ScanStatus,
    Status,
    Ticket,
    TicketCounter,
    TicketEvent,
    attachment_upload_to,
    priority_rank,
)

__all__ = [
    "LocalizedText",
    "TextKey",
    "OPEN_STATUSES",
    "PAUSED_STATUSES",
    "PRIORITY_RANK",
    "priority_rank",
    "AgentLoadDelta",
    "AgentProfile",
    "AgentStatus",
    "Attachment",
    "AttachmentPolicy",
    "ScanStatus",
    "BouncedAddress",
    "DkimKey",
    "Category",
    "Channel",
    "CustomerProfile",
    "EmailReplyToken",
    "EmailTemplate",
    "EmailTemplateKey",
    "ImapMailbox",
    "InboundEmail",
    "InboundOutcome",
    "InboundStatus",
    "Message",
    "MessageType",
    "Organization",
    "OutboundEmail",
    "OutboundStatus",
    "Priority",
    "SatisfactionRating",
    "Status",
    "SurveyInvite",
    "SurveySettings",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
    "attachment_upload_to",
]
