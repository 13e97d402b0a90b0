"""Discovery (entry points, PANEL1_PLUGINS) and validation errors naming plugin and field."""

from importlib.metadata import EntryPoint

import pytest

from panel1.plugins import Plugin, Slot
from panel1.plugins.registry import PluginRegistry
from panel1.plugins.validation import validate_plugin
from tests.plugins import sample


def _fields(errors):
    return {(e.plugin, e.field) for e in errors}


def test_entry_point_group_is_discovered(monkeypatch):
    ep = EntryPoint(name="echo", value="tests.plugins.sample:Echo", group="panel1.plugins")
    monkeypatch.setattr("panel1.plugins.registry.entry_points", lambda group: [ep])
    found = PluginRegistry()
    found.load()
    assert found.names() == ["echo"]
    assert found.get("echo").source == "entry point echo"


def test_panel1_plugins_setting_is_discovered(monkeypatch, settings):
    monkeypatch.setattr("panel1.plugins.registry.entry_points", lambda group: [])
    settings.PANEL1_PLUGINS = ["tests.plugins.sample.Reader"]
    found = PluginRegistry()
    found.load()
    assert found.names() == ["reader"]


def test_a_plugin_that_fails_to_import_is_refused_and_others_load(monkeypatch, settings):
    monkeypatch.setattr("panel1.plugins.registry.entry_points", lambda group: [])
    settings.PANEL1_PLUGINS = ["tests.plugins.nope.Missing", "tests.plugins.sample.Reader"]
    found = PluginRegistry()
    found.load()
    assert found.names() == ["reader"]
    assert _fields(found.errors) == {("tests.plugins.nope.Missing", "import")}


class BadPlugin(Plugin):
    name = "Bad Name"
    version = "one"
    description = ""
    author = "x"
    core_versions = ">=99"
    permissions = ["tickets:delete"]
    hooks = {"ticket.exploded": "x", "ticket.created": "missing_method"}
    slots = {"desk.nowhere": Slot(template="x.html"), "portal.home": "not a slot"}
    settings_schema = {"properties": {"limit": {"type": "integer", "default": "ten"}}}


def test_invalid_metadata_names_plugin_and_every_field():
    errors = validate_plugin(BadPlugin())
    assert {e.plugin for e in errors} == {"Bad Name"}
    assert {e.field for e in errors} == {
        "name",
        "version",
        "description",
        "core_versions",
        "permissions",
        "hooks.ticket.exploded",
        "hooks.ticket.created",
        "slots.desk.nowhere",
        "slots.portal.home",
        "settings_schema.limit",
    }
    assert any("tickets:delete" in e.message for e in errors)
    assert "plugin 'Bad Name': permissions: unknown permission" in str(
        next(e for e in errors if e.field == "permissions")
    )


def test_registry_refuses_invalid_plugins_and_keeps_running():
    found = PluginRegistry()
    found._loaded = True
    assert found.register(BadPlugin)
    assert found.register(sample.Echo) == []
    assert found.names() == ["echo"]


def test_unknown_slot_name_raises_for_core_registration():
    from panel1.plugins import ui_slots

    with pytest.raises(ValueError, match="Unknown UI slot 'nowhere'"):
        ui_slots.register("nowhere", key="x", template="x.html")


def test_old_slot_names_are_aliases():
    from panel1.plugins.slots import canonical_slot

    assert canonical_slot("ticket.sidebar") == "desk.ticket.sidebar"
    assert canonical_slot("desk.dashboard") == "desk.dashboard"


def test_sample_plugins_are_valid():
    for cls in (sample.Echo, sample.Broken, sample.Slow, sample.Reader, sample.Writer):
        assert validate_plugin(cls()) == []
