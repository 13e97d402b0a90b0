"""Macros: a canned response that also changes the ticket when its reply is sent.

`actions` is a small dict (what `CannedResponse.actions` stores):

    {"status": "WAITING_ON_CUSTOMER", "priority": "HIGH", "category": "<uuid>" | "none",
     "tags": ["billing"], "assignee": "me" | "none" | "<uuid>", "cc": ["a@b.example"],
     "note": "internal note text"}

`macro_actions_clean` checks the shape (services call it before saving); `macro_apply` runs
the actions through the ticket services, inside the reply's transaction, so the reply and
its macro land together or not at all.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from panel1.accounts.models import STAFF_ROLES, User
from panel1.accounts.services import customer_get_or_create
from panel1.exceptions import DomainError
from panel1.ids import parse_uuid
from tickets import services
from tickets.models import Category, MessageType, Priority, Status, Ticket

ACTION_KEYS = ("status", "priority", "category", "tags", "assignee", "cc", "note")
MAX_NOTE = 20_000


def _bad(message: str) -> DomainError:
    return DomainError({"actions": [message]})


def _clean_list(value, what: str) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"{what} must be a list of strings.")
    return [v.strip() for v in value if v.strip()][:30]


def macro_actions_clean(actions) -> dict:
    """The actions with known keys and valid values; DomainError naming the bad part."""
    if actions in (None, ""):
        return {}
    if not isinstance(actions, dict):
        raise _bad("Actions must be an object.")
    unknown = set(actions) - set(ACTION_KEYS)
    if unknown:
        raise _bad(f"Unknown action {sorted(unknown)[0]!r}.")
    cleaned: dict = {}
    if actions.get("status"):
        if actions["status"] not in Status.values:
            raise _bad(f"{actions['status']!r} is not a status.")
        cleaned["status"] = actions["status"]
    if actions.get("priority"):
        if actions["priority"] not in Priority.values:
            raise _bad(f"{actions['priority']!r} is not a priority.")
        cleaned["priority"] = actions["priority"]
    if actions.get("category"):
        value = str(actions["category"])
        if value != "none" and not Category.objects.filter(pk=parse_uuid(value)).exists():
            raise _bad("No such category.")
        cleaned["category"] = value
    if actions.get("tags"):
        cleaned["tags"] = [
            " ".join(t.lower().split())[:50] for t in _clean_list(actions["tags"], "Tags")
        ]
    if actions.get("assignee"):
        value = str(actions["assignee"])
        if value not in ("me", "none"):
            staff = User.objects.filter(pk=parse_uuid(value), role__in=STAFF_ROLES, is_active=True)
            if not staff.exists():
                raise _bad("The assignee must be 'me', 'none' or an active staff member.")
        cleaned["assignee"] = value
    if actions.get("cc"):
        emails = _clean_list(actions["cc"], "CC")
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise _bad(f"{email[:60]!r} is not an email address.") from None
        cleaned["cc"] = [e.lower() for e in emails]
    if actions.get("note"):
        if not isinstance(actions["note"], str) or len(actions["note"]) > MAX_NOTE:
            raise _bad(f"The note must be text of at most {MAX_NOTE} characters.")
        cleaned["note"] = actions["note"]
    return cleaned


def macro_summary(actions: dict) -> list[str]:
    """What the macro will do, in words, for the reply box."""
    labels = {**dict(Status.choices), **dict(Priority.choices)}
    words = []
    if actions.get("status"):
        words.append(f"status → {labels[actions['status']]}")
    if actions.get("priority"):
        words.append(f"priority → {labels[actions['priority']]}")
    if actions.get("category"):
        words.append("category changed" if actions["category"] != "none" else "no category")
    if actions.get("tags"):
        words.append("add tags " + ", ".join(actions["tags"]))
    if actions.get("assignee"):
        who = {"me": "me", "none": "nobody"}.get(actions["assignee"], "a colleague")
        words.append(f"assign to {who}")
    if actions.get("cc"):
        words.append("CC " + ", ".join(actions["cc"]))
    if actions.get("note"):
        words.append("add an internal note")
    return words


def macro_apply(*, ticket: Ticket, actor: User, actions: dict, status_set: bool = False) -> Ticket:
    """Apply a macro's actions to the ticket through the ticket services (call inside the
    reply's transaction). A status the agent chose in the reply box wins (`status_set`)."""
    actions = macro_actions_clean(actions)
    changes = {}
    if actions.get("priority"):
        changes["priority"] = actions["priority"]
    if actions.get("category"):
        value = actions["category"]
        changes["category"] = None if value == "none" else Category.objects.get(pk=value)
    if actions.get("tags"):
        changes["tags"] = [*ticket.tags, *actions["tags"]]
    if changes:
        services.ticket_update(ticket=ticket, actor=actor, reason="Macro", **changes)
    if actions.get("assignee"):
        value = actions["assignee"]
        assignee = {"me": actor, "none": None}.get(value)
        if value not in ("me", "none"):
            assignee = User.objects.get(pk=value)
        services.ticket_assign(ticket=ticket, actor=actor, assignee=assignee)
    for email in actions.get("cc", []):
        user, _created = customer_get_or_create(email=email)
        services.ticket_cc_add(ticket=ticket, actor=actor, user=user)
    if actions.get("note"):
        services.message_add(
            ticket=ticket,
            actor=actor,
            content=actions["note"],
            message_type=MessageType.INTERNAL_NOTE,
        )
    if actions.get("status") and not status_set:
        services.ticket_status_change(
            ticket=ticket, actor=actor, status=actions["status"], reason="Macro"
        )
    return ticket
