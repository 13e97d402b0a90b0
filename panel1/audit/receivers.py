"""Framework hooks that feed the audit log: sign-in and sign-out, user changes made anywhere
(services, forms, Django admin), Django admin's own action log, and tenants created and
deleted.

They write to the log of the schema in use: a tenant's own log, or on the platform (the
public schema) the platform's log, which holds platform sign-ins, platform admin actions,
platform users' changes and the tenant lifecycle.

These are Django signals on purpose (framework integration, not domain flow): password forms,
the admin's user form and `update_last_login` save users directly, and this is the one place
that sees all of them.
"""

from __future__ import annotations

import json

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django_tenants.utils import get_public_schema_name, schema_context

from panel1.accounts.models import User
from panel1.actors import Actor
from panel1.audit.context import request_info
from panel1.audit.services import audit_actor, audit_record
from panel1.tenants.models import Tenant

ANONYMOUS = Actor(label="anonymous")
WATCHED_USER_FIELDS = ("password", "role", "is_active")
ADMIN_FLAGS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def _request_kwargs(request) -> dict:
    if request is None:
        return {}
    info = request_info(request)
    return {"ip": info.ip, "user_agent": info.user_agent}


def on_login(sender, request, user, **kwargs):
    audit_record(actor=user, action="login", target=user, **_request_kwargs(request))


def on_logout(sender, request, user, **kwargs):
    audit_record(actor=user or ANONYMOUS, action="logout", target=user, **_request_kwargs(request))


def on_login_failed(sender, credentials, request=None, **kwargs):
    # The typed address is not stored (it may be anyone's); a known account is named by id.
    typed = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    user = User.objects.filter(email__iexact=typed).first() if typed else None
    audit_record(
        actor=ANONYMOUS,
        action="login_failed",
        target=user,
        details={"known_account": user is not None},
        **_request_kwargs(request),
    )


def remember_user_state(sender, instance: User, update_fields=None, raw=False, **kwargs):
    if raw or instance._state.adding:
        return
    if update_fields is not None and not set(update_fields) & set(WATCHED_USER_FIELDS):
        return
    instance._audit_before = (
        User.objects.filter(pk=instance.pk).values(*WATCHED_USER_FIELDS).first() or {}
    )


def record_user_change(sender, instance: User, created: bool, raw=False, **kwargs):
    if raw:
        return
    actor = audit_actor()
    if created:
        audit_record(
            actor=actor, action="user_created", target=instance, details={"role": instance.role}
        )
        return
    before = getattr(instance, "_audit_before", None)
    if not before:
        return
    instance._audit_before = None
    if before["password"] != instance.password:
        by_self = actor is not None and actor.pk == instance.pk
        audit_record(
            actor=actor or ANONYMOUS,
            action="password_changed",
            target=instance,
            details={"by": "self" if by_self else ("staff" if actor else "link")},
        )
    if before["role"] != instance.role:
        audit_record(
            actor=actor,
            action="role_changed",
            target=instance,
            details={"role": [before["role"], instance.role]},
        )
    if before["is_active"] != instance.is_active:
        action = "user_reactivated" if instance.is_active else "user_deactivated"
        audit_record(actor=actor, action=action, target=instance)


def _admin_change(entry: LogEntry) -> list:
    """Django admin's change message without object names (they may be personal data)."""
    try:
        parts = json.loads(entry.change_message or "[]")
    except ValueError:
        return []
    kept = []
    for part in parts if isinstance(parts, list) else []:
        for kind, body in part.items() if isinstance(part, dict) else []:
            body = body if isinstance(body, dict) else {}
            kept.append({kind: {k: v for k, v in body.items() if k in ("fields", "name")}})
    return kept


def record_admin_action(sender, instance: LogEntry, created: bool, raw=False, **kwargs):
    if raw or not created:
        return
    model = instance.content_type.model_class() if instance.content_type_id else None
    audit_record(
        actor=instance.user,
        action="admin_action",
        details={
            "flag": ADMIN_FLAGS.get(instance.action_flag, str(instance.action_flag)),
            "model": model._meta.label_lower if model else "",
            "object_id": instance.object_id or "",
            "change": _admin_change(instance),
        },
    )


def _platform_record(action: str, tenant: Tenant, **details) -> None:
    """A tenant lifecycle entry in the platform's log (whatever schema is active)."""
    if tenant.schema_name == get_public_schema_name():
        return
    with schema_context(get_public_schema_name()):
        audit_record(
            actor=audit_actor(),
            action=action,
            target=tenant,
            details={"schema": tenant.schema_name, **details},
        )


def record_tenant_saved(sender, instance: Tenant, created: bool, raw=False, **kwargs):
    if raw:
        return
    if created:
        _platform_record("tenant_created", instance, name=instance.name)


def record_tenant_deleted(sender, instance: Tenant, **kwargs):
    _platform_record("tenant_deleted", instance, name=instance.name)


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="panel1.audit.login")
    user_logged_out.connect(on_logout, dispatch_uid="panel1.audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="panel1.audit.login_failed")
    pre_save.connect(remember_user_state, sender=User, dispatch_uid="panel1.audit.user_pre")
    post_save.connect(record_user_change, sender=User, dispatch_uid="panel1.audit.user_post")
    post_save.connect(record_admin_action, sender=LogEntry, dispatch_uid="panel1.audit.admin")
    post_save.connect(record_tenant_saved, sender=Tenant, dispatch_uid="panel1.audit.tenant")
    post_delete.connect(
        record_tenant_deleted, sender=Tenant, dispatch_uid="panel1.audit.tenant_deleted"
    )
