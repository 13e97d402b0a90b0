"""Running plugin hooks: action hooks (`before_*` may veto, `after_*` after commit), filter
hooks (a value in, the changed value out), event hooks (queued, one task per event) and
lifecycle hooks (queued jobs in the tenant's schema).

Every call is isolated: an exception or a hook over its time budget is logged with the plugin
and the tenant, counted on the plugin's state, and never breaks the request or the other
plugins; `PLUGIN_MAX_FAILURES` failures in a row switch the plugin off for the tenant.
Only plugins the current tenant enabled run (one query per request, see `state`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from panel1.exceptions import DomainError
from panel1.plugins.base import ACTION_HOOKS, FILTER_HOOKS, Plugin, Veto
from panel1.plugins.context import context_for
from panel1.plugins.deadline import HookTimeout, deadline
from panel1.plugins.state import plugins_with_hook

logger = logging.getLogger("panel1.plugins")
_FAILED = object()


class HookVetoed(DomainError):
    """A `before_*` hook refused the action; the reason is shown to the user (400)."""

    def __init__(self, *, plugin: str, reason: str):
        self.plugin = plugin
        self.reason = reason
        super().__init__({"non_field_errors": [reason]})


def _budget_seconds() -> float:
    return getattr(settings, "PLUGIN_HOOK_TIME_BUDGET_MS", 500) / 1000


def call_isolated(plugin: Plugin, hook: str, *args: Any) -> Any:
    """Run one hook of one plugin; answers its result, a `Veto`, or `_FAILED`."""
    handler = plugin.handler(hook)
    if handler is None:
        return None
    return run_isolated(plugin, hook, handler, *args)


def failed(result: Any) -> bool:
    return result is _FAILED


def run_isolated(plugin: Plugin, hook: str, handler, *args: Any) -> Any:
    """Run `handler(ctx, *args)` for `plugin`, isolated and timed (`hook` names it in logs).

    A synchronous hook that runs past PLUGIN_HOOK_TIME_BUDGET_MS is stopped where it is
    (`deadline`: a timer in the main thread; elsewhere the overrun is counted once it
    returns) and its savepoint rolled back; either way it counts as a failure."""
    budget = _budget_seconds()
    started = time.monotonic()
    mine = None
    try:
        # A savepoint: a database error inside the plugin leaves the caller's transaction usable.
        with transaction.atomic(), deadline(budget) as mine:
            try:
                result = handler(context_for(plugin), *args)
            except HookTimeout as stop:
                if stop.deadline is not mine:
                    raise  # an outer hook's deadline: it stops that hook
                raise _Stopped() from None
    except _Stopped:
        return _stopped(plugin, hook, budget, started, how="interrupted")
    except Veto as veto:
        return veto
    except Exception as exc:
        if mine is not None and mine.expired():  # its query was cancelled at the deadline
            return _stopped(plugin, hook, budget, started, how=f"{type(exc).__name__}")
        failure_record(plugin=plugin, hook=hook, error=f"{type(exc).__name__}: {exc}", exc=exc)
        return _FAILED
    elapsed = time.monotonic() - started
    if elapsed > budget:
        failure_record(
            plugin=plugin,
            hook=hook,
            error=f"exceeded its time budget ({elapsed * 1000:.0f} ms > {budget * 1000:.0f} ms)",
        )
    return result


def _stopped(plugin: Plugin, hook: str, budget: float, started: float, *, how: str) -> object:
    elapsed = time.monotonic() - started
    failure_record(
        plugin=plugin,
        hook=hook,
        error=f"stopped: exceeded its time budget ({budget * 1000:.0f} ms; "
        f"{how} after {elapsed * 1000:.0f} ms)",
    )
    return _FAILED


class _Stopped(Exception):
    """This hook's own deadline passed (raised once its deadline is disarmed)."""


def failure_record(*, plugin: Plugin, hook: str, error: str, exc: Exception | None = None) -> None:
    """Log and count a failure; switch the plugin off after PLUGIN_MAX_FAILURES in a row."""
    from panel1.plugins.services import plugin_failure_count

    logger.error(
        "Plugin %s failed in tenant %s (%s): %s",
        plugin.name,
        connection.schema_name,
        hook,
        error,
        exc_info=exc,
    )
    plugin_failure_count(plugin=plugin, hook=hook, error=error)


# --- action hooks -------------------------------------------------------------------------


def run_before(hook: str, payload: dict[str, Any]) -> None:
    """Ask every enabled plugin with `hook`; the first veto raises `HookVetoed` (a 400)."""
    assert hook in ACTION_HOOKS and hook.startswith("before_"), hook
    for plugin in plugins_with_hook(hook):
        result = call_isolated(plugin, hook, dict(payload))
        if isinstance(result, Veto):
            raise HookVetoed(plugin=plugin.name, reason=result.reason or "Refused by a plugin.")


