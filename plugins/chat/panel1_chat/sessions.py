"""Chat sessions, kept in the plugin's own per-tenant data (`ctx.data`).

`session:<token>` → {ticket_id, number, email, name, last_seen, left}; `ticket:<ticket id>` →
the token, so the desk can show whether the visitor is still there. The token is the
visitor's only key to the conversation (kept in their browser's sessionStorage).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.utils.translation import gettext_lazy

ONLINE_SECONDS = 20  # a visitor polling every few seconds counts as online this long
MAX_NOTICES = 20
# Customer notifications shown in the chat (staff replies are in the transcript already).
NOTICE_TEXTS = {
    "ticket_resolved": gettext_lazy("Your request {number} was marked as resolved."),
    "ticket_created": gettext_lazy("We received your request {number}."),
}


def session_start(ctx, *, email: str, name: str, message: str, subject: str = "") -> dict:
    ticket = ctx.tickets.create(
        requester_email=email,
        name=name,
        subject=subject or f"Chat with {name or email}",
        content=message,
        channel="CHAT",
    )
    token = secrets.token_urlsafe(24)
    session = {
        "ticket_id": ticket["id"],
        "number": ticket["number"],
        "email": email,
        "name": name,
        "last_seen": time.time(),
        "left": False,
    }
    ctx.data.set(f"session:{token}", session)
    ctx.data.set(f"ticket:{ticket['id']}", token)
    return {"token": token, **session}


def session_get(ctx, token: str) -> dict[str, Any] | None:
    if not token or len(token) > 64:
        return None
    return ctx.data.get(f"session:{token}")


def session_touch(
    ctx, token: str, session: dict, *, left: bool = False, back: bool = False
) -> None:
    """Note the visitor's poll (`last_seen`), their leaving, or their coming back (`back`: they
    wrote again). A poll alone never undoes leaving: one still in flight when the visitor
    left would otherwise show them online again."""
    session = {**session, "last_seen": time.time()}
    if left:
        session["left"] = True
    elif back:
        session["left"] = False
    ctx.data.set(f"session:{token}", session)


def visitor_state(ctx, ticket_id: str) -> str:
    """`online`, `away` (no poll lately) or `left` for the ticket's chat; "" if none."""
    token = ctx.data.get(f"ticket:{ticket_id}")
    session = ctx.data.get(f"session:{token}") if token else None
    if session is None:
        return ""
    if session.get("left"):
        return "left"
    return "online" if time.time() - session["last_seen"] < ONLINE_SECONDS else "away"


def session_notice(ctx, notification: dict) -> bool:
    """Keep a customer notification about the chat's ticket in the session (the widget shows
    the session's notices); answers whether the ticket has a chat."""
    text = NOTICE_TEXTS.get(notification.get("kind", ""))
    token = ctx.data.get(f"ticket:{notification.get('ticket_id')}")
    session = ctx.data.get(f"session:{token}") if token and text else None
    if session is None:
        return False
    notice = {"kind": notification["kind"], "text": str(text).format(number=session["number"])}
    notices = [*session.get("notices", []), {**notice, "at": time.time()}][-MAX_NOTICES:]
    ctx.data.set(f"session:{token}", {**session, "notices": notices})
    return True
