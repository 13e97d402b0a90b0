"""A queue row's display values and markup, computed once per row.

With 50 rows, the row template's filters, `{% url %}` tags and lookups ran thousands of times
per page and were most of its cost; here a row is one string, every value escaped as the
template escaped it. The table around the rows stays in
templates/desk/_queue_table.html.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
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
    cells: dict = {}  # the page's cells that repeat (a status, a priority, an assignee)
    return [
        row_html(
            _row(t, summaries.get(t.pk), now=now, links=links, due=due, columns=columns.extra),
            shown=shown,
            select_label=select_label,
            cells=cells,
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


def row_html(
    row: QueueRow, *, shown: dict, select_label: str, cells: dict | None = None
) -> SafeString:
    """The row's `<tr>`, as the queue table printed it (columns in `shown` that are False are
    left out: a plugin hid them). Every value goes through `_e`, as autoescape printed it.
    `cells`: the markup of cells made for earlier rows of the page, by the values they print
    (filled here)."""
    cells = {} if cells is None else cells
    t = row.ticket
    number, pk, href = _e(t.number), _e(t.pk), _e(row.href)
    tags = "".join(f' <span\n        class="tag">{_e(tag)}</span>' for tag in row.tags)
    extra = number
    if row.assignee_name is not None:
        extra += f" ·\n        {_e(row.assignee_name)}"
    if row.sla_countdown:
        extra += f" · {_e(row.sla_label)} {_e(row.sla_countdown)}"
    parts = [
        f'\n  <tr data-href="{href}" data-id="{pk}" data-number="{number}">\n'
        f'    <td class="col-check"><input type="checkbox" name="tickets" value="{pk}" '
        f'form="bulk-form" aria-label="{_e(select_label)} {number}"></td>\n'
        f'    <td class="col-number mono">{number}</td>\n'
        f'    <td class="col-subject"><a href="{href}" title="{_e(t.subject)}">{_e(t.subject)}</a>'
        f'{tags}<span class="row-extra muted small">{extra}</span></td>\n    '
    ]
    for key, cell, printed in _CELLS:
        if shown[key]:
            if printed is None:
                parts.append(cell(row))
            else:
                memo = (key, printed(row))
                markup = cells.get(memo)
                if markup is None:
                    markup = cells[memo] = cell(row)
                parts.append(markup)
        parts.append("\n    ")
    parts.extend(f'<td class="col-plugin">{_e(cell)}</td>' for cell in row.plugin_cells)
    parts.append("\n  </tr>\n  ")
    return mark_safe("".join(parts))


def _e(value) -> str:
    """What the template's autoescape (`conditional_escape`) printed, without its lazy-string
    wrappers (50 rows times twenty values)."""
    if type(value) is str:  # not a SafeString (a subclass)
        return html.escape(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _requester_cell(row: QueueRow) -> str:
    name = _e(row.requester_name)
    if row.requester_href:
        name = f'<a\n        href="{_e(row.requester_href)}">{name}</a>'
    return f'<td class="col-requester" title="{_e(row.requester_email)}">{name}</td>'


def _assignee_cell(row: QueueRow) -> str:
    if row.assignee_name is None:
        return '<td\n        class="col-assignee"><span class="muted">—</span></td>'
    return f'<td\n        class="col-assignee">{_e(row.assignee_name)}</td>'


def _sla_cell(row: QueueRow) -> str:
    state = _e(row.sla_state)
    if row.sla_countdown:
        inner = (
            f'<span class="sla sla-{state}"\n        title="{_e(row.sla_title)}">'
            f"{_e(row.sla_countdown)}</span>"
        )
    elif row.sla_state:
        inner = f'<span\n        class="sla sla-{state}">{state}</span>'
    else:
        inner = '<span class="muted">—</span>'
    return f'<td class="col-sla">{inner}</td>'


def _status_cell(row: QueueRow) -> str:
    return (
        f'<td><span class="badge status status-{_e(row.status_class)}">'
        f"{_e(row.status_label)}</span></td>"
    )


def _priority_cell(row: QueueRow) -> str:
    return (
        f'<td><span class="badge prio prio-{_e(row.priority_class)}">'
        f"{_e(row.priority_label)}</span></td>"
    )


def _updated_cell(row: QueueRow) -> str:
    return (
        f'<td class="col-updated"><time datetime="{_e(row.updated_iso)}"\n'
        f'        title="{_e(row.updated_title)}">{_e(row.updated_ago)}</time></td>'
    )


# Each cell: its column, its markup, and for cells that repeat down a page, the values of the
# row it prints (the markup is then made once per page for each).
_CELLS = (
    ("requester", _requester_cell, None),
    ("status", _status_cell, lambda row: (row.status_class, row.status_label)),
    ("priority", _priority_cell, lambda row: (row.priority_class, row.priority_label)),
    ("assignee", _assignee_cell, lambda row: row.assignee_name),
    ("sla", _sla_cell, None),
    ("updated", _updated_cell, None),
)
