"""Plugins used by the platform's tests."""

from __future__ import annotations

import time

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from panel1.plugins import Plugin, Slot, Veto

SEEN: list[tuple[str, dict]] = []


class Echo(Plugin):
    name = "echo"
    version = "1.2.0"
    description = "Records events, shouts in messages, refuses 'forbidden' subjects."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    permissions = ["tickets:read"]
    hooks = {
        "ticket.created": "on_event",
        "message.added": "on_event",
        "filter.message_content": "shout",
        "filter.ticket_data": "tag",
        "before_ticket_create": "guard_subject",
        "before_status_change": "guard_close",
        "before_reply": "guard_reply",
        "filter.outgoing_mail": "sign_mail",
        "filter.kb_search_results": "drop_secret",
    }
    slots = {
        "desk.ticket.sidebar": Slot(template="tests_plugins/echo.html", context="sidebar"),
        "desk.dashboard": Slot(template="tests_plugins/echo.html"),
    }
    settings_schema = {
        "type": "object",
        "properties": {
            "suffix": {"type": "string", "maxLength": 10, "default": "!"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3},
        },
    }
    api_urls = "tests.plugins.sample"
    desk_urls = "tests.plugins.sample_pages"
    portal_urls = "tests.plugins.sample_pages"

    def on_event(self, ctx, payload):
        SEEN.append((payload["event"], payload))

    def shout(self, ctx, value, meta):
        return value + ctx.settings.get("suffix", "")

    def tag(self, ctx, data, meta):
        return {**data, "tags": [*data["tags"], "echo"]}

    def guard_subject(self, ctx, payload):
        if "forbidden" in payload["subject"].lower():
            raise Veto("Subjects may not say 'forbidden'.")

    def guard_close(self, ctx, payload):
        if payload["to"] == "CLOSED":
            return Veto("Echo keeps tickets open.")

    def guard_reply(self, ctx, payload):
        if "veto me" in payload["content"]:
            raise Veto("Echo refuses this reply.")

    def sign_mail(self, ctx, mail, meta):
        return {**mail, "body": mail["body"] + "\n-- echo"}

    def drop_secret(self, ctx, rows, meta):
        return [row for row in rows if "secret" not in row["slug"]]

    def sidebar(self, ctx, request, ticket=None, **kwargs):
        return {"label": f"echo for {ticket.number if ticket else '-'}"}


class Broken(Plugin):
    name = "broken"
    version = "0.1.0"
    description = "Fails in every hook."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    hooks = {"filter.message_content": "explode", "ticket.created": "explode_event"}
    slots = {"desk.ticket.sidebar": Slot(template="tests_plugins/missing.html")}

    def explode(self, ctx, value, meta):
        raise RuntimeError("boom")

    def explode_event(self, ctx, payload):
        raise RuntimeError("boom")


class Slow(Plugin):
    name = "slow"
    version = "0.1.0"
    description = "Takes its time."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    hooks = {"filter.message_content": "crawl"}

    def crawl(self, ctx, value, meta):
        time.sleep(0.02)
        return value


class Reader(Plugin):
    name = "reader"
    version = "0.1.0"
    description = "Reads tickets, tries to write."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    permissions = ["tickets:read"]


class Writer(Reader):
    name = "writer"
    permissions = ["tickets:read", "tickets:write"]


class PingView(APIView):
    def get(self, request):
        return Response({"pong": True, "user": request.user.email})


urlpatterns = [path("ping/", PingView.as_view())]


class Everywhere(Plugin):
    """Fills every slot with inline components and adds a queue column."""

    name = "everywhere"
    version = "0.1.0"
    description = "Renders in every slot."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    hooks = {"filter.desk_queue_columns": "columns"}
    slots = {
        slot: Slot(html=f'<i class="everywhere" data-slot="{slot}">{{{{ ticket.number }}}}</i>')
        for slot in (
            "desk.ticket.sidebar",
            "desk.ticket.toolbar",
            "desk.dashboard",
            "portal.home",
            "portal.ticket",
            "kb.article.footer",
            "settings.section",
        )
    }

    def columns(self, ctx, columns, meta):
        values = {ticket_id: f"cell-{ticket_id[:4]}" for ticket_id in meta["ticket_ids"]}
        return [*columns, {"key": "everywhere", "label": "Everywhere", "values": values}]


class Slim(Plugin):
    """Hides built-in queue columns (and tries to hide the ones that always stay)."""

    name = "slim"
    version = "0.1.0"
    description = "A slimmer queue."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    hooks = {"filter.desk_queue_columns": "columns"}

    def columns(self, ctx, columns, meta):
        drop = {"requester", "sla", "number", "subject"}
        return [column for column in columns if column["key"] not in drop]


class Sleeper(Plugin):
    """Overruns its budget in every way a hook can: sleeping (swallowing exceptions), inside a
    database query, after writing."""

    name = "sleeper"
    version = "0.1.0"
    description = "Never finishes on time."
    author = "Panel1 tests"
    core_versions = ">=0.1"
    hooks = {
        "filter.message_content": "nap",
        "filter.ticket_data": "query",
        "before_reply": "write_then_nap",
    }

    def nap(self, ctx, value, meta):
        ctx.data.incr("naps")
        for _ in range(300):
            try:
                time.sleep(0.1)  # 30 s in all, unless stopped
            except Exception:  # a plugin that swallows errors is stopped all the same
                continue
        return value + " (slept)"

    def query(self, ctx, data, meta):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(30)")
        return {**data, "subject": "changed after a long query"}

    def write_then_nap(self, ctx, payload):
        ctx.data.set("wrote", True)
        time.sleep(30)