def run_after(hook: str, payload: dict[str, Any]) -> None:
    """Run `after_*` hooks once the current transaction commits (no-op without plugins)."""
    assert hook in ACTION_HOOKS and hook.startswith("after_"), hook
    plugins = plugins_with_hook(hook)
    if not plugins:
        return

    def _run():
        for plugin in plugins:
            call_isolated(plugin, hook, dict(payload))

    transaction.on_commit(_run)


# --- filter hooks -------------------------------------------------------------------------


def apply_filter(hook: str, value: Any, meta: dict[str, Any] | None = None) -> Any:
    """Pass `value` through every enabled plugin's `hook` in name order; a failing plugin's
    step is skipped (the value it got goes on)."""
    assert hook in FILTER_HOOKS, hook
    for plugin in plugins_with_hook(hook):
        result = call_isolated(plugin, hook, value, dict(meta or {}))
        if result is _FAILED or isinstance(result, Veto):
            continue
        if result is None or type(result) is not type(value):
            failure_record(
                plugin=plugin,
                hook=hook,
                error=f"answered {type(result).__name__}, expected {type(value).__name__}",
            )
            continue
        value = result
    return value


def filter_inbound_mail_raw(data: bytes, *, limit: int, meta: dict[str, Any]) -> bytes:
    """The bytes of an inbound mail to store: `filter.inbound_mail_raw` of the enabled plugins
    (a mail over `limit` is cut to the part that is kept first). No plugin: `data` itself."""
    if not plugins_with_hook("filter.inbound_mail_raw"):
        return data
    truncated = len(data) > limit
    kept = bytes(data[:limit]) if truncated else bytes(data)
    return apply_filter("filter.inbound_mail_raw", kept, {**meta, "truncated": truncated})


# --- event hooks --------------------------------------------------------------------------


def connect_event_bus() -> None:
    from panel1.events import bus, names
    from panel1.plugins.channel_replies import on_message_added

    bus.subscribe("*", key="panel1.plugins", handler=_on_event)
    bus.subscribe(names.MESSAGE_ADDED, key="panel1.plugins.channel_reply", handler=on_message_added)


def _on_event(event) -> None:
    """After commit: one queued task per event delivers it to every subscribed plugin."""
    if not plugins_with_hook(event.name):
        return
    from panel1 import jobs

    jobs.enqueue("panel1.plugins.hooks.event_deliver_task", event.id)


def event_payload(record) -> dict[str, Any]:
    return {
        "event_id": str(record.id),
        "event": record.name,
        "schema_name": connection.schema_name,
        "actor": record.actor,
        "created_at": record.created_at.isoformat(),
        **(record.payload or {}),
    }


def event_deliver_task(event_id: str) -> int:
    """Deliver one event to the enabled plugins that subscribe to it; answers how many ran."""
    from panel1.events.models import EventRecord

    record = EventRecord.objects.filter(id=event_id).first()
    if record is None:
        return 0
    payload = event_payload(record)
    ran = 0
    for plugin in plugins_with_hook(record.name):
        if claim_delivery(record.id, plugin.name):
            call_isolated(plugin, record.name, dict(payload))
            ran += 1
    return ran


def claim_delivery(event_id, plugin_name: str) -> bool:
    """Take the (event or notification, plugin) delivery; False when an earlier run took it."""
    from django.db import IntegrityError

    from panel1.plugins.models import PluginDelivery

    try:
        with transaction.atomic():
            PluginDelivery.objects.create(event_id=event_id, plugin=plugin_name)
    except IntegrityError:
        return False
    return True


def deliveries_prune_task(*, days: int = 7) -> int:
    """Forget delivery claims older than `days` (redeliveries come within minutes)."""
    from datetime import timedelta

    from django.utils import timezone

    from panel1.plugins.models import PluginDelivery

    cutoff = timezone.now() - timedelta(days=days)
    return PluginDelivery.objects.filter(created_at__lt=cutoff).delete()[0]


# --- lifecycle hooks ----------------------------------------------------------------------


def lifecycle_enqueue(plugin: Plugin, hook: str) -> None:
    if plugin.handler(hook) is None:
        return
    from panel1 import jobs

    jobs.enqueue("panel1.plugins.hooks.lifecycle_task", plugin.name, hook)


def lifecycle_task(plugin_name: str, hook: str) -> bool:
    """Run a lifecycle hook (install, activate, deactivate, uninstall) in this tenant."""
    from panel1.plugins.registry import registry

    plugin = registry.get(plugin_name)
    if plugin is None:
        return False
    return call_isolated(plugin, hook, {"hook": hook}) is not _FAILED
