"""Event names (binding: automation triggers and plugin hooks use them)."""

TICKET_CREATED = "ticket.created"
TICKET_UPDATED = "ticket.updated"
TICKET_STATUS_CHANGED = "ticket.status.changed"
TICKET_ASSIGNED = "ticket.assigned"
TICKET_RESOLVED = "ticket.resolved"
TICKET_CLOSED = "ticket.closed"
TICKET_MERGED = "ticket.merged"
MESSAGE_ADDED = "message.added"
SLA_AT_RISK = "sla.at_risk"
SLA_BREACH = "sla.breach"
TICKET_ESCALATED = "ticket.escalated"
TICKET_IDLE = "ticket.idle"
SURVEY_COMPLETED = "survey.completed"
KB_ARTICLE_PUBLISHED = "kb.article.published"
PLUGIN_ENABLED = "plugin.enabled"  # payload: plugin (name)
PLUGIN_DISABLED = "plugin.disabled"  # payload: plugin (name), reason
# About an agent, not a ticket: payload {"user_id", "changes", "available": [before, after]}.
AGENT_AVAILABILITY_CHANGED = "agent.availability.changed"
TICKET_MENTIONED = "ticket.mentioned"
TICKET_SPLIT = "ticket.split"
TICKET_LINKED = "ticket.linked"
CUSTOMER_CREATED = "customer.created"
ORGANIZATION_CREATED = "organization.created"
# About a person, not a ticket (panel1.privacy). Payloads name people by id only:
# export {"export_id", "subject_id", "source", "status" ("ready"/"failed"), "size", "expires_at"};
# erasure {"erasure_id", "subject_id", "pseudonym", "source", "counts"}.
PRIVACY_EXPORT_COMPLETED = "privacy.export.completed"
PRIVACY_ERASURE_COMPLETED = "privacy.erasure.completed"

ALL_EVENTS = (
    TICKET_CREATED,
    TICKET_UPDATED,
    TICKET_STATUS_CHANGED,
    TICKET_ASSIGNED,
    TICKET_RESOLVED,
    TICKET_CLOSED,
    TICKET_MERGED,
    MESSAGE_ADDED,
    SLA_AT_RISK,
    SLA_BREACH,
    TICKET_ESCALATED,
    TICKET_IDLE,
    SURVEY_COMPLETED,
    KB_ARTICLE_PUBLISHED,
    PLUGIN_ENABLED,
    PLUGIN_DISABLED,
    AGENT_AVAILABILITY_CHANGED,
    TICKET_MENTIONED,
    TICKET_SPLIT,
    TICKET_LINKED,
    CUSTOMER_CREATED,
    ORGANIZATION_CREATED,
    PRIVACY_EXPORT_COMPLETED,
    PRIVACY_ERASURE_COMPLETED,
)
# Events about no ticket (automation rules cannot be triggered by them); mentions, splits and
# links are not offered as triggers yet.
NON_TICKET_EVENTS = (
    KB_ARTICLE_PUBLISHED,
    PLUGIN_ENABLED,
    PLUGIN_DISABLED,
    AGENT_AVAILABILITY_CHANGED,
    CUSTOMER_CREATED,
    ORGANIZATION_CREATED,
    TICKET_MENTIONED,
    TICKET_SPLIT,
    TICKET_LINKED,
    PRIVACY_EXPORT_COMPLETED,
    PRIVACY_ERASURE_COMPLETED,
)
