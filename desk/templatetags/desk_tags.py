"""Formatting helpers for the desk's templates (they format values; they never query)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.http import QueryDict

from desk import timeline

register = template.Library()

_LABELS: dict[tuple[str, str], dict[str, str]] = {}


def _labels(kind: str) -> dict[str, str]:
    """Choice labels per language, computed once: `get_status_display()` rebuilds and hashes
    the lazy labels on every call, which dominated the queue's rendering time."""
    from django.utils.translation import get_language

    from tickets.models import Priority, Status

    key = (kind, get_language() or "")
    if key not in _LABELS:
        choices = Status.choices if kind == "status" else Priority.choices
        _LABELS[key] = {str(value): str(label) for value, label in choices}
    return _LABELS[key]


@register.filter
def status_label(value) -> str:
    return _labels("status").get(value, value)


@register.filter
def priority_label(value) -> str:
    return _labels("priority").get(value, value)


@register.filter
def get_item(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def describe(item) -> str:
    return timeline.described(item)


@register.simple_tag
def countdown(due: datetime | None, now: datetime) -> str:
    """`2h 5m` until `due`, `-35m` past it, days when far."""
    if due is None:
        return ""
    seconds = int((due - now).total_seconds())
    sign = "-" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {mins}m"
    return f"{sign}{mins}m"


@register.simple_tag
def querystring_with(query, **changes) -> str:
    """The current query (a QueryDict) with some parameters replaced (None drops one)."""
    params = query.copy() if query is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None and value != "":
            params.setlist(key, [value])
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def sort_state(current: str, column: str) -> dict:
    """For a column header: the sort to link to and the aria-sort value."""
    if current == column:
        return {"next": f"-{column}", "aria": "ascending", "arrow": "▲"}
    if current == f"-{column}":
        return {"next": column, "aria": "descending", "arrow": "▼"}
    return {
        "next": f"-{column}" if column in ("updated", "created", "priority") else column,
        "aria": "none",
        "arrow": "",
    }


@register.simple_tag
def choice_options(choices, selected) -> str:
    """A select's `<option>`s of `(value, label)` pairs, `selected` marked (built in Python:
    `desk.ticket_html.choice_options`)."""
    from desk.ticket_html import choice_options as options

    return options(choices, selected)


@register.filter
def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name()


@register.simple_tag(takes_context=True)
def sla_time(context, at: datetime | None) -> str:
    """A due time in the agent's zone, named ("Mon 8 Dec, 11:30 CET"); the SLA calendar's
    zone (`sla_zone` in the context) on hover when it differs."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone
    from django.utils.html import format_html

    from desk.dates import date_format

    if at is None:
        return ""
    local = timezone.localtime(at)
    text = f"{date_format(local, 'D j M, H:i')} {date_format(local, 'T')}"
    zone = context.get("sla_zone") or ""
    if not zone or zone == timezone.get_current_timezone_name():
        return format_html('<time datetime="{}">{}</time>', at.isoformat(), text)
    there = date_format(at.astimezone(ZoneInfo(zone)), "D j M Y, H:i")
    return format_html(
        '<time datetime="{}" title="{} {}">{}</time>', at.isoformat(), there, zone, text
    )


@register.filter
def previewable(attachment) -> bool:
    """An image the desk shows as a thumbnail (re-encoded by tickets.thumbnails)."""
    from tickets.thumbnails import has_preview

    return has_preview(attachment)


@register.filter
def contains(values, value) -> bool:
    """Membership compared as text (UUIDs from the database, strings from the URL)."""
    return str(value) in [str(v) for v in (values or [])]


@register.simple_tag
def ago(when: datetime | None, now: datetime) -> str:
    """Relative time that never says "0 minutes": "just now", else "3 hours"."""
    from django.utils.timesince import timesince
    from django.utils.translation import gettext

    if when is None:
        return ""
    if (now - when).total_seconds() < 60:
        return gettext("just now")
    key = _ago_key(when, now)
    if key is None:
        return timesince(when, now, depth=1)
    found = _AGO.get(key)
    if found is None:
        if len(_AGO) >= AGO_MAX:
            _AGO.clear()
        found = _AGO[key] = timesince(when, now, depth=1)
    return found


# `ago()`'s words by language and the one unit `timesince(depth=1)` prints ("3 hours"): a
# queue page asks for 50 of them, and timesince's calendar arithmetic and translation lookups
# were a tenth of the page's rows.
_AGO: dict[tuple, str] = {}
AGO_MAX = 2_000
_WEEK, _DAY, _HOUR = 7 * 24 * 60, 24 * 60, 60


def _ago_key(when: datetime, now: datetime) -> tuple | None:
    """What `timesince(when, now, depth=1)` prints, under 4 weeks (its first unit and count,
    as it counts them: whole minutes of the wall-clock difference in `when`'s zone), else
    None (months and years depend on the calendar)."""
    from django.utils.timezone import is_aware
    from django.utils.translation import get_language

    if is_aware(now) and is_aware(when):
        now = now.astimezone(when.tzinfo)
    delta = now - when
    minutes = (delta.days * 86400 + delta.seconds) // 60
    if minutes <= 0 or minutes >= 4 * _WEEK:
        return None
    if minutes >= _WEEK:
        unit = ("w", minutes // _WEEK)
    elif minutes >= _DAY:
        unit = ("d", minutes // _DAY)
    elif minutes >= _HOUR:
        unit = ("h", minutes // _HOUR)
    else:
        unit = ("m", minutes)
    return (get_language() or "", *unit)


# The sidebar's markup by everything it prints (see `desk_sidebar`); bounded, emptied when full.
_SIDEBARS: dict[tuple, str] = {}
SIDEBARS_MAX = 2_000


@register.simple_tag(takes_context=True)
def desk_sidebar(context) -> str:
    """`desk/_sidebar.html` (the queues and links beside every desk page), remembered per
    process by every value it prints: the language, the addresses' URLconf and prefix, the
    page's active view, the reader's role, the views with their names and counts, the poll
    interval. ~1 ms of template rendering on every desk page; a person's pages repeat it."""
    from django.template.loader import get_template
    from django.urls import get_script_prefix, get_urlconf
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    user = context.get("user")
    views = context.get("sidebar_views") or ()
    counts = context.get("sidebar_counts")
    key = (
        get_language(),
        get_urlconf(),
        get_script_prefix(),
        context.get("active_view"),
        bool(context.get("oob")),
        getattr(user, "role", None),
        bool(getattr(user, "is_supervisor_or_admin", False)),
        context.get("queue_poll_seconds"),
        None if counts is None else tuple(sorted((str(k), v) for k, v in counts.items())),
        tuple(
            (v.key, str(v.name), v.saved is not None, bool(v.saved and v.saved.is_shared))
            for v in views
        ),
    )
    html = _SIDEBARS.get(key)
    if html is None:
        html = get_template("desk/_sidebar.html").template.render(context)
        if len(_SIDEBARS) >= SIDEBARS_MAX:
            _SIDEBARS.clear()
        _SIDEBARS[key] = html
    # Rendered (and autoescaped) by the template.
    return mark_safe(html)
