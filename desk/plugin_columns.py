"""Queue columns that plugins add or hide (`filter.desk_queue_columns` of panel1.plugins)."""

from __future__ import annotations

from dataclasses import dataclass, field

BUILTIN_COLUMNS = (
    ("number", "Number"),
    ("subject", "Subject"),
    ("requester", "Requester"),
    ("status", "Status"),
    ("priority", "Priority"),
    ("assignee", "Assignee"),
    ("sla", "SLA"),
    ("updated", "Updated"),
)
# The row's identity and its link to the ticket: never hidden.
KEPT_COLUMNS = frozenset({"number", "subject"})


@dataclass
class QueueColumns:
    """What plugins changed in the queue table: columns they added, built-ins they hid."""

    extra: list[dict] = field(default_factory=list)
    hidden: frozenset[str] = frozenset()


def queue_columns(user, tickets) -> QueueColumns:
    """Plugins get the built-in columns (`[{key, label}]`) and the page's ticket ids and answer
    the list: entries they add (`{key, label, values: {ticket id: text}}`) become columns, and
    built-in entries they leave out are hidden (except number and subject). Nothing is stored:
    a plugin switched off for the tenant changes nothing on the next page load."""
    from panel1.plugins import hooks, state

    if not state.plugins_with_hook("filter.desk_queue_columns"):
        return QueueColumns()
    builtin = [{"key": key, "label": label} for key, label in BUILTIN_COLUMNS]
    meta = {"user_id": str(user.pk), "ticket_ids": [str(t.pk) for t in tickets]}
    columns = hooks.apply_filter("filter.desk_queue_columns", list(builtin), meta)
    known = {key for key, _label in BUILTIN_COLUMNS}
    kept: set[str] = set()
    extra = []
    for column in columns:
        if not isinstance(column, dict):
            continue
        if column.get("key") in known:
            kept.add(column["key"])
            continue
        values = column.get("values") if isinstance(column.get("values"), dict) else {}
        cells = {t.pk: str(values.get(str(t.pk), "")) for t in tickets}
        extra.append(
            {"key": str(column.get("key")), "label": str(column.get("label")), "cells": cells}
        )
    return QueueColumns(extra=extra, hidden=frozenset(known - kept - KEPT_COLUMNS))


def plugin_columns(user, tickets) -> list[dict]:
    """The columns plugins add (see `queue_columns`)."""
    return queue_columns(user, tickets).extra
