"""Formatting for portal templates (no queries)."""

from django import template

from portal.presentation import score_word as _score_word
from portal.presentation import status_label

register = template.Library()


@register.filter
def portal_status(status: str) -> str:
    """The customer-facing name of a ticket status."""
    return status_label(status)


@register.filter
def score_word(score) -> str:
    """What a 1-5 score means ("excellent")."""
    return _score_word(score)


@register.filter
def invalid_fields(form) -> list:
    """The form's visible fields that have errors, in form order (the error summary)."""
    return [field for field in form.visible_fields() if field.errors]
