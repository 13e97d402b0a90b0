"""Two-factor sign-in for staff (TOTP with recovery codes, on django-otp).

A staff member with a confirmed authenticator must enter a code after the password, in the
desk and in Django admin; the tenant's policy can require everyone (staff, admins or both) to
set one up. Codes are checked by django-otp (drift-tolerant, each TOTP step used once);
recovery codes are single-use static tokens.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from panel1.accounts.models import Role, User
from panel1.audit.services import audit_record
from panel1.exceptions import DomainError
from panel1.security.models import SecurityPolicy

RECOVERY_CODES = 10


CACHE_SECONDS = 300
POLICY_KEY = "security:2fa-policy"


def _device_key(user_id) -> str:
    return f"security:2fa-device:{user_id}"


def twofactor_enabled(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def twofactor_required(user: User) -> bool:
    """Must `user` pass a second factor in this tenant (has one, or the policy says so)?

    Asked on every desk, admin and API request of staff, so both answers are cached (cache
    keys are per tenant) and dropped when a device or the policy changes."""
    if not user.is_authenticated or not user.is_helpdesk_staff:
        return False
    found = cache.get_many([_device_key(user.pk), POLICY_KEY])
    has_device = found.get(_device_key(user.pk))
    if has_device is None:
        has_device = twofactor_enabled(user)
        cache.set(_device_key(user.pk), has_device, CACHE_SECONDS)
    if has_device:
        return True
    policy = found.get(POLICY_KEY)
    if policy is None:
        current = SecurityPolicy.get()
        policy = (current.require_2fa_staff, current.require_2fa_admins)
        cache.set(POLICY_KEY, policy, CACHE_SECONDS)
    return policy[1] if user.role == Role.ADMIN else policy[0]


def _forget(user_id=None) -> None:
    keys = [POLICY_KEY] if user_id is None else [_device_key(user_id)]
    transaction.on_commit(lambda: cache.delete_many(keys))
    cache.delete_many(keys)


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
    audit_record(actor=user, action="2fa_enabled", target=user)
    _forget(user.pk)
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
def twofactor_disable(*, actor: User, user: User) -> None:
    """Remove `user`'s authenticator and recovery codes (themself, or an admin's reset)."""
    if actor.pk != user.pk and actor.role != Role.ADMIN:
        raise DomainError(_("Only admins may reset someone else's two-factor sign-in."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="2fa_disabled", target=user)
    _forget(user.pk)


@transaction.atomic
def security_policy_update(
    *, actor: User, require_2fa_staff: bool, require_2fa_admins: bool
) -> SecurityPolicy:
    policy = SecurityPolicy.objects.select_for_update().order_by("pk").first() or SecurityPolicy()
    changes = {
        field: [getattr(policy, field), value]
        for field, value in (
            ("require_2fa_staff", require_2fa_staff),
            ("require_2fa_admins", require_2fa_admins),
        )
        if getattr(policy, field) != value
    }
    policy.require_2fa_staff, policy.require_2fa_admins = require_2fa_staff, require_2fa_admins
    policy.save()
    _forget()
    if changes:
        audit_record(
            actor=actor,
            action="settings_changed",
            target=policy,
            details={"section": "security", **changes},
        )
    return policy
