import functools
import logging

from django import template
from django.template import engines
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from panel1.plugins import ui_slots

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def ui_slot(context, slot_name, **kwargs):
    """Render the components of `slot_name`: the core apps' and those of the plugins the
    tenant enabled (read once per request). A failing component renders nothing; a failing
    plugin component is counted against its plugin."""
    request = context.get("request")
    parts = []
    for component in ui_slots.components_for_tenant(slot_name):
        try:
            extra = _component_context(component, request, kwargs)
            parts.append(_render(component, {**kwargs, **extra}, request))
        except Exception as exc:
            logger.exception("UI slot component %s in %s failed", component.key, slot_name)
            if component.plugin:
                _count_failure(component.plugin, slot_name, exc)
    # Each part was rendered (and autoescaped) by a Django template.
    return mark_safe("".join(parts))


def _render(component, values: dict, request) -> str:
    if component.html:
        return _inline(component.html).render(values, request)
    return render_to_string(component.template, values, request=request)


@functools.lru_cache(maxsize=256)
def _inline(source: str):
    """Compiled inline templates of plugin slots (compiled once per process, like Django's
    cached template loader)."""
    return engines["django"].from_string(source)


def _component_context(component, request, kwargs) -> dict:
    if component.context is None:
        return {}
    if not component.plugin:
        return component.context(request, **kwargs)
    from panel1.plugins.context import context_for
    from panel1.plugins.registry import registry

    ctx = context_for(registry.get(component.plugin))
    return {"plugin": ctx, **component.context(ctx, request, **kwargs)}


def _count_failure(name: str, slot_name: str, exc: Exception) -> None:
    from panel1.plugins.hooks import failure_record
    from panel1.plugins.registry import registry

    plugin = registry.get(name)
    if plugin is not None:
        failure_record(
            plugin=plugin, hook=f"slot {slot_name}", error=f"{type(exc).__name__}: {exc}"
        )
