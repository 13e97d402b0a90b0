"""Placeholders in canned responses: `{{requester.first_name}}` and friends.

Plain substitution of a fixed set of names (no template engine: a canned response is
written by staff but must never evaluate anything). Unknown placeholders stay as written so
the agent sees them before sending.
"""

from __future__ import annotations

import re

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+)\.([a-z_]+)\s*\}\}")


def placeholder_values(*, ticket, agent, company_name: str = "") -> dict[tuple[str, str], str]:
    requester = ticket.requester
    return {
        ("requester", "name"): requester.get_full_name(),
        ("requester", "first_name"): requester.get_short_name(),
        ("requester", "email"): requester.email,
        ("ticket", "number"): ticket.number,
        ("ticket", "subject"): ticket.subject,
        ("ticket", "status"): str(ticket.get_status_display()),
        ("agent", "name"): agent.get_full_name(),
        ("agent", "first_name"): agent.get_short_name(),
        ("company", "name"): company_name,
    }


def fill_placeholders(text: str, values: dict[tuple[str, str], str]) -> str:
    def replace(match: re.Match) -> str:
        value = values.get((match.group(1), match.group(2)))
        return match.group(0) if value is None else value

    return PLACEHOLDER_RE.sub(replace, text)
