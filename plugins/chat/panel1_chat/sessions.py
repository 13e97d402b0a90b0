"""Chat sessions, kept in the plugin's own per-tenant data (`ctx.data`).

`session:<token>` → {ticket_id, number, email, name} (written once); `ticket:<ticket id>` →
the token, so the desk can show whether the visitor is still there. What changes lives in keys
of its own, each written by one kind of request, so concurrent requests never undo each
other (a poll in flight when the visitor leaves must not bring them back): `seen:<token>`
(the last poll's time), `left:<token>` (True once they left, False when they write again)
and `notices:<token>` (customer notifications shown in the chat). The token is the visitor's
only key to the conversation (kept in their browser's sessionStorage).
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
    }
    ctx.data.set(f"session:{token}", session)
    ctx.data.set(f"seen:{token}", time.time())
    ctx.data.set(f"ticket:{ticket['id']}", token)
    return {"token": token, **session}


def session_get(ctx, token: str) -> dict[str, Any] | None:
    if not token or len(token) > 64:
        return None
    return ctx.data.get(f"session:{token}")


def session_touch(
    ctx, token: str, session: dict, *, left: bool = False, back: bool = False
) -> None:
    """Note the visitor's poll, their leaving, or their coming back (`back`: they wrote
    again). A poll alone never undoes leaving."""
    ctx.data.set(f"seen:{token}", time.time())
    if left:
        ctx.data.set(f"left:{token}", True)
    elif back:
        ctx.data.delete(f"left:{token}")


def session_notices(ctx, token: str) -> list[dict]:
    return ctx.data.get(f"notices:{token}") or []


def visitor_state(ctx, ticket_id: str) -> str:
    """`online`, `away` (no poll lately) or `left` for the ticket's chat; "" if none."""
    token = ctx.data.get(f"ticket:{ticket_id}")
    if not token:
        return ""
    found = ctx.data.get_many([f"session:{token}", f"seen:{token}", f"left:{token}"])
    session = found.get(f"session:{token}")
    if session is None:
        return ""
    if found.get(f"left:{token}") or session.get("left"):
        return "left"
    seen = found.get(f"seen:{token}") or session.get("last_seen") or 0
    return "online" if time.time() - seen < ONLINE_SECONDS else "away"


def session_notice(ctx, notification: dict) -> bool:
    """Keep a customer notification about the chat's ticket for the widget to show; answers
    whether the ticket has a chat."""
    text = NOTICE_TEXTS.get(notification.get("kind", ""))
    token = ctx.data.get(f"ticket:{notification.get('ticket_id')}")
    session = ctx.data.get(f"session:{token}") if token and text else None
    if session is None:
        return False
    notice = {"kind": notification["kind"], "text": str(text).format(number=session["number"])}
    notices = [*session_notices(ctx, token), {**notice, "at": time.time()}][-MAX_NOTICES:]
    ctx.data.set(f"notices:{token}", notices)
    return True
