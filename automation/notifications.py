"""Staff notifications sent by the `notify_users` action: pluggable channels.

The action always records an internal note mentioning the users (the in-app trail). Each
registered notifier then gets the request; the default one enqueues an email task. The email
channel (or a chat integration) can replace it:

    from automation import notifications
    notifications.register_notifier("email", my_notifier)   # same key replaces the default
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

from panel1 import jobs

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notification:
    ticket_id: str
    ticket_number: str
    ticket_subject: str
    user_ids: tuple[str, ...]
    message: str
    rule_name: str


Notifier = Callable[[Notification], None]
_notifiers: dict[str, Notifier] = {}


def register_notifier(key: str, notifier: Notifier) -> None:
    _notifiers[key] = notifier


def unregister_notifier(key: str) -> None:
    _notifiers.pop(key, None)


def notify(notification: Notification) -> None:
    """Hand the notification to every channel; runs inside the rule's transaction, so a
    channel must only enqueue work (jobs.enqueue runs it after commit)."""
    for notifier in list(_notifiers.values()):
        notifier(notification)


def email_notifier(notification: Notification) -> None:
    if not getattr(settings, "ENABLE_EMAIL_SENDING", True):
        return
    jobs.enqueue(
        "automation.tasks.staff_notification_email_task",
        list(notification.user_ids),
        notification.ticket_number,
        notification.ticket_subject,
        notification.message,
        notification.rule_name,
    )


def staff_notification_email_send(
    *, user_ids: list[str], ticket_number: str, ticket_subject: str, message: str, rule_name: str
) -> int:
    """Email the active staff users among `user_ids` who accept email; answer how many."""
    from panel1.accounts.models import STAFF_ROLES, User
    from panel1.tenants.services import current_tenant

    recipients = list(
        User.objects.filter(
            pk__in=user_ids, is_active=True, role__in=STAFF_ROLES, notify_by_email=True
        ).values_list("email", flat=True)
    )
    if not recipients:
        return 0
    brand = current_tenant().brand_name
    body = (
        f"{message}\n\n"
        f"Ticket {ticket_number}: {ticket_subject}\n"
        f"(Sent by the automation rule {rule_name!r} of {brand}.)\n"
    )
    # One message per recipient: staff addresses are not disclosed to each other.
    for email in recipients:
        send_mail(
            subject=f"[{ticket_number}] {message[:120]}",
            message=body,
            from_email=settings.SUPPORT_FROM_EMAIL,
            recipient_list=[email],
        )
    return len(recipients)
