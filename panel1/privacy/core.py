"""What panel1 itself holds about a person: the account, its audit trail, sessions, API
tokens, rate-limit counters and earlier exports. Registered first (see apps.py)."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.accounts import ratelimit
from panel1.accounts.models import User
from panel1.api.models import ApiToken
from panel1.audit.models import AuditEntry
from panel1.events.models import EventRecord
from panel1.privacy import registry
from panel1.privacy.files import delete_after_commit
from panel1.privacy.models import DataExport
from panel1.privacy.pseudonyms import pseudonym_email, pseudonym_name
from panel1.privacy.scrub import person_terms, scrub_json_rows

PROFILE_FIELDS = (
    "id",
    "email",
    "name",
    "role",
    "language",
    "timezone",
    "is_active",
    "email_verified",
    "notify_by_email",
    "date_joined",
    "last_login",
)
EMAIL_LIMIT_SCOPES = ("login-email", "mail-email")


def export_person(person: User) -> registry.ExportPart:
    own = Q(actor_id=person.pk)
    about = Q(target_type="accounts.user", target_id=str(person.pk))
    audit = [
        {
            "action": entry.action,
            "created_at": entry.created_at.isoformat(),
            # Their own actions keep where they came from; actions of others on their account
            # name nobody (the actor is another person).
            "by_self": entry.actor_id == person.pk,
            "ip": entry.ip if entry.actor_id == person.pk else None,
            "user_agent": entry.user_agent if entry.actor_id == person.pk else "",
        }
        for entry in AuditEntry.objects.filter(own | about).order_by("created_at", "id")
    ]
    return registry.ExportPart(
        data={
            "profile": {field: _plain(getattr(person, field)) for field in PROFILE_FIELDS},
            "audit": audit,
            "api_tokens": [
                {
                    "name": t.name,
                    "created_at": t.created_at.isoformat(),
                    "revoked": bool(t.revoked_at),
                }
                for t in ApiToken.objects.filter(user=person)
            ],
        }
    )


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if value is not None and not isinstance(value, bool | int | str) else value


def erase_person(person: User, pseudonym: str) -> dict[str, int]:
    old_email = person.email
    terms = person_terms(person, pseudonym_email(person.pk), pseudonym)
    counts = {
        "event_payloads": scrub_json_rows(EventRecord.objects.all(), ["payload"], terms),
        "sessions": _sessions_delete(person),
        "api_tokens": ApiToken.objects.filter(user=person).delete()[0],
        "exports": _exports_delete(person),
    }
    for scope in EMAIL_LIMIT_SCOPES:
        ratelimit.reset(scope, old_email)
    person.email = pseudonym_email(person.pk)
    person.name = pseudonym_name(person.pk)
    person.timezone = ""
    person.is_active = False
    person.is_superuser = False
    person.notify_by_email = False
    person.set_unusable_password()
    person.save()
    counts["profile"] = 1
    return counts


def _sessions_delete(person: User) -> int:
    # Sessions are signed blobs: decode the live ones to find the person's.
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id", "")) == str(person.pk)
    ]
    return Session.objects.filter(pk__in=doomed).delete()[0] if doomed else 0


def _exports_delete(person: User) -> int:
    exports = list(DataExport.objects.filter(subject=person))
    for export in exports:
        delete_after_commit(export.file)
    return DataExport.objects.filter(pk__in=[e.pk for e in exports]).delete()[0]


def register() -> None:
    registry.register(
        registry.Contributor(name="account", export=export_person, erase=erase_person, order=900)
    )
    register_retention()


# --- Retention of panel1's own records ----------------------------------------------------


def idempotency_prune(cutoff) -> int:
    from panel1.api.models import IdempotencyRecord

    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]


def events_prune(cutoff) -> int:
    return EventRecord.objects.filter(processed_at__lt=cutoff).delete()[0]


def exports_prune(cutoff) -> int:
    expired = list(
        DataExport.objects.filter(
            Q(expires_at__lt=cutoff) | Q(status="failed", created_at__lt=cutoff)
        )
    )
    for export in expired:
        delete_after_commit(export.file)
    return DataExport.objects.filter(pk__in=[e.pk for e in expired]).delete()[0]


def register_retention() -> None:
    from panel1.privacy.retention import register_prunable

    register_prunable(
        name="idempotency_records", label=_("API idempotency records"), prune=idempotency_prune
    )
    register_prunable(name="processed_events", label=_("Processed events"), prune=events_prune)
    register_prunable(name="expired_exports", label=_("Expired data exports"), prune=exports_prune)
