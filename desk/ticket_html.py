"""The ticket page's repeated fragments as markup built in Python: the thread's items, the
history panel's rows and the assignee options.

Through the templates these ran a few hundred variable lookups, filters, translation look-ups
and date formats per page (each message, audit row and agent anew); here each label is
translated once per page, each date formatted once, and every value escaped as autoescape
escaped it (`_e`), so the markup is the one the templates printed (whitespace included).
The page around them stays in templates/desk/ (`_ticket_live.html`, `_ticket_history.html`,
`_ticket_props.html`), as the queue's table does around its rows (desk/queue_rows.py).
"""

from __future__ import annotations

import html
from datetime import datetime, tzinfo

from django.db import connection
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import get_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, ngettext

from desk.dates import date_format
from desk.templatetags.desk_tags import status_label
from desk.timeline import ThreadItem, described
from tickets.models import Message, MessageType


def _e(value) -> str:
    """What the template's autoescape (`conditional_escape`) printed."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _number(value) -> str:
    """A number as `{{ n }}` printed it (localized, escaped)."""
    return _e(localize(value))


class _Dates:
    """The `date` filter's output for this page's zone and language, one format per value."""

    def __init__(self) -> None:
        self.zone: tzinfo = timezone.get_current_timezone()
        self.datetime_format = get_format("DATETIME_FORMAT")

    def local(self, value: datetime) -> datetime:
        return value.astimezone(self.zone) if timezone.is_aware(value) else value

    def iso(self, value: datetime) -> str:  # date:'c'
        return _e(self.local(value).isoformat())

    def long(self, value: datetime) -> str:  # date:"DATETIME_FORMAT"
        return _e(date_format(self.local(value), self.datetime_format))

    def short(self, value: datetime, fmt: str) -> str:  # date:'Y-m-d H:i' and the like
        return _e(date_format(self.local(value), fmt))


def thread_html(thread: list[ThreadItem]) -> SafeString:
    """The conversation's `<li>` items (messages and folded audit rows), as
    `_ticket_live.html`'s loop printed them."""
    dates = _Dates()
    words = {
        MessageType.INTERNAL_NOTE: _e(gettext("Internal note")),
        MessageType.STAFF_REPLY: "\n              " + _e(gettext("Staff reply")),
        "customer": _e(gettext("Customer")),
        "auto": " ·\n          " + _e(gettext("auto")),
        "email": " · " + _e(gettext("email")),
    }
    # What every message's markup depends on besides the message (`_remembered_message`).
    page = (connection.schema_name, get_language(), dates.zone, dates.datetime_format)
    page += (get_script_prefix(),)
    parts = []
    for item in thread:
        if item.kind == "message":
            block = _remembered_message(item, dates, words, page)
        else:
            block = _events(item, dates)
        parts.append(f"\n  {block}\n")
    return mark_safe("".join(parts))


# A message's markup is the same on every view of its thread until something it shows
# changes, so each process keeps it under everything it is made of: the tenant's schema (no
# key crosses tenants), the language, time zone, date format and script prefix, and the
# message's own values (its rendered body, so an edit of the text makes a new key; the author's
# name; each file's name, size, type and scan state). Nothing is invalidated: changed values
# are a different key. Bounded by the text it holds (the body is in the key and the markup),
# emptied when full; a very long message is built each time instead.
_MESSAGES: dict[tuple, str] = {}
MESSAGES_MAX_CHARS = 4_000_000
MESSAGE_MAX_CHARS = 20_000
_held = [0]  # characters held in _MESSAGES (keys' bodies and markup)


def _remembered_message(item: ThreadItem, dates: _Dates, words: dict, page: tuple) -> str:
    m: Message = item.message
    author = m.author
    files = tuple(
        (a.pk, a.filename, a.size, a.content_type, a.scan_status) for a in m.attachments.all()
    )
    key = (
        *page,
        m.pk,
        m.message_type,
        m.author_label,
        author.get_full_name() if author is not None else None,
        m.is_auto_response,
        m.channel,
        m.time_spent,
        m.created_at,
        item.html,
        files,
    )
    found = _MESSAGES.get(key)
    if found is None:
        found = _message(item, dates, words)
        size = len(found) + len(item.html)
        if size <= MESSAGE_MAX_CHARS:
            if _held[0] + size > MESSAGES_MAX_CHARS:
                _MESSAGES.clear()
                _held[0] = 0
            _MESSAGES[key] = found
            _held[0] += size
    return found


