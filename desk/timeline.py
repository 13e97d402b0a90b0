"""The ticket page's thread: messages in order, system messages and audit rows folded in
between, and plain-words descriptions of audit rows ("Status: Open → Waiting on customer")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from desk.dates import date_format
from panel1.events import names
from tickets.models import Message, MessageType, Priority, Status, TicketEvent
from tickets.presentation import conversation_html

# Rows the thread already shows as messages, or that say nothing an agent needs inline.
_HIDDEN_EVENTS = {names.MESSAGE_ADDED}
_LABELS = {**dict(Status.choices), **dict(Priority.choices)}
_FIELD_NAMES = {
    "status": gettext_lazy("Status"),
    "priority": gettext_lazy("Priority"),
    "assignee": gettext_lazy("Assignee"),
    "category": gettext_lazy("Category"),
    "tags": gettext_lazy("Tags"),
    "subject": gettext_lazy("Subject"),
    "cc": gettext_lazy("CC"),
    "escalation_level": gettext_lazy("Escalation level"),
    "merged_into": gettext_lazy("Merged into"),
    "merged_from": gettext_lazy("Merged in"),
    "related": gettext_lazy("Linked"),
    "parent": gettext_lazy("Linked"),
    "duplicate_of": gettext_lazy("Linked"),
    "mentioned": gettext_lazy("Mentioned"),
    "message": gettext_lazy("Split off"),
}
_MESSAGE_SENTENCES = {
    MessageType.CUSTOMER_REPLY: gettext_lazy("%(actor)s replied"),
    MessageType.STAFF_REPLY: gettext_lazy("%(actor)s replied"),
    MessageType.INTERNAL_NOTE: gettext_lazy("%(actor)s added an internal note"),
    MessageType.SYSTEM: gettext_lazy("%(actor)s added a system message"),
}


@dataclass
class ThreadItem:
    kind: str  # "message" or "events"
    message: Message | None = None
    html: str = ""
    events: list = field(default_factory=list)

    @property
    def created_at(self) -> datetime:
        if self.message is not None:
            return self.message.created_at
        return self.events[0].created_at

    @property
    def summary(self) -> str:
        return "; ".join(described(e) for e in self.events[:2])


def _value(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "none"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in value.items() if v)
    return str(_LABELS.get(value, value))


def _when(value) -> str:
    """An ISO instant from an audit row, in the agent's time zone ("Mon 8 Dec, 11:30 CET")."""
    if isinstance(value, str) and "T" in value:
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return value[:16].replace("T", " ")
        if timezone.is_aware(when):
            local = timezone.localtime(when)
            return f"{date_format(local, 'D j M, H:i')} {date_format(local, 'T')}"
        return value[:16].replace("T", " ")
    return _value(value)


# The sla app's reasons for re-deriving due times name the profile that now applies.
_PROFILE_DELETED = re.compile(r"^Profile (?P<q>['\"])(?P<old>.+?)(?P=q) deleted\. ")
_PROFILE_APPLIES = re.compile(
    r"(?:^|[:.] )Profile (?P<q>['\"])(?P<new>[^'\"]+)(?P=q) applies because (?P<why>.+?) \("
)


def profile_reassignment(reason: str) -> str | None:
    """ "SLA profile changed from “Standard” (deleted) to “Premium” (priority is High)" for a
    reason that records a profile reassignment; None for other reasons."""
    applies = _PROFILE_APPLIES.search(reason or "")
    deleted = _PROFILE_DELETED.match(reason or "")
    if deleted:
        if applies:
            text = _("SLA profile “%(old)s” was deleted; the ticket now uses “%(new)s” (%(why)s)")
            return text % {
                "old": deleted["old"],
                "new": applies["new"],
                "why": applies["why"],
            }
        return _("SLA profile “%(old)s” was deleted; no profile applies now") % {
            "old": deleted["old"]
        }
    if applies and reason.startswith("SLA clock started."):
        return _("SLA clock started with profile “%(new)s” (%(why)s)") % {
            "new": applies["new"],
            "why": applies["why"],
        }
    if applies and reason.startswith(("Priority", "Category", "priority", "category")):
        cause = reason[: applies.start()].strip(": ")
        return _("SLA profile changed to “%(new)s” (%(cause)s: %(why)s)") % {
            "new": applies["new"],
            "cause": cause.lower(),
            "why": applies["why"],
        }
    return None


