"""`manage.py plugins new NAME`: a working plugin package with an event hook, a filter hook, a
slot component, a settings form, an automation condition field, a notification channel and
passing tests."""

from __future__ import annotations

from pathlib import Path

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "panel1-{name}"
version = "0.1.0"
description = "Panel1 Helpdesk plugin: {name}"
requires-python = ">=3.11"
dependencies = []

[project.entry-points."panel1.plugins"]
{name} = "{module}.plugin:{cls}"

[tool.setuptools]
packages = ["{module}"]
"""

PLUGIN = '''\
"""The {name} plugin (docs/plugins.md explains every attribute)."""

from __future__ import annotations

from django import forms

from panel1.plugins import ConditionField, NotificationChannel, Plugin, Slot


class SettingsForm(forms.Form):
    greeting = forms.CharField(max_length=50, initial="Hello")


class {cls}(Plugin):
    name = "{name}"
    version = "0.1.0"
    description = "Counts new tickets, trims messages and greets agents on the ticket page."
    author = "You"
    core_versions = ">=0.1"
    permissions = ["tickets:read"]
    hooks = {{
        "ticket.created": "on_ticket_created",
        "filter.message_content": "trim",
    }}
    slots = {{
        "desk.ticket.sidebar": Slot(
            html='<section class="panel {name}-panel"><p>{{{{ greeting }}}}, {{{{ subject }}}}</p>'
            "</section>",
            context="sidebar",
        )
    }}
    settings_form = SettingsForm
    # Automation rules can test it ("{name}.long_subject"; the rule builder shows the label).
    condition_fields = {{
        "long_subject": ConditionField(
            method="long_subject", label="Subject is long", type="boolean"
        )
    }}
    # Agents can have notifications sent here (a column of their notification preferences).
    notification_channels = {{
        "inbox": NotificationChannel(
            method="deliver", label="{name} inbox", description="Keeps the last notice"
        )
    }}

    def on_ticket_created(self, ctx, payload: dict) -> None:
        """Event hooks run in a queued job after commit; `payload` carries ids."""
        ticket = ctx.tickets.get(payload["ticket_id"])  # needs tickets:read
        ctx.data.incr("tickets_seen")
        ctx.data.set("last_ticket", ticket["number"])

    def trim(self, ctx, content: str, meta: dict) -> str:
        """Filter hooks answer the value they got, changed or not."""
        return content.rstrip()

    def sidebar(self, ctx, request, ticket=None, **kwargs) -> dict:
        return {{"greeting": ctx.settings["greeting"], "subject": ticket.subject if ticket else ""}}

    def long_subject(self, ctx, payload: dict) -> bool:
        """The field's value for the ticket in `payload` (computed when a rule reads it)."""
        return len(payload["subject"]) > 40

    def deliver(self, ctx, notification: dict) -> None:
        """A notification channel runs in a queued job; send it on (here: keep it)."""
        ctx.data.set("last_notice", {{
            "title": notification["title"],
            "to": [person["email"] for person in notification["recipients"]],
        }})
'''

TESTS = '''\
"""Tests of the {name} plugin, with the plugin test kit (`plugin_env` from
panel1.plugins.testing; run with `-p panel1.plugins.testing`)."""

from {module}.plugin import {cls}


def _enable(env, **settings):
    env.register({cls})
    env.enable("{name}", settings=settings or None)


def test_event_hook_counts_new_tickets(plugin_env):
    _enable(plugin_env)
    ticket = plugin_env.ticket(subject="Printer jammed")
    data = plugin_env.context("{name}").data
    assert data.get("tickets_seen") == 1
    assert data.get("last_ticket") == ticket.number


def test_filter_trims_messages(plugin_env):
    _enable(plugin_env)
    assert plugin_env.filter("filter.message_content", "Hello   ") == "Hello"


def test_slot_greets_with_the_tenant_setting(plugin_env):
    _enable(plugin_env, greeting="Welcome")
    ticket = plugin_env.ticket(subject="Printer jammed")
    html = plugin_env.render_slot("desk.ticket.sidebar", ticket=ticket)
    assert "Welcome, Printer jammed" in html


def test_condition_field_for_automation_rules(plugin_env):
    _enable(plugin_env)
    short = plugin_env.ticket(subject="Printer")
    long = plugin_env.ticket(subject="The printer on the third floor prints only blank pages")
    assert plugin_env.condition_value("{name}.long_subject", short) is False
    assert plugin_env.condition_value("{name}.long_subject", long) is True


def test_notification_channel_keeps_the_notice(plugin_env):
    _enable(plugin_env)
    agent = plugin_env.user(role="AGENT")
    assert plugin_env.notify("{name}.inbox", recipients=[agent], title="SLA at risk")
    last = plugin_env.context("{name}").data.get("last_notice")
    assert last == {{"title": "SLA at risk", "to": [agent.email]}}


def test_inert_until_enabled(plugin_env):
    plugin_env.register({cls})
    ticket = plugin_env.ticket(subject="Printer jammed", content="Hi   ")
    assert ticket.messages.get().content == "Hi   "
    assert "{name}-panel" not in plugin_env.render_slot("desk.ticket.sidebar", ticket=ticket)
    assert plugin_env.condition_value("{name}.long_subject", ticket) is None
'''

README = """\
# panel1-{name}

A Panel1 Helpdesk plugin. Install with `pip install -e .` next to the helpdesk, then

    python manage.py plugins validate {name}
    python manage.py plugins enable {name} --schema <tenant schema>

Tests: `pytest -p panel1.plugins.testing tests` with `DJANGO_SETTINGS_MODULE=panel1.settings_test`
(inside the helpdesk checkout, `make test` runs them). See the helpdesk's docs/plugins.md.
"""


def names_for(name: str) -> dict[str, str]:
    module = "panel1_" + name.replace("-", "_")
    cls = "".join(part.title() for part in name.replace("-", "_").split("_")) + "Plugin"
    return {"name": name, "module": module, "cls": cls}


def scaffold(*, name: str, target: Path) -> list[Path]:
    """Write the package under `target`; answers the files written."""
    values = names_for(name)
    module = values["module"]
    files = {
        target / "pyproject.toml": PYPROJECT,
        target / "README.md": README,
        target / module / "__init__.py": '"""The {name} plugin for Panel1 Helpdesk."""\n',
        target / module / "plugin.py": PLUGIN,
        target / "tests" / f"test_{module}.py": TESTS,
    }
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values))
    return list(files)
