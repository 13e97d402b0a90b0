from django.db import connection
from django_tenants.utils import get_public_schema_name


def remember_device_at_login(sender, request, user, **kwargs):
    """Framework hook: note in the new session whether the user has an authenticator."""
    if request is None or connection.schema_name == get_public_schema_name():
        return
    from panel1.security.services import twofactor_remember

    twofactor_remember(request, user)
