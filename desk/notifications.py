"""The notification centre: who hears about what, in the desk (the bell) and by email.

Fed by events after commit (subscribers registered in `DeskConfig.ready()`):

| event                          | kind           | to                                        |
|--------------------------------|----------------|-------------------------------------------|
| ticket.mentioned               | mention        | the staff the note names                  |
| ticket.assigned                | assignment     | the new assignee (unless they took it)    |
| message.added CUSTOMER_REPLY   | customer_reply | the assignee and the ticket's followers   |
| sla.at_risk / sla.breach       | sla            | the assignee                              |

Each person's preferences (per kind: in-app, email) decide. Email goes through the one
outbound path: the mails the mail channel already sends for a kind (mentions, assignments,
customer replies to the assignee, breaches) ask `tickets.notifiers.email_wanted`, which the
desk answers from the same preferences; the rest (followers, at-risk warnings) become staff
notices (`tickets.notifiers.staff_notify`). Handlers are idempotent: one entry per person and
event (a unique constraint), one notice id per event.
"""

from __future__ import annotations

import functools
import logging
import uuid
from types import SimpleNamespace

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from desk.models import (
    DeskSettings,
    Notification,
    NotificationKind,
    NotificationPreference,
    TicketFollow,
)
from desk.timeline import target_label
from panel1.accounts.models import STAFF_ROLES, User
from panel1.db_reads import CompiledRead
from panel1.events import bus, names
from panel1.exceptions import PermissionDenied
from panel1.i18n.languages import (
    default_language,
    normalize,
    offered_languages,
    recipient_language,
    shipped_languages,
)
from panel1.i18n.text import MessageText, lazy_text
from panel1.ids import is_uuid, parse_uuid
from panel1.tenants.services import current_tenant
from tickets import notifiers
from tickets.models import EmailTemplateKey, Message, MessageType, Ticket

# Mail kinds of the mail channel that belong to a notification kind of the desk.
MAIL_KINDS = {
    EmailTemplateKey.NOTE_MENTION: NotificationKind.MENTION,
    EmailTemplateKey.TICKET_ASSIGNED: NotificationKind.ASSIGNMENT,
    EmailTemplateKey.CUSTOMER_REPLY: NotificationKind.CUSTOMER_REPLY,
    EmailTemplateKey.SLA_BREACH: NotificationKind.SLA,
}
MAX_TEXT = 300

logger = logging.getLogger(__name__)


# --- Preferences and settings ---------------------------------------------------------------


def preference_for(user: User) -> NotificationPreference:
    """The stored preferences, or the defaults (everything on) without a row; read with the
    user when they were loaded together (`with_preferences`)."""
    if User.desk_notification_preference.is_cached(user):
        found = getattr(user, "desk_notification_preference", None)  # None: no row
    else:
        found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def with_preferences(users):
    """Users read with their notification preferences (one statement, not one more each)."""
    return users.select_related("desk_notification_preference")


def plugin_channel_ids() -> list[str]:
    """The staff channels of the plugins this tenant enabled (`<plugin>.<key>`)."""
    from panel1.plugins.channels import enabled_channels

    return [channel.id for channel in enabled_channels("staff")]


@transaction.atomic
def notification_preference_set(*, actor: User, channels: dict) -> NotificationPreference:
    """Save the agent's own preferences: {kind: {"in_app": bool, "email": bool, <plugin
    channel>: bool}}, plugin channels also for the kind "notice" (notices from automation
    rules and escalations). Choices for channels of plugins switched off since are kept."""
    if not actor.is_helpdesk_staff:
        raise PermissionDenied(_("Only staff have notification preferences."))
    offered = plugin_channel_ids()
    kept = preference_for(actor).channels or {}

    def choices(kind: str, names: list[str]) -> dict[str, bool]:
        given = channels.get(kind) or {}
        earlier = {k: v for k, v in (kept.get(kind) or {}).items() if "." in k}
        return {**earlier, **{name: bool(given.get(name)) for name in names}}

    clean = {kind: choices(kind, ["in_app", "email", *offered]) for kind in NotificationKind.values}
    if offered or any("." in k for k in kept.get(notifiers.NOTICE_KIND) or {}):
        clean[notifiers.NOTICE_KIND] = choices(notifiers.NOTICE_KIND, offered)
    pref, _unused = NotificationPreference.objects.update_or_create(
        user=actor, defaults={"channels": clean}
    )
    return pref


