"""Two-factor sign-in for staff (TOTP with recovery codes, on django-otp).

A staff member with a confirmed authenticator must enter a code after the password, in the
desk and in Django admin; the tenant's policy can require everyone (staff, admins or both) to
set one up. Codes are checked by django-otp (drift-tolerant, each TOTP step used once);
recovery codes are single-use static tokens.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from panel1.accounts.models import Role, User
from panel1.audit.services import audit_record
from panel1.exceptions import DomainError
from panel1.tenants.models import Tenant
from panel1.tenants.services import current_tenant

RECOVERY_CODES = 10


SESSION_FLAG = "panel1_2fa_device"


def twofactor_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def twofactor_remember(request, user: User) -> None:
    """Note in the session whether `user` has an authenticator (at sign-in and on changes),
    so the per-request check reads the session instead of querying."""
    if getattr(request, "session", None) is not None:
        request.session[SESSION_FLAG] = twofactor_enabled(user)


def twofactor_required(request, user: User) -> bool:
    """Must `user` pass a second factor in this tenant (has one, or the tenant's policy
    requires it for their role)? No query: the session knows about the device, the tenant
    row (loaded by the tenant middleware) holds the policy."""
    if not user.is_authenticated or not user.is_helpdesk_staff:
        return False
    has_device = request.session.get(SESSION_FLAG)
    if has_device is None:  # a session from before sign-ins recorded it
        twofactor_remember(request, user)
        has_device = request.session[SESSION_FLAG]
    if has_device:
        return True
    tenant = getattr(request, "tenant", None)
    if user.role == Role.ADMIN:
        return bool(getattr(tenant, "require_2fa_admins", False))
    return bool(getattr(tenant, "require_2fa_staff", False))


def _other_sessions_end(request, user: User) -> None:
    """Sign the user out everywhere else: those sessions never passed the new factor."""
    current = getattr(request.session, "session_key", None)
    doomed = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).exclude(pk=current)
        if str(s.get_decoded().get("_auth_user_id", "")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=doomed).delete()


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for `user` (earlier unconfirmed ones are dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, request, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a first code; answers the recovery codes (shown once)."""
    user = request.user
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token.strip()):
        audit_record(actor=user, action="2fa_failed", target=user, details={"step": "setup"})
        raise DomainError({"token": [_("That code is not right. Try the current one.")]})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=c) for c in codes])
    otp_login(request, device)
    request.session[SESSION_FLAG] = True
    _other_sessions_end(request, user)
    audit_record(actor=user, action="2fa_enabled", target=user)
    return codes


def twofactor_verify(*, request, token: str) -> bool:
    """Check a code (authenticator or recovery) for the signed-in user; audited either way."""
    user = request.user
    device = match_token(user, (token or "").strip().replace(" ", ""))
    if device is None:
        with transaction.atomic():
            audit_record(actor=user, action="2fa_failed", target=user, details={"step": "login"})
        return False
    otp_login(request, device)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="2fa_verified",
            target=user,
            details={"recovery_code": isinstance(device, StaticDevice)},
        )
    return True


@transaction.atomic
def twofactor_disable(*, actor: User, user: User, request=None) -> None:
    """Remove `user`'s authenticator and recovery codes (themself, or an admin's reset)."""
    if actor.pk != user.pk and actor.role != Role.ADMIN:
        raise DomainError(_("Only admins may reset someone else's two-factor sign-in."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="2fa_disabled", target=user)
    if request is not None and request.user.pk == user.pk:
        request.session[SESSION_FLAG] = False


@transaction.atomic
def security_policy_update(
    *, actor: User, require_2fa_staff: bool, require_2fa_admins: bool
) -> Tenant:
    """Require two-factor sign-in for agents and supervisors and/or admins of this tenant."""
    tenant = Tenant.objects.select_for_update().get(pk=current_tenant().pk)
    changes = {
        field: [getattr(tenant, field), value]
        for field, value in (
            ("require_2fa_staff", require_2fa_staff),
            ("require_2fa_admins", require_2fa_admins),
        )
        if getattr(tenant, field) != value
    }
    if changes:
        for field, (_before, after) in changes.items():
            setattr(tenant, field, after)
        tenant.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            action="settings_changed",
            target=tenant,
            details={"section": "security", **changes},
        )
    return tenant
