"""The plugin test kit: pytest fixtures for plugin authors.

Load it with `-p panel1.plugins.testing` (in `addopts` of your pytest configuration) and run
with `DJANGO_SETTINGS_MODULE=panel1.settings_test` against PostgreSQL, then:

    def test_hello_greets(plugin_env):
        env = plugin_env
        env.register(HelloPlugin)                     # or rely on the installed entry point
        env.enable("hello", settings={"greeting": "Hi"})
        ticket = env.ticket(subject="Printer", content="Jammed")
        env.emit("ticket.created", ticket_id=str(ticket.pk))    # event hooks run now
        assert "Hi" in env.render_slot("desk.ticket.sidebar", ticket=ticket)
        assert env.filter("filter.message_content", "a b", {}) == "a b"

`plugin_env` runs inside a tenant schema provisioned once per session (`plugin_tenant`,
override it to use yours) and rolls back after each test. Nothing here is imported until a
fixture runs, so loading the kit costs nothing.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

PLUGIN_TENANT = {
    "schema_name": "t_plugin_kit",
    "domain": "plugin-kit.test.localhost",
    "name": "Plugin Kit",
}


@pytest.fixture(scope="session")
def plugin_tenant(django_db_setup, django_db_blocker):
    """A tenant for plugin tests, provisioned once per session (survives --reuse-db)."""
    from django.db import connection

    from panel1.tenants.services import ensure_public_tenant, tenant_provision

    with django_db_blocker.unblock():
        ensure_public_tenant()
        tenant = tenant_provision(
            **PLUGIN_TENANT,
            admin_email=f"admin@{PLUGIN_TENANT['domain']}",
            admin_password="plugin-kit-pass-1",
        ).tenant
        connection.set_schema_to_public()
    return tenant


class PluginTestEnv:
    """What a plugin test needs: register, enable, emit, render, filter, veto, request."""

    def __init__(self, tenant):
        self.tenant = tenant
        self._registered: list[str] = []

    # --- plugins ------------------------------------------------------------------------

    def register(self, plugin_class) -> Any:
        """Register a plugin class for this test (validated: errors raise AssertionError)."""
        from panel1.plugins.registry import registry

        errors = registry.register(plugin_class, source="test")
        assert not errors, "; ".join(str(e) for e in errors)
        name = plugin_class.name
        self._registered.append(name)
        return registry.get(name)

    def enable(self, name: str, *, settings: dict | None = None) -> None:
        from panel1.actors import Actor
        from panel1.plugins import services

        with self.committed():
            if settings is not None:
                services.plugin_settings_update(name=name, actor=Actor(), values=settings)
            services.plugin_enable(name=name, actor=Actor())

    def disable(self, name: str) -> None:
        from panel1.actors import Actor
        from panel1.plugins import services

        with self.committed():
            services.plugin_disable(name=name, actor=Actor())

    def state(self, name: str):
        from panel1.plugins.models import PluginState

        return PluginState.objects.filter(plugin=name).first()

    def context(self, name: str):
        from panel1.plugins.context import context_for
        from panel1.plugins.registry import registry

        return context_for(registry.get(name))

    # --- hooks --------------------------------------------------------------------------

    @contextlib.contextmanager
    def committed(self):
        """Run on-commit callbacks (event dispatch, after-hooks, queued tasks) at the end."""
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(using="default", execute=True):
            yield

    def emit(self, event_name: str, **payload) -> None:
        """Emit a domain event as a service would; the event hooks run before this returns."""
        from panel1.events import bus

        with self.committed():
            bus.emit(event_name, payload=payload, actor="system")

    def filter(self, hook: str, value: Any, meta: dict | None = None) -> Any:
        from panel1.plugins import hooks

        return hooks.apply_filter(hook, value, meta or {})

    def before(self, hook: str, payload: dict) -> None:
        """Run a `before_*` hook; raises `panel1.plugins.hooks.HookVetoed` on a veto."""
        from panel1.plugins import hooks

        hooks.run_before(hook, payload)

    def condition_value(self, field: str, ticket, *, event: str = "") -> Any:
        """What the automation condition field `field` (`<plugin>.<key>`) reads for `ticket`
        (None while the plugin is disabled, or when it fails)."""
        from panel1.plugins.fields import field_payload, field_value

        return field_value(field, field_payload(ticket, event_name=event))

    def notify(self, channel: str, *, recipients: list, title: str = "Notice", **values) -> bool:
        """Deliver a notification through the notification channel `channel`
        (`<plugin>.<key>`) as the core would (recipients: users); answers whether it ran."""
        import uuid

        from panel1.plugins.channels import channel_deliver_task

        notification = {
            "id": uuid.uuid4().hex,
            "audience": "staff",
            "kind": "notice",
            "title": title,
            "message": title,
            "source": "",
            "note_id": "",
            "ticket_id": "",
            "ticket_number": "",
            "ticket_subject": "",
            **values,
            "recipients": [
                {"id": str(u.pk), "email": u.email, "name": u.get_full_name()} for u in recipients
            ],
        }
        return channel_deliver_task(channel, notification)

    def render_slot(self, slot: str, *, request=None, **context) -> str:
        """The HTML of `slot` as a page would render it (core and enabled plugins)."""
        from django.template import Context

        from panel1.core.templatetags.panel1_plugins import ui_slot

        return str(ui_slot(Context({"request": request}), slot, **context))

    # --- data ---------------------------------------------------------------------------

    def user(self, *, role: str = "ADMIN", email: str | None = None):
        from panel1.accounts.models import User

        email = email or f"{role.lower()}-{User.objects.count() + 1}@{PLUGIN_TENANT['domain']}"
        return User.objects.create_user(email=email, password="plugin-kit-pass-1", role=role)

    def ticket(self, *, subject: str = "Test ticket", content: str = "Hello", **kwargs):
        """A ticket created through the ticket services (so plugin hooks run), filed by a
        customer (`requester_email`); answers the Ticket model instance."""
        from django.apps import apps

        from panel1.plugins.base import Plugin
        from panel1.plugins.context import PluginContext, capability

        class _Kit(Plugin):
            name = "plugin-test-kit"
            permissions = ["tickets:write"]

        # The kit reaches the tickets app through its registered capability, as plugins do
        # (panel1 never imports the apps above it).
        with self.committed():
            created = capability("tickets", PluginContext(_Kit())).create(
                requester_email=kwargs.pop("requester_email", "customer@plugin-kit.test"),
                subject=subject,
                content=content,
                channel=kwargs.pop("channel", "WEB"),
            )
        return apps.get_model("tickets", "Ticket").objects.get(pk=created["id"])

    def client(self, user=None):
        """A browser-like client on the tenant's host (after-commit work runs)."""
        from django.test import TestCase
        from django_tenants.test.client import TenantClient

        class _Client(TenantClient):
            def request(self, **kwargs):
                with TestCase.captureOnCommitCallbacks(using="default", execute=True):
                    return super().request(**kwargs)

        client = _Client(self.tenant)
        if user is not None:
            client.force_login(user)
        return client

    def close(self) -> None:
        from panel1.plugins.registry import registry

        for name in self._registered:
            registry.unregister(name)
        registry.load()  # back to what is installed


@pytest.fixture
def plugin_env(plugin_tenant, db):
    """A `PluginTestEnv` in the plugin tenant's schema (rolled back after the test)."""
    from django.db import connection

    from panel1.plugins import state

    connection.set_tenant(plugin_tenant)
    # The session's tenant object carries the enabled names; the test's changes roll back.
    enabled = list(plugin_tenant.plugins_enabled)
    env = PluginTestEnv(plugin_tenant)
    yield env
    plugin_tenant.plugins_enabled = enabled
    env.close()
    state.invalidate()
    connection.set_schema_to_public()