def channel_wanted(*, channel: str, kind: str, user) -> bool | None:
    """The agent's choice for a plugin channel and kind (None: not chosen, the default)."""
    if not getattr(user, "is_helpdesk_staff", False):
        return None
    found = NotificationPreference.objects.filter(user=user).values_list("channels", flat=True)
    choice = ((found.first() or {}).get(kind) or {}).get(channel)
    return choice if isinstance(choice, bool) else None


def desk_settings() -> DeskSettings:
    return DeskSettings.objects.order_by("pk").first() or DeskSettings()


@transaction.atomic
def desk_settings_update(*, actor: User, assign_on_reply: bool) -> DeskSettings:
    """Change the tenant's desk options (admins)."""
    from panel1.audit.services import audit_record

    if not (actor.is_active and actor.role == "ADMIN"):
        raise PermissionDenied(_("Only admins change the desk settings."))
    current = desk_settings()
    before = current.assign_on_reply
    current.assign_on_reply = bool(assign_on_reply)
    current.save()
    audit_record(
        actor=actor,
        action="settings_changed",
        target=current,
        details={"assign_on_reply": [before, current.assign_on_reply]},
    )
    return current


def email_wanted(*, kind: str, user) -> bool:
    """The mail channel's question, answered from the desk preferences."""
    mapped = MAIL_KINDS.get(kind)
    if mapped is None or not getattr(user, "is_helpdesk_staff", False):
        return True
    return preference_for(user).wants(mapped, "email")


# --- Follow ----------------------------------------------------------------------------------


@transaction.atomic
def ticket_follow(*, ticket: Ticket, actor: User, follow: bool = True) -> bool:
    """Follow (or stop following) a ticket; answers whether the agent follows it now."""
    if not actor.is_helpdesk_staff:
        raise PermissionDenied(_("Only staff follow tickets."))
    if follow:
        TicketFollow.objects.get_or_create(ticket=ticket, user=actor)
    else:
        TicketFollow.objects.filter(ticket=ticket, user=actor).delete()
    return follow


# --- The centre ------------------------------------------------------------------------------


@transaction.atomic
def notifications_mark_read(*, actor: User, ids=None) -> int:
    """Mark the actor's notifications read (the given ids, or all); answers how many."""
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def _notify(
    *, event: bus.Event, users: list[User], kind: str, ticket: Ticket, text: str
) -> list[User]:
    """Add centre entries for those who want them in-app (one INSERT); staff notices by
    mail for kinds the mail channel does not cover. Answers who wants mail."""
    entries = []
    mail_to = []
    tenant = current_tenant()
    for user in {u.pk: u for u in users if u.is_active and u.role in STAFF_ROLES}.values():
        if str(user.pk) == event.actor:
            continue  # nobody hears about their own action
        pref = preference_for(user)
        if pref.wants(kind, "in_app"):
            # Stored in the reader's language (`text` may be lazy: built per language).
            with translation.override(recipient_language(user, tenant=tenant)):
                stored = str(text)[:MAX_TEXT]
            entries.append(
                Notification(user=user, kind=kind, ticket=ticket, text=stored, event_id=event.id)
            )
        if pref.wants(kind, "email"):
            mail_to.append(user)
    # A redelivered event adds nothing: one entry per person and event (unique constraint).
    Notification.objects.bulk_create(entries, ignore_conflicts=True)
    _plugin_channels(event, ticket, users, kind=kind, text=str(text))
    return mail_to


def _plugin_channels(event: bus.Event, ticket: Ticket, users: list[User], *, kind: str, text: str):
    """The same notification through the plugins' staff channels (each agent's choice)."""
    people = [
        u for u in users if u.is_active and u.role in STAFF_ROLES and str(u.pk) != event.actor
    ]
    if not people:
        return
    notifiers.plugin_channels_notify(
        notifiers.StaffNotice(
            ticket_id=str(ticket.pk),
            ticket_number=ticket.number,
            ticket_subject=ticket.subject,
            user_ids=tuple(dict.fromkeys(str(u.pk) for u in people)),
            message=text,
            title=text[:MAX_TEXT],
            source=_("Sent by the desk's notification centre (your preferences)."),
            kind=str(kind),
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"desk-channels:{event.id}:{kind}").hex,
        )
    )


