"""Role permission classes for every app's API (one place, so the roles read the same)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from panel1.accounts.models import Role


def _signed_in(request) -> bool:
    return bool(request.user and request.user.is_authenticated)


class IsHelpdeskStaff(BasePermission):
    """Agents, supervisors and admins."""

    def has_permission(self, request, view):
        return _signed_in(request) and bool(request.user.is_helpdesk_staff)


class IsSupervisorOrAdmin(BasePermission):
    message = _("Automation is for supervisors and admins.")

    def has_permission(self, request, view):
        return _signed_in(request) and bool(request.user.is_supervisor_or_admin)


class IsTenantAdmin(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return _signed_in(request) and user.is_active and user.role == Role.ADMIN


class IsTenantAdminOrReadOnly(BasePermission):
    """Anyone signed in may read; only admins may write."""

    def has_permission(self, request, view):
        if not _signed_in(request):
            return False
        return request.method in SAFE_METHODS or request.user.role == Role.ADMIN
