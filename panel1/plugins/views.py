"""Plugin pages: /desk/apps/<plugin>/... (staff) and /apps/<plugin>/... (portal); 404 while
the plugin is disabled for the tenant."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from panel1.plugins.api.views import dispatch_plugin_url


def desk_app(request, name: str, rest: str = ""):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_helpdesk_staff:
        raise Http404("No such page.")
    return dispatch_plugin_url(request, name, "desk", rest)


def portal_app(request, name: str, rest: str = ""):
    return dispatch_plugin_url(request, name, "portal", rest)
