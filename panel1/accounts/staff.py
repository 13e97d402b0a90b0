"""Staff accounts: invite, change role, deactivate and reactivate; every change audited.

Only a tenant ADMIN manages staff (supervisors run the desk, admins decide who is in it).
One rule keeps a helpdesk manageable: the last active admin can be neither demoted nor
deactivated, and nobody changes their own role or deactivates themselves.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from panel1.accounts.models import STAFF_ROLES, Role, User
from panel1.accounts.services import _normalized_email, account_mail_send
from panel1.audit.services import audit_record
from panel1.exceptions import Conflict, DomainError, PermissionDenied


def _admin_only(actor: User) -> None:
    if actor is None or not actor.is_active or actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only admins manage agents and roles."))


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise DomainError({"role": [_("Choose agent, supervisor or admin.")]})


def _keep_an_admin(user: User) -> None:
    # Lock the active admins so two concurrent demotions cannot both pass this check.
    admins = list(
        User.objects.select_for_update()
        .filter(role=Role.ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if admins == [user.pk]:
        raise Conflict({"role": [_("Keep at least one active admin.")]})


@transaction.atomic
def staff_invite(*, actor: User, email: str, name: str, role: str, base_url: str) -> User:
    """Create a staff account without a password and mail a link to choose one (after commit).

    An existing customer account with that address is not converted: staff and customers
    keep separate addresses."""
    _admin_only(actor)
    _check_role(role)
    email = _normalized_email(email)
    name = " ".join((name or "").split())[:200]
    if not name:
        raise DomainError({"name": [_("A name is required.")]})
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError({"email": [_("An account with this address exists already.")]})
    user = User.objects.create_user(email=email, name=name, role=role, email_verified=True)
    audit_record(actor=actor, action="user.invited", target=user, details={"role": role})
    account_mail_send(user=user, kind="staff_invitation", base_url=base_url)
    return user


@transaction.atomic
def staff_role_change(*, actor: User, user: User, role: str) -> User:
    """Give a staff member another staff role."""
    _admin_only(actor)
    _check_role(role)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role not in STAFF_ROLES:
        raise DomainError({"role": [_("Only staff accounts have these roles.")]})
    if user.role == role:
        return user
    if user.pk == actor.pk:
        raise DomainError({"role": [_("Ask another admin to change your own role.")]})
    if user.role == Role.ADMIN:
        _keep_an_admin(user)
    before = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit_record(
        actor=actor, action="user.role_changed", target=user, details={"role": [before, role]}
    )
    return user


@transaction.atomic
def staff_active_set(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (no login, no new assignments; history kept) or reactivate a staff member."""
    _admin_only(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role not in STAFF_ROLES:
        raise DomainError({"non_field_errors": [_("Only staff accounts are managed here.")]})
    if user.is_active == active:
        return user
    if not active and user.pk == actor.pk:
        raise DomainError({"non_field_errors": [_("You cannot deactivate yourself.")]})
    if not active and user.role == Role.ADMIN:
        _keep_an_admin(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    action = "user.reactivated" if active else "user.deactivated"
    audit_record(actor=actor, action=action, target=user, details={})
    return user
