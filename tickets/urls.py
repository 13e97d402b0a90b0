"""Web pages of the tickets app: the agent desk (/desk/) and the customer portal (/)."""

from importlib import import_module

from django.urls import include, path


def _optional(module_name: str, prefix: str):
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        # The package itself (tickets.desk) may not exist yet, or only lack its urls module.
        if exc.name not in (module_name, module_name.rsplit(".", 1)[0]):
            raise
        return []
    return [path(prefix, include(module))]


urlpatterns = [
    *_optional("tickets.email.urls", "mail/"),
    *_optional("tickets.desk.urls", "desk/"),
    *_optional("tickets.portal.urls", ""),
]