def _staff_notice(
    event: bus.Event, ticket: Ticket, users: list[User], title: str, text: str, *, kind: str
):
    if not users:
        return
    notifiers.staff_notify(
        notifiers.StaffNotice(
            ticket_id=str(ticket.pk),
            ticket_number=ticket.number,
            ticket_subject=ticket.subject,
            user_ids=tuple(str(u.pk) for u in users),
            message=str(text),
            title=str(title),
            source=_("Sent by the desk's notification centre (your preferences)."),
            kind=str(kind),  # plugin channels had it from `_notify`
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"desk-notice:{event.id}").hex,
        )
    )


# The event's ticket with the assignee and their preferences (on_sla and on_message notify
# them), read for every customer reply: compiled once per connection.
_TICKET_WITH_ASSIGNEE = CompiledRead(
    lambda pk: (
        Ticket.objects.select_related("assignee", "assignee__desk_notification_preference")
        .filter(pk=pk)
        .order_by()
    ),
    pk=uuid.UUID,
)


# The ticket's followers with their preferences, read for every customer reply.
_FOLLOWERS = CompiledRead(
    lambda ticket_id: with_preferences(
        User.objects.filter(
            pk__in=TicketFollow.objects.filter(ticket_id=ticket_id).values("user_id")
        )
    ),
    ticket_id=uuid.UUID,
)


def _ticket(event: bus.Event) -> Ticket | None:
    ticket_id = parse_uuid(str(event.ticket_id or ""))
    if ticket_id is None:
        return None
    return _TICKET_WITH_ASSIGNEE.first(pk=ticket_id)


def _ticket_of(event: bus.Event) -> Ticket | None:
    """The event's ticket as its service just wrote it (a routing decision's assignment in
    this dispatch), else read."""
    subject = event.subject
    if isinstance(subject, Ticket) and str(subject.pk) == str(event.ticket_id):
        return subject
    return _ticket(event)


def _actor_name(event: bus.Event) -> str:
    if is_uuid(event.actor):
        user = User.objects.filter(pk=event.actor).first()
        if user is not None:
            return user.get_full_name()
    if event.actor.startswith("automation:"):
        return _("Automation rule %(rule)s") % {"rule": event.actor.removeprefix("automation:")}
    return event.actor


def on_mentioned(event: bus.Event) -> None:
    ticket = _ticket(event)
    ids = [i for i in event.payload.get("user_ids", []) if is_uuid(str(i))]
    if ticket is None or not ids:
        return
    users = list(with_preferences(User.objects.filter(pk__in=ids)))
    actor, number, subject = _actor_name(event), ticket.number, ticket.subject
    text = lazy_text(
        lambda: (
            _("%(actor)s mentioned you on %(number)s: %(subject)s")
            % {"actor": actor, "number": number, "subject": subject}
        )
    )
    _notify(event=event, users=users, kind=NotificationKind.MENTION, ticket=ticket, text=text)


ASSIGNMENT_NOTIFIED = "_assignment_notified"  # on the ticket: the event notified in its batch


def _new_assignee(event: bus.Event) -> str | None:
    change = (event.payload.get("changes") or {}).get("assignee") or [None, None]
    new = change[1] if len(change) > 1 else None
    return str(new) if new and is_uuid(str(new)) else None


def _assignment_text(event: bus.Event, ticket: Ticket) -> MessageText:
    values = {"actor": _actor_name(event), "number": ticket.number, "subject": ticket.subject}
    return MessageText(gettext_noop("%(actor)s assigned %(number)s to you: %(subject)s"), values)


def on_assigned_in_transaction(event: bus.Event) -> None:
    """An assignment made inside a write batch (routing a new ticket, a desk assignment):
    the assignee's entry goes in with the batch's writes, in the assignment's transaction,
    instead of a statement of its own after commit (`on_assigned` then skips the event).
    Not with plugin staff channels (they need the person read: after commit, as before)."""
    ticket = event.subject
    if not isinstance(ticket, Ticket) or str(ticket.pk) != event.ticket_id:
        return
    new = _new_assignee(event)
    if new is None or not bus.batch_open() or plugin_channel_ids():
        return
    kind = NotificationKind.ASSIGNMENT
    try:
        text = _assignment_text(event, ticket)
        sql, params = _entry_sql(event=event, user_id=new, kind=kind, ticket=ticket, text=text)
    except Exception:  # never fail the assignment: the after-commit handler writes it
        logger.exception("Assignment entry for %s left to after commit", event.id)
        return
    if bus.defer_statement(sql, params):
        setattr(ticket, ASSIGNMENT_NOTIFIED, event.id)


