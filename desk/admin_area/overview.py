"""/desk/admin/: the sections this user may open, with a sentence each."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from desk.admin_area import registry
from desk.admin_area.base import admin_context, demo_mode
from desk.views.base import desk_view


@desk_view
def overview(request):
    if not request.user.is_supervisor_or_admin and not request.user.is_superuser:
        context = admin_context(request, active="")
        context.update({"section_title": _("the admin area"), "who": _("supervisors and admins")})
        return render(request, "desk/admin/forbidden.html", context, status=403)
    context = admin_context(request, active="overview")
    sections = registry.sections_for(request.user, demo=demo_mode())
    context["groups"] = registry.grouped(sections)
    return render(request, "desk/admin/overview.html", context)
