import logging

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from panel1.plugins import ui_slots

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def ui_slot(context, slot_name, **kwargs):
    """Render every component registered for `slot_name`; a failing plugin renders nothing."""
    request = context.get("request")
    parts = []
    for component in ui_slots.components(slot_name):
        try:
            extra = component.context(request, **kwargs) if component.context else {}
            parts.append(render_to_string(component.template, {**kwargs, **extra}, request=request))
        except Exception:
            logger.exception("UI slot component %s in %s failed", component.key, slot_name)
    # Each part was rendered (and autoescaped) by a Django template.
    return mark_safe("".join(parts))