def describe(item) -> str:
    """One line for an audit row or a system message."""
    if isinstance(item, Message):
        return item.content.splitlines()[0][:200] if item.content else _("System message")
    event: TicketEvent = item
    actor = {"actor": event.actor_label}
    if event.event == names.MESSAGE_ADDED:
        return _MESSAGE_SENTENCES.get(event.after, _("%(actor)s added a message")) % actor
    if event.event == names.TICKET_CREATED:
        return _("%(actor)s created the ticket") % actor
    if event.event.startswith("sla."):
        return _describe_sla(event)
    if event.event == "ticket.routing":
        return _("Routing (%(actor)s): %(reason)s") % {**actor, "reason": event.reason}
    name = _FIELD_NAMES.get(event.field, event.field or event.event)
    if event.field == "assignee":
        # Rows store emails; the page hands over the staff it loaded anyway (no query).
        people = getattr(event, "people", {})
        nobody = pgettext("assignee of a ticket", "nobody")
        before = people.get(event.before, event.before) or nobody
        after = people.get(event.after, event.after) or nobody
        return _("Assignee: %(before)s → %(after)s (%(actor)s)") % {
            "before": before,
            "after": after,
            **actor,
        }
    if event.field == "cc":
        text = _("%(actor)s added CC %(who)s") if event.after else _("%(actor)s removed CC %(who)s")
        return text % {**actor, "who": _value(event.after or event.before)}
    text = f"{name}: {_value(event.before)} → {_value(event.after)}"
    if event.before is None and event.field in (
        "merged_into",
        "merged_from",
        "related",
        "parent",
        "duplicate_of",
        "mentioned",
    ):
        text = f"{name} {_value(event.after)}"
    return f"{text} ({event.actor_label})" + (f" — {event.reason}" if event.reason else "")


TARGET_LABELS = (
    ("first_response", gettext_lazy("first response")),
    ("next_response", gettext_lazy("next response")),
    ("resolution", gettext_lazy("resolution")),
)


_TARGET_LABELS_BY_LANGUAGE: dict[str, dict[str, str]] = {}


def target_label(key: str) -> str:
    """An SLA target's name in the active language ("first_response" -> "first response"),
    the names translated once per language (a queue page asks for one a row)."""
    language = get_language() or ""
    labels = _TARGET_LABELS_BY_LANGUAGE.get(language)
    if labels is None:
        labels = _TARGET_LABELS_BY_LANGUAGE[language] = {k: str(v) for k, v in TARGET_LABELS}
    return labels.get(key) or key.replace("_", " ")


def _describe_sla(event: TicketEvent) -> str:
    target = target_label(event.field)
    if event.event == names.SLA_BREACH:
        return _("SLA breached: %(target)s was due %(when)s") % {
            "target": target,
            "when": _when(event.after),
        }
    if event.event == names.SLA_AT_RISK:
        return _("SLA at risk: %(target)s due %(when)s") % {
            "target": target,
            "when": _when(event.after),
        }
    if isinstance(event.after, dict):
        due = [
            f"{target_label(k.removesuffix('_due_at'))} {_when(v)}"
            for k, v in event.after.items()
            if v
        ]
        text = _("SLA due: %(targets)s") % {"targets": ", ".join(due) or _("none")}
        reassigned = profile_reassignment(event.reason)
        if reassigned:
            return f"{reassigned}. {text}"
        return text + (f" — {event.reason}" if event.reason else "")
    return f"SLA {event.event.removeprefix('sla.')}: {_value(event.after)}"


# Rows the SLA app derives from other changes (due times, breaches): shown in the thread,
# but no reason to stop an agent from sending.
DERIVED_EVENT_PREFIXES = ("sla.",)


def build_thread(messages: list[Message], events: list[TicketEvent]) -> list[ThreadItem]:
    """Messages in order; runs of system messages and audit rows fold into one item.

    Message HTML comes from `tickets.presentation` (Markdown, sanitized; mail as plain text
    with line breaks), cached per tenant by content hash, so a long thread renders once."""
    spoken = [m for m in messages if m.message_type != MessageType.SYSTEM]
    html = {m.pk: rendered for m, rendered in conversation_html(spoken)}
    rows: list[tuple[datetime, int, object]] = [(m.created_at, 1, m) for m in messages]
    rows += [(e.created_at, 0, e) for e in events if e.event not in _HIDDEN_EVENTS]
    rows.sort(key=lambda r: (r[0], r[1]))
    thread: list[ThreadItem] = []
    for _at, _order, row in rows:
        if isinstance(row, Message) and row.message_type != MessageType.SYSTEM:
            thread.append(ThreadItem("message", message=row, html=html[row.pk]))
        elif thread and thread[-1].kind == "events":
            thread[-1].events.append(row)
        else:
            thread.append(ThreadItem("events", events=[row]))
    return thread


def described(item) -> str:
    """`describe(item)`, computed once per item and language: the ticket page shows each audit
    row twice (in the thread and in the history panel)."""
    language = get_language()
    memo = getattr(item, "_described", None)
    if memo is None or memo[0] != language:
        memo = item._described = (language, describe(item))
    return memo[1]


def changes_since(events: list[TicketEvent], *, user) -> list[str]:
    """What other people (or rules) changed, for the warning before sending; derived rows
    such as recomputed SLA due times do not count."""
    return [
        describe(e)
        for e in events
        if e.actor_id != user.pk and not e.event.startswith(DERIVED_EVENT_PREFIXES)
    ]


def name_people(events, staff) -> None:
    """Let assignee rows show names: attach an email → name map from the staff list the
    page has loaded already."""
    # The staff list holds users, or routing's agent rows (each with its `user`).
    users = [getattr(member, "user", member) for member in staff]
    people = {user.email: user.get_full_name() for user in users}
    for event in events:
        if getattr(event, "field", "") == "assignee":
            event.people = people
