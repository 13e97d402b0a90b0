"""Live chat: a widget on the portal home and KB article pages; a visitor (signed in, or
giving an email) chats; the conversation is a ticket with channel CHAT that agents answer in
the desk (a live indicator shows whether the visitor is still there); the visitor sees the
answers within seconds by polling; when they leave the transcript stays on the ticket and
later replies reach them by email, like any ticket's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panel1.plugins import NotificationChannel, Plugin, Slot
from panel1_chat.sessions import session_notice, visitor_state


class ChatSettingsForm(forms.Form):
    greeting = forms.CharField(max_length=200, initial="Questions? Chat with us.")
    poll_seconds = forms.IntegerField(min_value=1, max_value=30, initial=3)


class ChatPlugin(Plugin):
    name = "chat"
    version = "1.0.0"
    description = "Live chat on the portal and KB pages; chats become CHAT tickets."
    author = "Panel1 Helpdesk"
    core_versions = ">=0.1"
    permissions = ["tickets:read", "tickets:write"]
    channel = "CHAT"
    hooks = {}
    slots = {
        "portal.home": Slot(template="panel1_chat/_widget.html", context="widget"),
        "kb.article.footer": Slot(template="panel1_chat/_widget.html", context="widget"),
        "desk.ticket.toolbar": Slot(template="panel1_chat/_indicator.html", context="indicator"),
    }
    settings_form = ChatSettingsForm
    portal_urls = "panel1_chat.views"
    # Customer notifications about a chat ticket (e.g. "resolved") also show in the chat.
    notification_channels = {
        "notices": NotificationChannel(
            method="chat_notice",
            label=_("Live chat"),
            description="Shows notifications about a chat ticket in the visitor's chat window",
            audiences=("customer",),
        )
    }

    def widget(self, ctx, request, **kwargs) -> dict:
        user = getattr(request, "user", None)
        signed_in = bool(user and user.is_authenticated)
        return {
            "greeting": ctx.settings.get("greeting"),
            "poll_ms": int(ctx.settings.get("poll_seconds") or 3) * 1000,
            "signed_in": signed_in,
        }

    def chat_notice(self, ctx, notification: dict) -> None:
        session_notice(ctx, notification)

    def indicator(self, ctx, request, ticket=None, **kwargs) -> dict:
        if ticket is None or ticket.channel != "CHAT":
            return {"chat_state": ""}
        return {"chat_state": visitor_state(ctx, str(ticket.pk))}
