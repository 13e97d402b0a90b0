"""Every write to SLA state goes through these services (API, admin, subscribers, monitor)."""

from sla.services.profiles import (
    PROFILE_FIELDS,
    UNSET,
    sla_profile_create,
    sla_profile_delete,
    sla_profile_update,
)
from sla.services.states import (
    escalation_key,
    escalations_due,
    sla_profile_match,
    ticket_sla_customer_reply,
    ticket_sla_rematch,
    ticket_sla_staff_reply,
    ticket_sla_start,
    ticket_sla_status_change,
)
from sla.services.validation import sla_profile_clean

__all__ = [
    "PROFILE_FIELDS",
    "UNSET",
    "escalation_key",
    "escalations_due",
    "sla_profile_clean",
    "sla_profile_create",
    "sla_profile_delete",
    "sla_profile_match",
    "sla_profile_update",
    "ticket_sla_customer_reply",
    "ticket_sla_rematch",
    "ticket_sla_staff_reply",
    "ticket_sla_start",
    "ticket_sla_status_change",
]
