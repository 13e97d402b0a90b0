"""Every write to plugin state: enable, disable, configure, count failures, forbid.

Tenant services run in the tenant's schema and emit `plugin.enabled` / `plugin.disabled`;
lifecycle hooks (`install` the first time, `activate`, `deactivate`, `uninstall`) are queued as
jobs in the tenant's schema after commit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.events import bus, names
from panel1.exceptions import DomainError, NotFound, PermissionDenied
from panel1.plugins import state
from panel1.plugins.base import Plugin
from panel1.plugins.models import PluginDatum, PluginState
from panel1.plugins.registry import registry
from panel1.plugins.settings import settings_clean, settings_defaults


def plugin_get(name: str) -> Plugin:
    """The installed plugin called `name`; NotFound otherwise."""
    plugin = registry.get(name)
    if plugin is None:
        raise NotFound({"detail": _("No plugin %(name)s is installed.") % {"name": repr(name)}})
    return plugin


def plugin_forbidden(name: str) -> bool:
    """Whether the platform forbids `name` for the current tenant."""
    from panel1.plugins.platform.models import PluginForbid

    return PluginForbid.objects.filter(
        tenant__schema_name=connection.schema_name, plugin=name
    ).exists()


def _state_locked(name: str) -> PluginState:
    plugin_state, _unused = PluginState.objects.select_for_update().get_or_create(plugin=name)
    return plugin_state


def _audit(*, actor: Actor, action: str, row: PluginState, details: dict[str, Any]) -> None:
    # API.md's audit action names (plugin_enabled, plugin_disabled, settings_changed).
    audit_record(actor=actor, action=action, target=row, details={"plugin": row.plugin, **details})


@transaction.atomic
def plugin_enable(*, name: str, actor: Any) -> PluginState:
    """Switch `name` on for the current tenant (a no-op if on); 403 if the platform forbids
    it. Resets the failure count; queues `install` (first time) and `activate`."""
    actor = Actor.of(actor)
    plugin = plugin_get(name)
    if plugin_forbidden(name):
        raise PermissionDenied(
            {
                "detail": _("The platform does not allow the plugin %(name)s for this tenant.")
                % {"name": repr(name)}
            }
        )
    plugin_state = _state_locked(name)
    if plugin_state.enabled:
        return plugin_state
    first_time = plugin_state.installed_at is None
    now = timezone.now()
    plugin_state.enabled = True
    plugin_state.enabled_at = now
    plugin_state.installed_at = plugin_state.installed_at or now
    plugin_state.failure_count = 0
    plugin_state.disabled_reason = ""
    if not plugin_state.settings:
        plugin_state.settings = settings_defaults(plugin)
    plugin_state.save()
    state.tenant_row_sync()
    _audit(
        actor=actor,
        action="plugin_enabled",
        row=plugin_state,
        details={"version": plugin.version},
    )
    bus.emit(names.PLUGIN_ENABLED, payload={"plugin": name}, actor=actor.event_actor)
    from panel1.plugins.hooks import lifecycle_enqueue

    if first_time:
        lifecycle_enqueue(plugin, "install")
    lifecycle_enqueue(plugin, "activate")
    return plugin_state


@transaction.atomic
def plugin_disable(*, name: str, actor: Any, reason: str = "") -> PluginState:
    """Switch `name` off for the current tenant (a no-op if off); queues `deactivate`."""
    actor = Actor.of(actor)
    plugin = plugin_get(name)
    plugin_state = _state_locked(name)
    if not plugin_state.enabled:
        return plugin_state
    plugin_state.enabled = False
    plugin_state.disabled_reason = reason[:300]
    plugin_state.save()
    state.tenant_row_sync()
    _audit(actor=actor, action="plugin_disabled", row=plugin_state, details={"reason": reason})
    bus.emit(
        names.PLUGIN_DISABLED, payload={"plugin": name, "reason": reason}, actor=actor.event_actor
    )
    from panel1.plugins.hooks import lifecycle_enqueue

    lifecycle_enqueue(plugin, "deactivate")
    return plugin_state


@transaction.atomic
def plugin_settings_update(*, name: str, actor: Any, values: Any) -> PluginState:
    """Replace the tenant's settings of `name` (allowed while disabled); 400 naming the field."""
    actor = Actor.of(actor)
    plugin = plugin_get(name)
    cleaned, errors = settings_clean(plugin, values)
    if errors:
        raise DomainError(errors)
    plugin_state = _state_locked(name)
    plugin_state.settings = cleaned
    plugin_state.save(update_fields=["settings", "updated_at"])
    state.invalidate()
    _audit(actor=actor, action="settings_changed", row=plugin_state, details={})
    return plugin_state


def plugin_settings_get(*, name: str) -> dict[str, Any]:
    plugin = plugin_get(name)
    saved = PluginState.objects.filter(plugin=name).values_list("settings", flat=True).first()
    return {**settings_defaults(plugin), **(saved or {})}


def plugin_failure_count(*, plugin: Plugin, hook: str, error: str) -> None:
    """Count a failure of `plugin`; at PLUGIN_MAX_FAILURES (0 = never) switch it off."""
    PluginState.objects.filter(plugin=plugin.name).update(
        failure_count=F("failure_count") + 1,
        last_failure_at=timezone.now(),
        last_error=f"{hook}: {error}"[:2000],
    )
    limit = getattr(settings, "PLUGIN_MAX_FAILURES", 5)
    if not limit:
        return
    failures = (
        PluginState.objects.filter(plugin=plugin.name, enabled=True)
        .values_list("failure_count", flat=True)
        .first()
    )
    if failures is not None and failures >= limit:
        plugin_disable(
            name=plugin.name,
            actor=Actor(label="system"),
            reason=f"Switched off automatically after {failures} failures (last: {hook}).",
        )


@transaction.atomic
def plugin_uninstall(*, name: str, actor: Any) -> None:
    """Disable `name`, run its `uninstall` hook and delete its state and data in this tenant."""
    plugin = plugin_get(name)
    plugin_disable(name=name, actor=actor, reason="uninstalled")
    from panel1.plugins.hooks import lifecycle_enqueue

    lifecycle_enqueue(plugin, "uninstall")
    transaction.on_commit(lambda: _forget(name))


def _forget(name: str) -> None:
    PluginDatum.objects.filter(plugin=name).delete()
    PluginState.objects.filter(plugin=name).delete()
    state.tenant_row_sync()


# --- platform policy (public schema) ------------------------------------------------------


@transaction.atomic
def plugin_forbid(*, tenant, name: str, actor: Any, reason: str = "") -> None:
    """Forbid `name` for `tenant` (platform admins); switches it off there if it is on."""
    from django_tenants.utils import schema_context

    from panel1.plugins.platform.models import PluginForbid

    PluginForbid.objects.get_or_create(tenant=tenant, plugin=name, defaults={"reason": reason})
    with schema_context(tenant.schema_name):
        if PluginState.objects.filter(plugin=name, enabled=True).exists():
            plugin_disable(name=name, actor=actor, reason="forbidden by the platform")


@transaction.atomic
def plugin_allow(*, tenant, name: str) -> None:
    from panel1.plugins.platform.models import PluginForbid

    PluginForbid.objects.filter(tenant=tenant, plugin=name).delete()
