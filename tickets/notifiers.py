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
    # The desk's notification kind (mention, assignment, ...): the notification centre handed
    # it to plugin channels already. "" for notices raised elsewhere (automation, escalations).
    kind: str = ""
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


# --- Plugin channels (`Plugin.notification_channels` of panel1.plugins) --------------------
# Staff: each agent turns a channel on or off per kind (the desk's preferences register a
# filter; no filter: the channel's default); notices without a desk kind count as the kind
# "notice". Customers: every notification mailed to a requester also goes to the enabled
# customer channels. Channels only enqueue (delivery runs after commit, once per channel).

NOTICE_KIND = "notice"
ChannelFilter = Callable[..., bool | None]
_channel_filters: dict[str, ChannelFilter] = {}


def register_channel_filter(key: str, wanted: ChannelFilter) -> None:
    """Register (or replace, by key) `wanted(channel=..., kind=..., user=...) -> bool | None`
    (None: no opinion, the channel's default applies)."""
    _channel_filters[key] = wanted


def unregister_channel_filter(key: str) -> None:
    _channel_filters.pop(key, None)


def channel_wanted(*, channel, kind: str, user) -> bool:
    answers = [wanted(channel=channel.id, kind=kind, user=user) for wanted in _filters()]
    answers = [answer for answer in answers if answer is not None]
    return all(answers) if answers else channel.default


def _filters() -> list[ChannelFilter]:
    return list(_channel_filters.values())


def plugin_channels_notify(notice: StaffNotice) -> int:
    """Hand a staff notice to the enabled plugins' staff channels, each with the people who
    want it there; answers how many deliveries were queued."""
    from panel1.accounts.models import STAFF_ROLES, User
    from panel1.plugins.channels import channel_deliver, enabled_channels

    channels = enabled_channels("staff") if notice.user_ids else []
    if not channels:
        return 0
    users = list(User.objects.filter(pk__in=notice.user_ids, role__in=STAFF_ROLES, is_active=True))
    kind = notice.kind or NOTICE_KIND
    queued = 0
    for channel in channels:
        people = [user for user in users if channel_wanted(channel=channel, kind=kind, user=user)]
        if people:
            channel_deliver(channel, _notification(notice, "staff", kind, people))
            queued += 1
    return queued


def _plugin_notifier(notice: StaffNotice) -> None:
    if not notice.kind:  # the desk's own kinds went to plugin channels from the centre
        plugin_channels_notify(notice)


def customer_notify(*, id: str, kind: str, ticket, title: str, message: str, recipients) -> int:
    """Hand a customer notification (`kind`: the mail's kind, e.g. staff_reply) about `ticket`
    to the enabled plugins' customer channels; answers how many deliveries were queued."""
    from panel1.plugins.channels import channel_deliver, enabled_channels

    recipients = list(recipients)
    channels = enabled_channels("customer") if recipients else []
    notice = StaffNotice(
        ticket_id=str(ticket.pk),
        ticket_number=ticket.number,
        ticket_subject=ticket.subject,
        user_ids=(),
        message=message,
        title=title,
        kind=kind,
        id=id,
    )
    for channel in channels:
        channel_deliver(channel, _notification(notice, "customer", kind, recipients))
    return len(channels)


def _notification(notice: StaffNotice, audience: str, kind: str, people) -> dict:
    return {
        **{k: v for k, v in notice.as_dict().items() if k not in ("user_ids", "kind")},
        "audience": audience,
        "kind": kind,
        "recipients": [
            {"id": str(p.pk), "email": p.email, "name": p.get_full_name()} for p in people
        ],
    }


register_notifier("plugins", _plugin_notifier)


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
