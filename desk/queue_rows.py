"""What a queue row shows, computed once per row before rendering.

The queue table prints these values as they are: with 50 rows, every filter, `{% url %}` and
lookup chain in the row template ran thousands of times per page and was most of its cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

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
    tickets: list[Ticket], summaries: dict, *, now: datetime, plugin_columns: list[dict]
) -> list[QueueRow]:
    """The display values of a queue page's rows, in the page's order."""
    links = _Links()
    due = gettext("due")
    return [
        _row(t, summaries.get(t.pk), now=now, links=links, due=due, columns=plugin_columns)
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
