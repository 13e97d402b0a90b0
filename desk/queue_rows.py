"""A queue row's display values and markup, computed once per row.

With 50 rows, the row template's filters, `{% url %}` tags and lookups ran thousands of times
per page and were most of its cost; here a row is a few `format_html` calls (which escape
every value, as the template did). The table around the rows stays in
templates/desk/_queue_table.html.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from desk.plugin_columns import BUILTIN_COLUMNS, QueueColumns
from desk.sla_status import SlaSummary
from desk.templatetags.desk_tags import ago, countdown, priority_label, status_label
from tickets.models import Ticket

# As `reverse()` quotes an argument (django.urls.resolvers), so the links read the same.
_URL_SAFE = "!$&'()*+,;=/~:@"
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"  # fits both URL patterns


@dataclass(frozen=True, slots=True)
class QueueRow:
    ticket: Ticket
    href: str
    tags: list
    assignee_name: str | None  # None: unassigned
    requester_name: str
    requester_email: str
    requester_href: str  # "" unless the requester is a customer (with a page)
    status_label: str
    status_class: str
    priority_label: str
    priority_class: str
    sla_state: str  # "" without an SLA
    sla_label: str
    sla_countdown: str  # "" without a due time
    sla_title: str
    updated_iso: str
    updated_title: str
    updated_ago: str
    plugin_cells: list


class _Links:
    """Ticket and customer links from one `reverse()` each: the path with the row's value
    put in, quoted as `reverse()` quotes it."""

    def __init__(self) -> None:
        self.ticket = reverse("desk:ticket", args=[_PLACEHOLDER])
        self.customer = reverse("desk:customer", args=[_PLACEHOLDER])

    @staticmethod
    def fill(pattern: str, value) -> str:
        return pattern.replace(_PLACEHOLDER, quote(str(value), safe=_URL_SAFE))


def queue_page_rows(
    tickets: list[Ticket], summaries: dict, *, now: datetime, columns: QueueColumns
) -> list[SafeString]:
    """The markup of a queue page's rows, in the page's order (`summaries`: the tickets' SLA
    summaries by id; `columns`: what plugins added and hid)."""
    links = _Links()
    due = gettext("due")
    shown = {key: key not in columns.hidden for key, _label in BUILTIN_COLUMNS}
    select_label = gettext("Select")
    return [
        row_html(
            _row(t, summaries.get(t.pk), now=now, links=links, due=due, columns=columns.extra),
            shown=shown,
            select_label=select_label,
        )
        for t in tickets
    ]


def _row(
    ticket: Ticket,
    sla: SlaSummary | None,
    *,
    now: datetime,
    links: _Links,
    due: str,
    columns: list[dict],
) -> QueueRow:
    requester = ticket.requester
    updated = timezone.localtime(ticket.updated_at)
    return QueueRow(
        ticket=ticket,
        href=links.fill(links.ticket, ticket.number),
        tags=ticket.tags[:3] if ticket.tags else [],
        assignee_name=ticket.assignee.get_full_name() if ticket.assignee else None,
        requester_name=requester.get_full_name(),
        requester_email=requester.email,
        requester_href=links.fill(links.customer, ticket.requester_id)
        if requester.is_customer
        else "",
        status_label=status_label(ticket.status),
        status_class=ticket.status.lower(),
        priority_label=priority_label(ticket.priority),
        priority_class=ticket.priority.lower(),
        sla_state=sla.state if sla else "",
        sla_label=sla.label if sla else "",
        sla_countdown=countdown(sla.due_at, now) if sla and sla.due_at else "",
        sla_title=_sla_title(sla, due),
        updated_iso=updated.isoformat(),
        updated_title=updated.strftime("%Y-%m-%d %H:%M"),
        updated_ago=ago(ticket.updated_at, now),
        plugin_cells=[column["cells"].get(ticket.pk) for column in columns],
    )


def _sla_title(sla: SlaSummary | None, due: str) -> str:
    if sla is None or sla.due_at is None:
        return ""
    return f"{sla.label} {due} {timezone.localtime(sla.due_at).strftime('%Y-%m-%d %H:%M')}"


def row_html(row: QueueRow, *, shown: dict, select_label: str) -> SafeString:
    """The row's `<tr>`, as the queue table printed it (columns in `shown` that are False are
    left out: a plugin hid them)."""
    t = row.ticket
    cells = [
        format_html(
            '\n  <tr data-href="{}" data-id="{}" data-number="{}">\n'
            '    <td class="col-check"><input type="checkbox" name="tickets" value="{}" '
            'form="bulk-form" aria-label="{} {}"></td>\n'
            '    <td class="col-number mono">{}</td>\n'
            '    <td class="col-subject"><a href="{}" title="{}">{}</a>{}'
            '<span class="row-extra muted small">{}{}{}</span></td>\n    ',
            row.href,
            t.pk,
            t.number,
            t.pk,
            select_label,
            t.number,
            t.number,
            row.href,
            t.subject,
            t.subject,
            format_html_join(
                "", ' <span\n        class="tag">{}</span>', ((tag,) for tag in row.tags)
            ),
            t.number,
            format_html(" ·\n        {}", row.assignee_name)
            if row.assignee_name is not None
            else "",
            format_html(" · {} {}", row.sla_label, row.sla_countdown) if row.sla_countdown else "",
        )
    ]
    for key, cell in _CELLS:
        if shown[key]:
            cells.append(cell(row))
        cells.append(mark_safe("\n    "))
    cells.extend(format_html('<td class="col-plugin">{}</td>', c) for c in row.plugin_cells)
    cells.append(mark_safe("\n  </tr>\n  "))
    return mark_safe("".join(cells))


def _requester_cell(row: QueueRow) -> SafeString:
    if row.requester_href:
        name = format_html('<a\n        href="{}">{}</a>', row.requester_href, row.requester_name)
    else:
        name = row.requester_name
    return format_html('<td class="col-requester" title="{}">{}</td>', row.requester_email, name)


def _assignee_cell(row: QueueRow) -> SafeString:
    if row.assignee_name is None:
        return mark_safe('<td\n        class="col-assignee"><span class="muted">—</span></td>')
    return format_html('<td\n        class="col-assignee">{}</td>', row.assignee_name)


def _sla_cell(row: QueueRow) -> SafeString:
    if row.sla_countdown:
        inner = format_html(
            '<span class="sla sla-{}"\n        title="{}">{}</span>',
            row.sla_state,
            row.sla_title,
            row.sla_countdown,
        )
    elif row.sla_state:
        inner = format_html(
            '<span\n        class="sla sla-{}">{}</span>', row.sla_state, row.sla_state
        )
    else:
        inner = mark_safe('<span class="muted">—</span>')
    return format_html('<td class="col-sla">{}</td>', inner)


_CELLS = (
    ("requester", _requester_cell),
    (
        "status",
        lambda row: format_html(
            '<td><span class="badge status status-{}">{}</span></td>',
            row.status_class,
            row.status_label,
        ),
    ),
    (
        "priority",
        lambda row: format_html(
            '<td><span class="badge prio prio-{}">{}</span></td>',
            row.priority_class,
            row.priority_label,
        ),
    ),
    ("assignee", _assignee_cell),
    ("sla", _sla_cell),
    (
        "updated",
        lambda row: format_html(
            '<td class="col-updated"><time datetime="{}"\n        title="{}">{}</time></td>',
            row.updated_iso,
            row.updated_title,
            row.updated_ago,
        ),
    ),
)
