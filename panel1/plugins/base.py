"""What a plugin is: a class with metadata, hooks, slots, permissions and a settings schema.

This module is plain Python (no models, no settings at import time), so a plugin package can
import it from anywhere, including its own `pyproject.toml` entry point target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

# --- the vocabulary a plugin may use ------------------------------------------------------

PERMISSIONS: dict[str, str] = {
    "tickets:read": "Read tickets and their messages",
    "tickets:write": "Add notes and tags, change status and priority of tickets",
    "kb:read": "Search and read knowledge-base articles",
    "mail:send": "Send email from the helpdesk's address",
}

LIFECYCLE_HOOKS = ("install", "activate", "deactivate", "uninstall")

# before_* hooks may veto (raise or return `Veto`); after_* run after commit.
ACTION_HOOKS = (
    "before_ticket_create",
    "after_ticket_create",
    "before_status_change",
    "after_status_change",
    "before_reply",
    "after_reply",
)

# Filter hooks take a value and answer the (possibly changed) value.
FILTER_HOOKS = (
    "filter.ticket_data",  # dict: subject, content, priority, tags, channel (before create)
    "filter.message_content",  # str: a message's text before it is stored
    "filter.outgoing_mail",  # dict: subject, body, html, to, kind, ticket_id (before send)
    "filter.kb_search_results",  # list of {slug, title, rank, highlight} (API search)
    "filter.desk_queue_columns",  # list of {key, label} (the desk's queue table)
    "filter.inbound_mail_raw",  # bytes: an inbound mail as received, before it is stored
)


# A channel plugin (`channel`) gets staff replies on its tickets for delivery.
CHANNEL_HOOKS = ("channel.reply",)


def event_hook_names() -> tuple[str, ...]:
    from panel1.events.names import ALL_EVENTS

    return ALL_EVENTS


def hook_names() -> tuple[str, ...]:
    return (*LIFECYCLE_HOOKS, *ACTION_HOOKS, *FILTER_HOOKS, *CHANNEL_HOOKS, *event_hook_names())


class Veto(Exception):
    """Raised (or returned) by a `before_*` hook to refuse the action with a user-facing reason."""

    def __init__(self, reason: str):
        self.reason = str(reason)
        super().__init__(self.reason)


class PluginPermissionError(Exception):
    """A plugin used a capability it did not declare in `permissions`."""


@dataclass(frozen=True)
class Slot:
    """A component a plugin renders in a UI slot: a template name (the plugin package is then a
    Django app, see docs/plugins.md) or inline template source (`html`), and an optional
    context method `(ctx, request, **slot_values) -> dict`."""

    template: str = ""
    context: str | Callable[..., dict] | None = None
    order: int = 100
    html: str = ""


@dataclass(frozen=True)
class AutomationAction:
    """An action automation rules can run (it appears in the rule builder as
    `<plugin>.<key>`). `parameters` maps a name to "string" or "string_list" (all required
    unless listed in `optional`); the method gets `(ctx, payload)` with payload
    `{ticket_id, number, rule, event, parameters}` and answers a short summary (or None)."""

    method: str
    description: str
    parameters: dict[str, str] = field(default_factory=dict)
    optional: tuple[str, ...] = ()


AUTOMATION_PARAM_TYPES = ("string", "string_list")


@dataclass(frozen=True)
class ConditionField:
    """A field automation conditions can test (it appears in the rule builder as `label`,
    named `<plugin>.<key>`). `method(ctx, payload) -> value` computes it for a ticket when a
    rule (or a dry run) reads it; payload `{ticket_id, number, event, subject, status,
    priority, channel, tags, requester_email}`. `type` is one of CONDITION_FIELD_TYPES (`enum`
    needs `choices`); a plugin disabled for the tenant, a failure or a wrong type reads as
    not set."""

    method: str
    label: str
    type: str = "string"
    description: str = ""
    choices: tuple[str, ...] = ()


CONDITION_FIELD_TYPES = ("string", "enum", "list", "integer", "number", "boolean")
NOTIFICATION_AUDIENCES = ("staff", "customer")


@dataclass(frozen=True)
class NotificationChannel:
    """A way notifications reach people (a pager, a chat app, SMS), named `<plugin>.<key>`.

    `audiences`: "staff" (staff notices and the desk's notifications: each agent turns the
    channel on or off per kind in their notification preferences; `default` is the choice of
    agents who have not) and/or "customer" (the notifications mailed to requesters). The
    method `(ctx, notification) -> None` runs in a queued job with `{id, audience, kind,
    title, message, source, ticket_id, ticket_number, ticket_subject, recipients: [{id,
    email, name}]}`."""

    method: str
    label: str
    description: str = ""
    audiences: tuple[str, ...] = ("staff",)
    default: bool = True


@dataclass
class PluginError:
    """One validation problem, naming the plugin and the field."""

    plugin: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r}: {self.field}: {self.message}"


class Plugin:
    """Subclass this and point the `panel1.plugins` entry point at the subclass.

        class Hello(Plugin):
            name = "hello"
            version = "1.0.0"
            description = "Says hello"
            author = "You"
            core_versions = ">=0.1"
            permissions = ["tickets:read"]
            hooks = {"ticket.created": "on_created", "filter.message_content": "clean"}
            slots = {"desk.ticket.sidebar": Slot(template="hello/_sidebar.html")}
            settings_schema = {"properties": {"greeting": {"type": "string", "default": "Hi"}}}

            def on_created(self, ctx, payload): ...
            def clean(self, ctx, value, meta): return value

    Hooks map a hook name to a method name (or a callable taking the same arguments).
    Instances are created once per process: keep no per-tenant state on them (use `ctx.data`).
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = ""
    description: ClassVar[str] = ""
    author: ClassVar[str] = ""
    core_versions: ClassVar[str] = ""  # a PEP 440 specifier on panel1-helpdesk, e.g. ">=0.1,<2"
    permissions: ClassVar[list[str]] = []
    hooks: ClassVar[dict[str, str | Callable]] = {}
    slots: ClassVar[dict[str, Slot]] = {}
    settings_schema: ClassVar[dict[str, Any] | None] = None
    settings_form: ClassVar[type | None] = None  # a django.forms.Form subclass
    api_urls: ClassVar[str | None] = None  # dotted module with `urlpatterns` (DRF views)
    desk_urls: ClassVar[str | None] = None  # pages under /desk/apps/<name>/ (staff)
    portal_urls: ClassVar[str | None] = None  # pages under /apps/<name>/ (portal)
    channel: ClassVar[str | None] = None  # an upper-case ticket channel the plugin brings
    automation_actions: ClassVar[dict[str, AutomationAction]] = {}
    condition_fields: ClassVar[dict[str, ConditionField]] = {}
    notification_channels: ClassVar[dict[str, NotificationChannel]] = {}
    # Where the plugin was loaded from ("entry point ...", "PANEL1_PLUGINS"), set on load.
    source: str = ""

    def handler(self, hook: str) -> Callable | None:
        target = self.hooks.get(hook)
        if target is None:
            return None
        return getattr(self, target) if isinstance(target, str) else target

    def slot_context(self, slot: Slot) -> Callable[..., dict] | None:
        if slot.context is None:
            return None
        return getattr(self, slot.context) if isinstance(slot.context, str) else slot.context

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "author": self.author,
            "core_versions": self.core_versions,
            "permissions": list(self.permissions),
            "hooks": sorted(self.hooks),
            "slots": sorted(self.slots),
            "automation_actions": [f"{self.name}.{key}" for key in self.automation_actions],
            "condition_fields": [f"{self.name}.{key}" for key in self.condition_fields],
            "notification_channels": [f"{self.name}.{key}" for key in self.notification_channels],
        }
