"""The visitor's side, under /apps/chat/ (portal): start a chat, poll and send, leave.

JSON in and out; CSRF-protected like every portal form (the widget sends the token).
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from panel1.plugins import plugin_context
from panel1_chat.sessions import session_get, session_notices, session_start, session_touch

MAX_MESSAGE = 5000
# New chats (each files a ticket, maybe a customer): per client address and per email.
STARTS_PER_ADDRESS = (10, 3600)
STARTS_PER_EMAIL = (5, 3600)


def _body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _errors(**fields) -> JsonResponse:
    return JsonResponse({k: [v] for k, v in fields.items()}, status=400)


def _message(data) -> str:
    return str(data.get("message") or "").strip()[:MAX_MESSAGE]


@require_POST
def start(request):
    data = _body(request)
    user = request.user
    email = user.email if user.is_authenticated else str(data.get("email") or "").strip()
    name = (user.get_full_name() if user.is_authenticated else "") or str(data.get("name") or "")
    try:
        validate_email(email)
    except ValidationError:
        return _errors(email="Give your email address so we can answer.")
    message = _message(data)
    if not message:
        return _errors(message="Write a message.")
    ctx = plugin_context("chat")
    address = request.META.get("REMOTE_ADDR", "")
    if _limited(ctx, "start-ip", address, STARTS_PER_ADDRESS) or _limited(
        ctx, "start-email", email, STARTS_PER_EMAIL
    ):
        return JsonResponse({"detail": "Too many new chats; try again later."}, status=429)
    session = session_start(ctx, email=email.lower(), name=name.strip()[:100], message=message)
    return JsonResponse({"token": session["token"], "number": session["number"]}, status=201)


def _limited(ctx, scope: str, ident: str, limit: tuple[int, int]) -> bool:
    count, seconds = limit
    return ctx.rate_limited(scope, ident, count=count, seconds=seconds)


@require_http_methods(["GET", "POST"])
def messages(request, token: str):
    ctx = plugin_context("chat")
    session = session_get(ctx, token)
    if session is None:
        return JsonResponse({"detail": "No such chat."}, status=404)
    status = 200
    if request.method == "POST":
        message = _message(_body(request))
        if not message:
            return _errors(message="Write a message.")
        ctx.tickets.add_customer_reply(
            session["ticket_id"], requester_email=session["email"], content=message, channel="CHAT"
        )
        status = 201
    session_touch(ctx, token, session, back=request.method == "POST")
    transcript = [
        {
            "id": m["id"],
            "from": "visitor" if m["message_type"] == "CUSTOMER_REPLY" else "agent",
            "author": m["author_name"],
            "content": m["content"],
            "at": m["created_at"],
        }
        for m in ctx.tickets.messages(session["ticket_id"], public_only=True)
        if m["message_type"] in ("CUSTOMER_REPLY", "STAFF_REPLY")
    ]
    notices = [{"kind": n["kind"], "text": n["text"]} for n in session_notices(ctx, token)]
    body = {"number": session["number"], "messages": transcript, "notices": notices}
    return JsonResponse(body, status=status)


@require_POST
def leave(request, token: str):
    ctx = plugin_context("chat")
    session = session_get(ctx, token)
    if session is None:
        return JsonResponse({"detail": "No such chat."}, status=404)
    session_touch(ctx, token, session, left=True)
    return JsonResponse({"left": True, "number": session["number"]})


urlpatterns = [
    path("start/", start),
    path("<str:token>/messages/", messages),
    path("<str:token>/leave/", leave),
]
