"""What every admin-area view shares: the role gate (a 403 page that says who may), the
layout context (the section navigation) and the error mapping of domain errors to fields."""

from __future__ import annotations

import functools

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from desk.admin_area import registry
from desk.views.base import desk_view


def demo_mode() -> bool:
    return bool(getattr(settings, "DEMO_MODE", False) or settings.DEBUG)


def admin_view(section_key: str):
    """Staff only (desk login otherwise); then the section's roles, else a 403 page."""

    def decorator(view):
        @desk_view
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            section = registry.get_section(section_key)
            if section is None or not section.allows(request.user):
                return forbidden(request, section)
            if section.demo_only and not demo_mode():
                return forbidden(request, section, reason=_("This page exists in the demo only."))
            request.admin_section = section
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def forbidden(request, section, *, reason: str = ""):
    who = section.who if section else _("supervisors and admins")
    title = section.title if section else _("the admin area")
    context = admin_context(request, active="")
    context.update({"section_title": title, "who": who, "reason": reason})
    return render(request, "desk/admin/forbidden.html", context, status=403)


def admin_context(request, *, active: str | None = None) -> dict:
    sections = registry.sections_for(request.user, demo=demo_mode())
    if active is None:
        section = getattr(request, "admin_section", None)
        active = section.key if section else ""
    return {
        "admin_groups": registry.grouped(sections),
        "admin_active": active,
        "active_view": "admin",
    }


def admin_render(request, template: str, context: dict | None = None, *, status: int = 200):
    full = admin_context(request)
    full.update(context or {})
    return render(request, template, full, status=status)
