"""Tags of the admin area's templates: field errors next to their field."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    if hasattr(mapping, "get"):
        return mapping.get(key)
    return None


@register.inclusion_tag("desk/admin/_field_errors.html")
def field_errors(errors, key: str):
    return {"messages_list": (errors or {}).get(key) or [], "id": key}
