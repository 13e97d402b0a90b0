"""Formatting for portal templates (no queries)."""

from django import template

from portal.presentation import status_label

register = template.Library()


@register.filter
def portal_status(status: str) -> str:
    """The customer-facing name of a ticket status."""
    return status_label(status)
