"""Web pages of the tickets app: the customer portal (/) and the mail webhooks (/mail/)."""

from importlib import import_module

from django.urls import include, path


def _optional(module_name: str, prefix: str):
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        # Only a missing package/module of our own is optional; other import errors surface.
        if exc.name is None or not module_name.startswith(exc.name):
            raise
        return []
    return [path(prefix, include(module))]


urlpatterns = [
    *_optional("tickets.email.urls", "mail/"),
    *_optional("tickets.portal.urls", ""),
]