def _message(item: ThreadItem, dates: _Dates, words: dict) -> str:
    m: Message = item.message
    author = m.author
    label = m.author_label or author  # `m.author_label|default:m.author`
    kind = words.get(m.message_type, words["customer"])
    if m.is_auto_response:
        kind += words["auto"]
    if m.channel == "EMAIL":
        kind += words["email"]
    spent = ""
    if m.time_spent:
        text = gettext("%(time_spent)s min spent") % {"time_spent": _number(m.time_spent)}
        spent = f'<span class="muted small">{text}</span>'
    files = list(m.attachments.all())
    files_html = ""
    if files:
        attachment = get_template("desk/_attachment.html")
        items = "".join(
            f"<li>{attachment.render({'a': a})}</li>\n      " for a in files
        )  # fmt: skip
        files_html = f'<ul class="msg-files">{items}</ul>'
    who = _e(author.get_full_name()) if author else _e(m.author_label)
    return (
        f'\n  <li class="msg msg-{_e(m.message_type.lower())}" id="m-{_e(m.pk)}">\n'
        f'    <article aria-label="{_e(label)}, {dates.short(m.created_at, "Y-m-d H:i")}">\n'
        f'    <header class="msg-head">\n'
        f"      <strong>{who}</strong>\n"
        f'      <span\n          class="msg-kind">{kind}</span>\n'
        f'      <time datetime="{dates.iso(m.created_at)}">{dates.long(m.created_at)}</time>\n'
        f"      {spent}\n"
        f"    </header>\n"
        f'    <div class="msg-body">{item.html}</div>\n'
        f"    {files_html}\n"
        f"    </article>\n"
        f"  </li>\n  "
    )


def _events(item: ThreadItem, dates: _Dates) -> str:
    more = ""
    if len(item.events) > 2:
        n = len(item.events) - 2
        text = ngettext("%(n)s more event", "%(n)s more events", n) % {"n": _number(n)}
        more = f" ·\n        {text}"
    rows = "".join(
        f'<li><time datetime="{dates.iso(e.created_at)}">{dates.long(e.created_at)}</time>\n'
        f"          {_e(described(e))}</li>"
        for e in item.events
    )
    return (
        f'\n  <li class="events">\n'
        f"    <details><summary>{_e(item.summary)}{more}</summary>\n"
        f"      <ul>{rows}</ul>\n"
        f"    </details>\n"
        f"  </li>\n  "
    )


def history_html(events: list) -> SafeString:
    """The history panel's rows, newest first, as `_ticket_history.html` printed them."""
    dates = _Dates()
    return mark_safe(
        "".join(
            f'<li><time datetime="{dates.iso(e.created_at)}">{dates.short(e.created_at, "m-d H:i")}'
            f"</time>\n      {_e(described(e))}</li>"
            for e in events
        )
    )


def assignee_options(staff: list, assignee_id) -> SafeString:
    """The assignee select's agent options (routing's agent rows), as `_ticket_props.html`
    printed them: a full agent is marked, and asks before being assigned."""
    full_word = _e(gettext("full"))
    parts = []
    for s in staff:
        pk = s.user.pk
        full = s.full
        data_full = ""
        if full and pk != assignee_id:
            data_full = f'\n            data-full="{_e(s.user.get_full_name())}"'
        selected = " selected" if pk == assignee_id else ""
        marker = f" ({full_word})" if full else ""
        parts.append(
            f'\n          <option value="{_e(pk)}"{data_full}{selected}>{_e(s.label)}\n'
            f"            {marker}</option>"
        )
    return mark_safe("".join(parts))


def choice_options(choices, selected) -> SafeString:
    """A select's options from `(value, label)` pairs (status, priority), as
    `_ticket_props.html`'s loops printed them."""
    return mark_safe(
        "".join(
            f'\n          <option value="{_e(value)}"{" selected" if value == selected else ""}>'
            f"{_e(label)}</option>"
            for value, label in choices
        )
    )


def category_options(categories, category_id) -> SafeString:
    """The category select's options after "None": the active categories and the ticket's
    own, as `_ticket_props.html` printed them."""
    return mark_safe(
        "".join(
            f'<option\n        value="{_number(c.pk)}"'
            f"{' selected' if c.pk == category_id else ''}>{_e(c.name)}</option>"
            for c in categories
            if c.is_active or c.pk == category_id
        )
    )


def requester_tickets_html(tickets) -> SafeString:
    """The requester's other tickets in the sidebar, as `ticket.html`'s loop printed them."""
    return mark_safe(
        "".join(
            f'<li><a href="{_e(reverse("desk:ticket", args=[t.number]))}">{_e(t.number)}</a>\n'
            f"            {_e(Truncator(t.subject).chars(40))} "
            f'<span class="badge status status-{_e(t.status.lower())}">'
            f"{_e(status_label(t.status))}</span></li>"
            for t in tickets
        )
    )
