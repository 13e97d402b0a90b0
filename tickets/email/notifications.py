"""Which events mail whom. Subscribers (after commit) only enqueue; the task decides and sends.

| event                          | mail            | to                                         |
|--------------------------------|-----------------|--------------------------------------------|
| ticket.created                 | ticket_created  | the requester (acknowledgement)            |
| message.added STAFF_REPLY      | staff_reply     | the requester and CCs (never notes)        |
| message.added CUSTOMER_REPLY   | customer_reply  | the assignee                               |
| message.added INTERNAL_NOTE    | note_mention    | staff mentioned as @email or @Full Name    |
| ticket.resolved                | ticket_resolved | the requester, with one-click rating links |
| ticket.assigned                | ticket_assigned | the new assignee (unless they took it)     |
| sla.breach / ticket.escalated  | sla_breach / .. | user ids in the payload, else the assignee |

Staff notices (SLA escalation notices, automation's notify_users) are not events: their apps
call `tickets.notifiers.staff_notify`, whose "email" channel is `tickets.email.staff`.

Nobody gets mail about their own action. No acknowledgement or auto-response answers an
automated mail (RFC 3834); acknowledgements to senders never seen before are rate-limited.
Recipients are deduplicated; inactive users, users who turned mail off and bounced
addresses get nothing (tickets.email.outbound.skip_reason).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _

from panel1 import jobs
from panel1.accounts.models import STAFF_ROLES, User
from panel1.events import bus, names
from panel1.i18n.text import lazy_text
from panel1.ids import is_uuid
from tickets.email import safety
from tickets.email.addresses import site_base_url
from tickets.email.outbound import MailSpec, outbound_send
from tickets.email.rendering import rating_links_html
from tickets.mentions import mentioned_staff
from tickets.models import (
    EmailTemplateKey,
    InboundEmail,
    InboundOutcome,
    Message,
    MessageType,
    OutboundEmail,
    Ticket,
)
from tickets.notifiers import customer_notify, email_wanted
from tickets.satisfaction import survey_path

logger = logging.getLogger(__name__)

NOTIFIED_EVENTS = (
    names.TICKET_CREATED,
    names.MESSAGE_ADDED,
    names.TICKET_RESOLVED,
    names.TICKET_ASSIGNED,
    names.SLA_BREACH,
    names.TICKET_ESCALATED,
)
USER_ID_KEYS = ("notify_user_ids", "user_ids", "notify_users", "recipient_ids")


def connect() -> None:
    for name in NOTIFIED_EVENTS:
        bus.subscribe(name, key=f"tickets.email.notify:{name}", handler=on_event)


def on_event(event: bus.Event) -> None:
    """After commit: queue the mails of this event (nothing is sent in the request)."""
    if not settings.ENABLE_EMAIL_SENDING or not event.ticket_id:
        return
    # The events of one dispatch (a new ticket's `ticket.created` and its routed
    # `ticket.assigned`) share one job.
    jobs.enqueue_merged(
        "tickets.email.tasks.events_notify_task",
        (event.id, event.name, dict(event.payload), event.actor),
        schema_name=event.schema_name,
    )


def notify_for_event(*, event_id: str, name: str, payload: dict, actor: str) -> int:
    """Send the mails of one event; answers how many were sent."""
    ticket_id = str(payload.get("ticket_id") or "")
    ticket = (
        Ticket.objects.select_related("requester", "assignee").filter(pk=ticket_id).first()
        if is_uuid(ticket_id)
        else None
    )
    if ticket is None:
        return 0
    sent = 0
    specs = specs_for_event(event_id=event_id, name=name, payload=payload, actor=actor,
                            ticket=ticket)  # fmt: skip
    for spec in specs:
        sent += outbound_send(spec).sent
    plugin_channels_notify_customers(event_id, specs)
    return sent


def plugin_channels_notify_customers(event_id: str, specs: list[MailSpec]) -> None:
    """The customers' notifications of an event, also through the plugins' customer
    channels (`tickets.notifiers.customer_notify`): one per kind, with its recipients."""
    by_kind: dict[str, list[MailSpec]] = {}
    for spec in specs:
        if spec.recipient.role not in STAFF_ROLES:
            by_kind.setdefault(str(spec.kind), []).append(spec)
    for kind, group in by_kind.items():
        ticket, message = group[0].ticket, group[0].message
        shown = message is not None and message.message_type != MessageType.INTERNAL_NOTE
        customer_notify(
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"customer-notice:{event_id}:{kind}").hex,
            kind=kind,
            ticket=ticket,
            title=f"[{ticket.number}] {ticket.subject}",
            message=message.content if shown else "",
            recipients=[spec.recipient for spec in group],
        )


def specs_for_event(
    *, event_id: str, name: str, payload: dict, actor: str, ticket: Ticket
) -> list[MailSpec]:
    builders = {
        names.TICKET_CREATED: _ticket_created,
        names.MESSAGE_ADDED: _message_added,
        names.TICKET_RESOLVED: _ticket_resolved,
        names.TICKET_ASSIGNED: _ticket_assigned,
        names.SLA_BREACH: _staff_alert,
        names.TICKET_ESCALATED: _staff_alert,
    }
    builder = builders.get(name)
    if builder is None:
        return []
    return builder(event_id=event_id, name=name, payload=payload, actor=actor, ticket=ticket)


# --------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------


def _ticket_created(*, event_id, name, payload, actor, ticket) -> list[MailSpec]:
    if not settings.ENABLE_AUTO_RESPONSES:
        return []  # the acknowledgement is an auto-response too
    if payload.get("acknowledge") is False:
        return []  # staff logged it (a phone call) or opened it with their own reply
    requester = ticket.requester
    inbound = InboundEmail.objects.filter(
        ticket=ticket, outcome=InboundOutcome.TICKET_CREATED
    ).first()
    if inbound is not None and inbound.auto_submitted_reason:
        return []  # never acknowledge an automated mail (RFC 3834)
    new_sender = inbound is not None and inbound.sender_is_new
    if new_sender and not safety.new_sender_ack_allowed(requester.email):
        logger.info("Acknowledgement to new sender %s rate-limited", requester.email)
        return []
    return _specs(
        EmailTemplateKey.TICKET_CREATED, ticket, [requester], event_id, customer_facing=True
    )


def _message_added(*, event_id, name, payload, actor, ticket) -> list[MailSpec]:
    message_id = str(payload.get("message_id") or "")
    if not is_uuid(message_id):
        return []
    message = Message.objects.select_related("author").filter(pk=message_id).first()
    if message is None or message.ticket_id != ticket.pk:
        return []  # moved by a merge meanwhile; the survivor's own events cover it
    author_id = message.author_id
    if message.message_type == MessageType.STAFF_REPLY:
        if message.is_auto_response and _last_customer_mail_automated(ticket):
            return []
        users = [ticket.requester, *ticket.cc.all()]
        return _specs(
            EmailTemplateKey.STAFF_REPLY,
            ticket,
            [u for u in users if u.pk != author_id],
            event_id,
            customer_facing=True,
            values=_message_values(message),
            auto_submitted="auto-replied" if message.is_auto_response else "",
            message=message,
        )
    if message.message_type == MessageType.CUSTOMER_REPLY:
        assignee = ticket.assignee
        if assignee is None or assignee.pk == author_id:
            return []
        return _specs(
            EmailTemplateKey.CUSTOMER_REPLY,
            ticket,
            [assignee],
            event_id,
            values=_message_values(message),
            message=message,
        )
    if message.message_type == MessageType.INTERNAL_NOTE:
        # Automation's notify_users mails its users itself; mentions are a person's notes.
        if message.author is None or not message.author.is_helpdesk_staff:
            return []
        mentioned = [u for u in mentioned_staff(message.content) if u.pk != author_id]
        return _specs(
            EmailTemplateKey.NOTE_MENTION,
            ticket,
            mentioned,
            event_id,
            values=_message_values(message),
            message=message,
        )
    return []


def _ticket_resolved(*, event_id, name, payload, actor, ticket) -> list[MailSpec]:
    from panel1.tenants.services import current_tenant

    base_url = site_base_url(current_tenant())
    urls = {n: base_url + survey_path(ticket, rating=n) for n in range(1, 6)}
    values = {f"rating_url_{n}": url for n, url in urls.items()}
    values["survey_url"] = base_url + survey_path(ticket)
    values["rating_links"] = rating_links_html(urls)
    return _specs(
        EmailTemplateKey.TICKET_RESOLVED,
        ticket,
        [ticket.requester],
        event_id,
        customer_facing=True,
        values=values,
    )


def _ticket_assigned(*, event_id, name, payload, actor, ticket) -> list[MailSpec]:
    change = (payload.get("changes") or {}).get("assignee") or [None, None]
    assignee_id = change[1] if len(change) > 1 else None
    if not assignee_id or str(assignee_id) == actor:
        return []
    if not is_uuid(str(assignee_id)):
        return []
    assignee = User.objects.filter(pk=assignee_id, role__in=STAFF_ROLES).first()
    if assignee is None:
        return []
    return _specs(
        EmailTemplateKey.TICKET_ASSIGNED,
        ticket,
        [assignee],
        event_id,
        values={"actor_name": _actor_name(actor)},
    )


def _staff_alert(*, event_id, name, payload, actor, ticket) -> list[MailSpec]:
    ids = [str(i) for key in USER_ID_KEYS for i in _as_list(payload.get(key)) if is_uuid(str(i))]
    users = list(User.objects.filter(pk__in=ids, role__in=STAFF_ROLES)) if ids else []
    if not ids and ticket.assignee is not None:
        users = [ticket.assignee]
    key = (
        EmailTemplateKey.SLA_BREACH
        if name == names.SLA_BREACH
        else EmailTemplateKey.TICKET_ESCALATED
    )
    reason = str(payload.get("reason") or payload.get("target") or payload.get("metric") or "")
    return _specs(key, ticket, users, event_id, values={"reason": reason[:500]})


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _specs(
    kind: str,
    ticket: Ticket,
    users: Iterable[User],
    event_id: str,
    *,
    customer_facing: bool = False,
    values: dict | None = None,
    auto_submitted: str = "auto-generated",
    message: Message | None = None,
) -> list[MailSpec]:
    """One spec per distinct address (the same person listed twice gets one mail)."""
    seen: set[str] = set()
    specs = []
    for user in users:
        if not email_wanted(kind=kind, user=user):
            continue  # the person turned this kind of mail off (e.g. in the desk)
        address = user.email.lower()
        if address in seen:
            continue
        seen.add(address)
        specs.append(
            MailSpec(
                kind=kind,
                ticket=ticket,
                recipient=user,
                dedup_key=f"{event_id}:{kind}:{user.pk}",
                values=values or {},
                customer_facing=customer_facing,
                auto_submitted=auto_submitted,
                message=message,
            )
        )
    return specs


def _message_values(message: Message) -> dict[str, str]:
    names_ = [a.filename for a in message.attachments.all()]
    return {
        "message": message.content,
        "author_name": message.author.get_full_name() if message.author else message.author_label,
        "attachments": _attachments_line(names_) if names_ else "",
    }


def _attachments_line(filenames: list[str]):
    """Translated when the mail is rendered (in the recipient's language), not now."""
    return lazy_text(lambda: _("Attachments: %(names)s") % {"names": ", ".join(filenames)})


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else []


def _actor_name(actor: str) -> str:
    if actor.startswith("automation:"):
        rule = actor.removeprefix("automation:")
        return lazy_text(lambda: _("Automation rule %(rule)s") % {"rule": rule})
    user = User.objects.filter(pk=actor).first() if is_uuid(actor) else None
    return user.get_full_name() if user else lazy_text(lambda: _("The helpdesk"))


def _last_customer_mail_automated(ticket: Ticket) -> bool:
    """Did the ticket's latest inbound mail come from an auto-responder or a list?"""
    latest = InboundEmail.objects.filter(ticket=ticket).order_by("-received_at").first()
    return bool(latest and latest.auto_submitted_reason)


def spec_for_retry(row: OutboundEmail) -> MailSpec | None:
    """Rebuild the spec of a failed mail (same dedup key, so the same row is reused)."""
    ticket = row.ticket
    values: dict = {}
    if row.ticket_message is not None:
        values = _message_values(row.ticket_message)
    if row.kind == EmailTemplateKey.STAFF_NOTICE:
        from tickets.email.staff import staff_notice_retry_values

        values = staff_notice_retry_values(row)
    if row.kind == EmailTemplateKey.TICKET_RESOLVED:
        specs = _ticket_resolved(event_id="", name="", payload={}, actor="", ticket=ticket)
        values = specs[0].values if specs else {}
    customer_facing = row.kind in (
        EmailTemplateKey.TICKET_CREATED,
        EmailTemplateKey.STAFF_REPLY,
        EmailTemplateKey.TICKET_RESOLVED,
    )
    auto = "auto-generated"
    if row.kind == EmailTemplateKey.STAFF_REPLY and row.ticket_message is not None:
        auto = "auto-replied" if row.ticket_message.is_auto_response else ""
    return MailSpec(
        kind=row.kind,
        ticket=ticket,
        recipient=row.recipient,
        dedup_key=row.dedup_key,
        values=values,
        customer_facing=customer_facing,
        auto_submitted=auto,
        message=row.ticket_message,
    )