def on_assigned(event: bus.Event) -> None:
    if getattr(event.subject, ASSIGNMENT_NOTIFIED, None) == event.id:
        return  # written with the assignment (`on_assigned_in_transaction`)
    ticket = _ticket_of(event)
    new = _new_assignee(event)
    if ticket is None or new is None:
        return
    text = _assignment_text(event, ticket)
    kind = NotificationKind.ASSIGNMENT
    if _notify_one(event=event, user_id=new, kind=kind, ticket=ticket, text=text):
        return
    users = list(with_preferences(User.objects.filter(pk=new)))
    _notify(event=event, users=users, kind=kind, ticket=ticket, text=text)


# Python's truth of a JSON value, for a preference read in SQL (`NotificationPreference.wants`).
_FALSY_JSON = "'false'::jsonb, '0'::jsonb, '\"\"'::jsonb, 'null'::jsonb, '[]'::jsonb, '{}'::jsonb"


def _texts(text) -> tuple[list[str], list[str], str]:
    """(language codes a person may have stored, the text in each, the text in the tenant's
    default language): rendered once per language the codes map to."""
    tenant = current_tenant()
    codes, languages = _code_languages(
        tuple(shipped_languages()),
        tuple(offered_languages(tenant)),
        getattr(tenant, "default_language", ""),
        settings.LANGUAGE_CODE,
    )
    render = getattr(text, "in_language", None) or functools.partial(_in_language, text)
    rendered: dict[str, str] = {}
    for language in languages:
        if language not in rendered:
            rendered[language] = render(language)[:MAX_TEXT]
    return list(codes), [rendered[language] for language in languages[:-1]], rendered[languages[-1]]


