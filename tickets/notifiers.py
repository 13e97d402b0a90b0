"""Staff notices (SLA escalations, automation's notify_users): one registry of channels.

The app that raises a notice writes its in-app trail first (an internal note mentioning the
people) and then calls `staff_notify`, inside its transaction. Each registered notifier gets
the notice and may only enqueue work (`panel1.jobs.enqueue` runs it after commit). The email
channel registers itself under "email" (`tickets.email`); a chat or paging integration adds
itself under its own key, and the same key replaces a notifier.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class StaffNotice:
    ticket_id: str
    ticket_number: str
    ticket_subject: str
    user_ids: tuple[str, ...]
    message: str
    title: str  # one line: the mail subject, a chat headline
    source: str = ""  # who raised it, for the reader ("Sent by the automation rule 'X'.")
    note_id: str = ""  # the internal note that records it on the ticket
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # one notice, however delivered

    def as_dict(self) -> dict:
        return {**asdict(self), "user_ids": list(self.user_ids)}


Notifier = Callable[[StaffNotice], None]
_notifiers: dict[str, Notifier] = {}


def register_notifier(key: str, notifier: Notifier) -> None:
    """Register (or replace, by key) a channel for staff notices."""
    _notifiers[key] = notifier


def unregister_notifier(key: str) -> None:
    _notifiers.pop(key, None)


def staff_notify(notice: StaffNotice) -> None:
    """Hand the notice to every channel (they enqueue; nothing leaves before commit)."""
    if not notice.user_ids:
        return
    for notifier in list(_notifiers.values()):
        notifier(notice)


# --- Email preferences: may this person get this kind of mail? -------------------------
# The mail channel asks before each notification mail (kinds are EmailTemplateKey values);
# an interface app with per-person settings (the desk's notification preferences) registers
# a filter. No filter, or every filter saying yes, means the mail goes out.

EmailFilter = Callable[..., bool]
_email_filters: dict[str, EmailFilter] = {}


def register_email_filter(key: str, wanted: EmailFilter) -> None:
    """Register (or replace, by key) `wanted(kind=..., user=...) -> bool`."""
    _email_filters[key] = wanted


def unregister_email_filter(key: str) -> None:
    _email_filters.pop(key, None)


def email_wanted(*, kind: str, user) -> bool:
    return all(wanted(kind=kind, user=user) for wanted in list(_email_filters.values()))
