"""Staff who must pass a second factor reach nothing but the two-factor pages until they do:
the desk and Django admin redirect there; session calls to the API answer 403."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django_tenants.utils import get_public_schema_name

ALWAYS_OPEN = ("/desk/2fa/", "/desk/logout/", "/logout/", "/static/", "/healthz")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        blocked = self._blocked(request)
        return blocked if blocked is not None else self.get_response(request)

    def _blocked(self, request):
        if connection.schema_name == get_public_schema_name():
            return None
        path = request.path
        if path.startswith(ALWAYS_OPEN) or not path.startswith(("/desk/", "/admin/", "/api/")):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_helpdesk_staff:
            return None
        if user.is_verified():
            return None
        from panel1.security.services import twofactor_required

        if not twofactor_required(request, user):
            return None
        if path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Two-factor verification is required for this session."}, status=403
            )
        return HttpResponseRedirect(f"/desk/2fa/?{urlencode({'next': request.get_full_path()})}")
