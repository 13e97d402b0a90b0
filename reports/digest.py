"""The weekly digest mail: last week's figures for the supervisors and admins who opted in.

The `reports.digest` job runs every hour per tenant (only for tenants with a subscriber). Once
the tenant-local week is over and it is Monday SEND_HOUR or later in the tenant's time zone,
it sends the week just ended (Monday to Sunday) to every subscriber who has not had it. Each
recipient's mail has a DigestDelivery row keyed (user, week): created once (a unique
constraint), claimed with a conditional UPDATE before sending, so a rerun or a second worker
sends nothing twice. A failed send is tried again by the next runs (MAX_ATTEMPTS in all); a
send that died half-way (the row left "sending") is not repeated: a missed digest is better
than a double one.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panel1.accounts.models import Role, User
from panel1.exceptions import DomainError
from panel1.i18n.languages import mail_language
from panel1.tenants.models import Tenant
from panel1.tenants.services import current_tenant
from reports.digest_content import DigestFigures, digest_figures, digest_render
from reports.models import DigestDelivery, DigestStatus, DigestSubscription
from reports.services import tenant_zone
from tickets.email import safety
from tickets.email.addresses import from_header, is_own_address, mail_domain, site_base_url
from tickets.email.rendering import Brand

logger = logging.getLogger(__name__)

SEND_WEEKDAY = 0  # Monday
SEND_HOUR = 7  # local time: the digest is waiting when the week starts
MAX_ATTEMPTS = 5
RECIPIENT_ROLES = (Role.SUPERVISOR, Role.ADMIN)


# --- subscriptions ----------------------------------------------------------------------------


def digest_eligible(user: User) -> bool:
    return user.is_active and user.role in RECIPIENT_ROLES


def digest_subscribed(user: User) -> bool:
    return DigestSubscription.objects.filter(user=user, enabled=True).exists()


def digest_subscribe(*, user: User, enabled: bool) -> DigestSubscription:
    """Turn `user`'s weekly digest on or off; only supervisors and admins can turn it on."""
    if enabled and not digest_eligible(user):
        raise DomainError({"subscribed": [_("The weekly digest is for supervisors and admins.")]})
    subscription, created = DigestSubscription.objects.get_or_create(
        user=user, defaults={"enabled": enabled}
    )
    if not created and subscription.enabled != enabled:
        # updated_at is when it was last turned on or off: a week's digest goes to those
        # subscribed when it falls due, not as a backlog to someone who just subscribed.
        subscription.enabled = enabled
        subscription.save(update_fields=["enabled", "updated_at"])
    return subscription


def digest_recipients(*, subscribed_by: dt.datetime):
    return User.objects.filter(
        report_digest__enabled=True,
        report_digest__updated_at__lte=subscribed_by,
        is_active=True,
        role__in=RECIPIENT_ROLES,
    ).order_by("email")


def digest_due_check(now: dt.datetime):
    """The fan-out's "this tenant has work": someone subscribed (cheap, indexed by pk)."""
    return DigestSubscription.objects.filter(enabled=True)


# --- schedule ---------------------------------------------------------------------------------


def digest_send_at(week: dt.date, zone: ZoneInfo) -> dt.datetime:
    """When the digest of the week starting `week` falls due: the next Monday SEND_HOUR."""
    monday = week + dt.timedelta(weeks=1)
    return dt.datetime.combine(
        monday + dt.timedelta(days=SEND_WEEKDAY), dt.time(SEND_HOUR), tzinfo=zone
    )


def digest_week(now: dt.datetime, zone: ZoneInfo) -> dt.date:
    """Monday of the latest tenant-local week whose digest is due at `now`."""
    local = now.astimezone(zone)
    this_monday = local.date() - dt.timedelta(days=local.weekday())
    last_week = this_monday - dt.timedelta(weeks=1)
    if now >= digest_send_at(last_week, zone):
        return last_week
    return last_week - dt.timedelta(weeks=1)


