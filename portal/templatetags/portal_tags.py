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
def previewable(attachment) -> bool:
    """An image shown as a thumbnail (re-encoded by tickets.thumbnails)."""
    from tickets.thumbnails import has_preview

    return has_preview(attachment)


@register.filter
def updated_ago(when) -> str:
    """ "just now" under a minute, else "3 hours ago" (never "0 minutes ago")."""
    from django.utils import timezone
    from django.utils.timesince import timesince
    from django.utils.translation import gettext

    if not when:
        return ""
    if (timezone.now() - when).total_seconds() < 60:
        return gettext("just now")
    return gettext("%(when)s ago") % {"when": timesince(when, depth=1)}


@register.filter
def score_word(score) -> str:
    """What a 1-5 score means ("excellent")."""
    return _score_word(score)


@register.filter
def invalid_fields(form) -> list:
    """The form's visible fields that have errors, in form order (the error summary)."""
    return [field for field in form.visible_fields() if field.errors]
