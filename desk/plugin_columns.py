"""Queue columns that plugins add (`filter.desk_queue_columns` of panel1.plugins)."""

from __future__ import annotations

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


def plugin_columns(user, tickets) -> list[dict]:
    """Extra columns for the queue page: `[{key, label, cells: {ticket pk: text}}]`.

    Plugins get the built-in columns and the page's ticket ids and answer the list with
    their columns added, each `{key, label, values: {ticket id: text}}`; the built-in columns
    always stay (a plugin cannot hide them)."""
    from panel1.plugins import hooks, state

    if not state.plugins_with_hook("filter.desk_queue_columns"):
        return []
    builtin = [{"key": key, "label": label} for key, label in BUILTIN_COLUMNS]
    meta = {"user_id": str(user.pk), "ticket_ids": [str(t.pk) for t in tickets]}
    columns = hooks.apply_filter("filter.desk_queue_columns", list(builtin), meta)
    known = {key for key, _label in BUILTIN_COLUMNS}
    extra = []
    for column in columns:
        if not isinstance(column, dict) or column.get("key") in known:
            continue
        values = column.get("values") if isinstance(column.get("values"), dict) else {}
        cells = {t.pk: str(values.get(str(t.pk), "")) for t in tickets}
        extra.append(
            {"key": str(column.get("key")), "label": str(column.get("label")), "cells": cells}
        )
    return extra