def digest_next_send(now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """When the next digest goes out (tenant-local Monday SEND_HOUR)."""
    return digest_send_at(digest_week(now, zone) + dt.timedelta(weeks=1), zone)


# --- sending ----------------------------------------------------------------------------------


def digest_send_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the due week's digest to every subscriber who has not had it; answer counts."""
    now = now or timezone.now()
    if not settings.ENABLE_EMAIL_SENDING:
        return {"sent": 0, "skipped": 0, "failed": 0}
    zone = tenant_zone()
    week = digest_week(now, zone)
    recipients = list(digest_recipients(subscribed_by=digest_send_at(week, zone)))
    done = set(
        DigestDelivery.objects.filter(week_start=week, user__in=recipients)
        .filter(
            Q(status__in=[DigestStatus.SENT, DigestStatus.SKIPPED, DigestStatus.SENDING])
            | Q(attempts__gte=MAX_ATTEMPTS)
        )
        .values_list("user_id", flat=True)
    )
    waiting = [user for user in recipients if user.pk not in done]
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    if not waiting:
        return counts
    tenant = current_tenant()
    figures = digest_figures(week=week, viewer=waiting[0])
    for user in waiting:
        counts[_deliver(user, week, figures, tenant)] += 1
    return counts


def digest_send_due_task() -> dict[str, int]:
    return digest_send_due()


def _skip_reason(user: User, tenant: Tenant) -> str:
    if not digest_eligible(user):
        return "not a supervisor or admin"
    if not user.email or is_own_address(tenant, user.email):
        return "the helpdesk's own address"
    if safety.suppressed_addresses([user.email]):
        return "the address bounced"
    return ""


def _delivery(user: User, week: dt.date, tenant: Tenant) -> DigestDelivery:
    row_id = uuid.uuid4().hex
    row, _unused = DigestDelivery.objects.get_or_create(
        user=user,
        week_start=week,
        defaults={"to_email": user.email, "message_id": f"digest.{row_id}@{mail_domain(tenant)}"},
    )
    return row


def _claim(row: DigestDelivery) -> bool:
    """Take the row for sending; False when another worker has sent or is sending it."""
    return bool(
        DigestDelivery.objects.filter(
            pk=row.pk,
            status__in=[DigestStatus.QUEUED, DigestStatus.FAILED],
            attempts__lt=MAX_ATTEMPTS,
        ).update(status=DigestStatus.SENDING, attempts=F("attempts") + 1)
    )


def _deliver(user: User, week: dt.date, figures: DigestFigures, tenant: Tenant) -> str:
    row = _delivery(user, week, tenant)
    reason = _skip_reason(user, tenant)
    if reason:
        DigestDelivery.objects.filter(pk=row.pk, status=DigestStatus.QUEUED).update(
            status=DigestStatus.SKIPPED, error=reason
        )
        return "skipped"
    if not _claim(row):
        return "skipped"
    try:
        _message(user, figures, tenant, row).send(fail_silently=False)
    except Exception as exc:  # a dead server or a bad address must not stop the others
        logger.exception("Sending the weekly digest to %s failed", row.to_email)
        DigestDelivery.objects.filter(pk=row.pk).update(
            status=DigestStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return "failed"
    DigestDelivery.objects.filter(pk=row.pk).update(
        status=DigestStatus.SENT, sent_at=timezone.now(), error=""
    )
    return "sent"


def _brand(tenant: Tenant, base_url: str) -> Brand:
    return Brand(
        name=tenant.brand_name,
        color=tenant.primary_color,
        logo_url=f"{base_url}/branding/logo" if tenant.logo and base_url else "",
        footer=tenant.footer_text,
        home_url=base_url + "/" if base_url else "",
    )


def _message(
    user: User, figures: DigestFigures, tenant: Tenant, row: DigestDelivery
) -> EmailMultiAlternatives:
    base_url = site_base_url(tenant)
    with translation.override(mail_language(user)):
        subject, text, html = digest_render(
            figures, recipient=user, base_url=base_url, brand=_brand(tenant, base_url)
        )
    subject, text, html = _plugin_filtered(subject, text, html, user.email)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_header(tenant),
        to=[user.email],
        headers={
            "Message-ID": f"<{row.message_id}>",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
        connection=get_connection(),
    )
    email.attach_alternative(html, "text/html")
    return email


def _plugin_filtered(subject: str, text: str, html: str, to: str) -> tuple[str, str, str]:
    """The plugins' `filter.outgoing_mail`, as for every notification (no ticket here)."""
    from panel1.plugins import hooks
    from tickets.email.addresses import header_safe

    mail = {"subject": subject, "body": text, "html": html, "to": [to]}
    mail = hooks.apply_filter(
        "filter.outgoing_mail", mail, {"kind": "weekly_digest", "ticket_id": "", "number": ""}
    )
    return (
        header_safe(str(mail.get("subject", subject)), limit=300),
        str(mail.get("body", text)),
        str(mail.get("html", html)),
    )