@functools.lru_cache(maxsize=64)
def _code_languages(
    shipped: tuple[str, ...], offered: tuple[str, ...], tenant_default: str, site_default: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the codes a person may have stored: none and each shipped one; the language of each
    and, last, the tenant's default language): the same for every notice of a tenant. The
    site's default (`settings.LANGUAGE_CODE`, which `default_language` reads) is part of the
    key."""
    tenant = SimpleNamespace(offered_languages=offered, default_language=tenant_default)
    default = default_language(tenant)
    codes = ("", *shipped)
    return codes, (*(normalize(code, list(offered)) or default for code in codes), default)


def _in_language(text, language: str) -> str:
    with translation.override(language):
        return str(text)


def _target_sql() -> str:
    """The person, if active staff, not the actor, and wanting the kind in-app, with the text
    in their stored language (`m.text`, null for a language none of the codes is). The code
    is chosen as `panel1.i18n.languages.normalize` chooses it: case and `_`/`-` aside, the
    code itself, else its language, else the first code of that language (`DE_at` reads
    `de`, `pt` reads `pt-br`)."""
    user, preference = User._meta.db_table, NotificationPreference._meta.db_table
    return f"""
        FROM {user} u
        LEFT JOIN {preference} p ON p.user_id = u.id
        LEFT JOIN LATERAL (
            SELECT m.text
            FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS m(code, text, n),
                 (SELECT lower(replace(u.language, '_', '-')) AS wanted) w
            WHERE split_part(m.code, '-', 1) = split_part(w.wanted, '-', 1)
            ORDER BY m.code = w.wanted DESC, m.code = split_part(w.wanted, '-', 1) DESC, m.n
            LIMIT 1
        ) m ON true
        WHERE u.id = %s AND u.is_active AND u.role = ANY(%s) AND u.id::text <> %s
          AND COALESCE(p.channels -> %s -> 'in_app', 'true'::jsonb) NOT IN ({_FALSY_JSON})"""


def _entry_sql(*, event: bus.Event, user_id: str, kind: str, ticket: Ticket, text):
    """`_notify_one`'s entry as one INSERT that returns nothing (for a write batch): a stored
    language that maps to none of the codes gets the tenant's default language, as
    `normalize()` answering nothing does."""
    codes, texts, fallback = _texts(text)
    notification = Notification._meta.db_table
    sql = f"""
        INSERT INTO {notification} (user_id, kind, ticket_id, text, event_id, created_at)
        SELECT u.id, %s, %s, COALESCE(m.text, %s), %s, %s {_target_sql()}
        ON CONFLICT DO NOTHING"""
    params = [kind, ticket.pk, fallback, event.id, timezone.now()]
    params += [codes, texts, user_id, list(STAFF_ROLES), event.actor, kind]
    return sql, params


def _notify_one(*, event: bus.Event, user_id: str, kind: str, ticket: Ticket, text) -> bool:
    """`_notify` for one person in one statement (every assignment notifies its assignee):
    the entry goes in if they are active staff, not the actor, and want `kind` in-app, with
    the text in their language chosen in SQL from the texts of the languages a person may
    have. Answers False (nothing written) when the plugins' staff channels are on (they need
    the person read) or the person's stored language is none of those (then `_notify`)."""
    if plugin_channel_ids():
        return False
    codes, texts, _fallback = _texts(text)
    notification = Notification._meta.db_table
    sql = f"""
        WITH target AS (SELECT u.id, m.text {_target_sql()}
        ), added AS (
            INSERT INTO {notification} (user_id, kind, ticket_id, text, event_id, created_at)
            SELECT id, %s, %s, text, %s, %s FROM target WHERE text IS NOT NULL
            ON CONFLICT DO NOTHING
        )
        SELECT count(*) FROM target WHERE text IS NULL"""
    params = [codes, texts, user_id, list(STAFF_ROLES), event.actor, kind]
    params += [kind, ticket.pk, event.id, timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (unmatched,) = cursor.fetchone()
    return not unmatched


def on_message(event: bus.Event) -> None:
    if event.payload.get("message_type") != MessageType.CUSTOMER_REPLY:
        return
    ticket = _ticket(event)
    if ticket is None:
        return
    message = event.subject  # the service's own instance, in the process that wrote it
    if not isinstance(message, Message) or str(message.pk) != event.payload.get("message_id"):
        message = Message.objects.filter(pk=event.payload.get("message_id")).first()
    who = message.author_label if message else None
    followers = _FOLLOWERS.all(ticket_id=ticket.pk)
    users = ([ticket.assignee] if ticket.assignee else []) + followers
    number, subject = ticket.number, ticket.subject
    text = lazy_text(
        lambda: (
            _("%(who)s replied on %(number)s: %(subject)s")
            % {"who": who or _("The customer"), "number": number, "subject": subject}
        )
    )
    mail_to = _notify(
        event=event, users=users, kind=NotificationKind.CUSTOMER_REPLY, ticket=ticket, text=text
    )
    # The assignee's mail is the mail channel's customer_reply; followers get a notice.
    extra = [u for u in mail_to if u.pk != ticket.assignee_id]
    title = _("[%(number)s] New customer reply") % {"number": ticket.number}
    _staff_notice(event, ticket, extra, title, text, kind=NotificationKind.CUSTOMER_REPLY)


def on_sla(event: bus.Event) -> None:
    ticket = _ticket(event)
    if ticket is None or ticket.assignee is None:
        return
    breached = event.name == names.SLA_BREACH
    target = str(event.payload.get("target") or event.payload.get("metric") or "SLA")
    values = {
        "number": ticket.number,
        "target": target,
        "subject": ticket.subject,
    }
    text = lazy_text(
        lambda: (
            (
                _("SLA breached on %(number)s (%(target)s): %(subject)s")
                if breached
                else _("SLA at risk on %(number)s (%(target)s): %(subject)s")
            )
            % {**values, "target": target_label(target)}
        )
    )
    mail_to = _notify(
        event=event, users=[ticket.assignee], kind=NotificationKind.SLA, ticket=ticket, text=text
    )
    if event.name == names.SLA_AT_RISK:  # breaches are mailed by the mail channel already
        title = _("[%(number)s] SLA at risk") % {"number": ticket.number}
        _staff_notice(event, ticket, mail_to, title, text, kind=NotificationKind.SLA)


def connect() -> None:
    bus.subscribe(names.TICKET_MENTIONED, key="desk.notify:mentioned", handler=on_mentioned)
    bus.subscribe(names.TICKET_ASSIGNED, key="desk.notify:assigned", handler=on_assigned)
    bus.subscribe(
        names.TICKET_ASSIGNED,
        key="desk.notify:assigned-now",
        handler=on_assigned_in_transaction,
        in_transaction=True,
    )
    bus.subscribe(names.MESSAGE_ADDED, key="desk.notify:message", handler=on_message)
    bus.subscribe(names.SLA_AT_RISK, key="desk.notify:sla_at_risk", handler=on_sla)
    bus.subscribe(names.SLA_BREACH, key="desk.notify:sla_breach", handler=on_sla)
    notifiers.register_email_filter("desk.preferences", email_wanted)
    notifiers.register_channel_filter("desk.preferences", channel_wanted)
