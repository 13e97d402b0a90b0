from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import SAFE_METHODS


class TenantTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; tokens live in each tenant's schema, stored as hashes.

    The lookup runs in the schema of the request host, so a token of tenant A used on tenant
    B's host finds nothing and answers 401. Revoked or expired tokens answer 401; a read-only
    token that tries to write answers 403.
    """

    keyword = "Token"

    def authenticate_credentials(self, key):
        from panel1.api.tokens import api_token_authenticate

        token = api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired token."))
        return token.user, token

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and result[1].read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("This token is read-only."))
        return result
