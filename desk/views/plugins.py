"""/desk/plugins/ (tenant admins): installed plugins, the permissions each asks for, enable,
configure, disable, failure counts; and the UI slot catalog. Writes go through
panel1.plugins' services."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desk.views.base import desk_view, flash_error, sidebar_context
from panel1.accounts.models import Role
from panel1.exceptions import DomainError
from panel1.plugins import PERMISSIONS, SLOT_CATALOG, selectors, services


def admin_view(view):
    @desk_view
    def wrapper(request, *args, **kwargs):
        if request.user.role != Role.ADMIN:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def _settings_form(row, data=None):
    """The plugin's own settings form, or a JSON field for schema-described settings."""
    plugin = row.plugin
    if plugin.settings_form is not None:
        return plugin.settings_form(data=data, initial=row.settings, prefix=plugin.name)
    return None


@admin_view
def plugin_list(request):
    rows = selectors.plugin_rows()
    for row in rows:
        row.form = _settings_form(row)
        row.settings_json = json.dumps(row.settings, indent=2, sort_keys=True)
        row.permission_labels = [(p, PERMISSIONS[p]) for p in row.plugin.permissions]
        row.adds = _adds(row.plugin)
    context = {
        "rows": rows,
        "slot_catalog": SLOT_CATALOG.items(),
        **sidebar_context(request, counts=False, active="plugins"),
    }
    return render(request, "desk/plugins.html", context)


def _adds(plugin) -> list[tuple[str, str]]:
    """What the plugin brings beyond hooks and slots, in words: (what, its name)."""
    from django.utils.translation import gettext as _

    audiences = {"staff": _("agents"), "customer": _("customers")}
    adds = [(_("Ticket channel"), plugin.channel)] if plugin.channel else []
    adds += [
        (_("Automation action"), action.description)
        for action in plugin.automation_actions.values()
    ]
    adds += [(_("Automation condition"), field.label) for field in plugin.condition_fields.values()]
    adds += [
        (
            _("Notification channel"),
            f"{channel.label} ({', '.join(str(audiences[a]) for a in channel.audiences)})",
        )
        for channel in plugin.notification_channels.values()
    ]
    return adds


@require_POST
@admin_view
def plugin_switch(request, name: str, action: str):
    if action not in ("enable", "disable"):
        raise Http404("No such page.")
    service = services.plugin_enable if action == "enable" else services.plugin_disable
    try:
        service(name=name, actor=request.user)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"{name} {action}d.")
    return redirect("desk:plugins")


@require_POST
@admin_view
def plugin_settings(request, name: str):
    row = selectors.plugin_row(name)
    if row.plugin.settings_form is not None:
        values = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        values = {k.removeprefix(f"{name}-"): v for k, v in values.items()}
    else:
        try:
            values = json.loads(request.POST.get("settings") or "{}")
        except ValueError:
            messages.error(request, _("Settings must be JSON."))
            return redirect("desk:plugins")
    try:
        services.plugin_settings_update(name=name, actor=request.user, values=values)
    except DomainError as exc:
        for field, errors in exc.errors.items():
            for error in errors:
                messages.error(request, f"{name}: {field}: {error}")
    else:
        messages.success(request, _("%(name)s: settings saved.") % {"name": name})
    return redirect("desk:plugins")
