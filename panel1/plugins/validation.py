"""Check a plugin's metadata; every problem names the plugin and the field."""

from __future__ import annotations

import importlib
import importlib.util
import re
from typing import Any

from django.utils.functional import Promise

from panel1.plugins.base import PERMISSIONS, Plugin, PluginError, Slot, hook_names
from panel1.plugins.slots import SLOT_ALIASES, SLOT_CATALOG

NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{1,48}[a-z0-9]$")
CHANNEL_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,7}$")


def core_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("panel1-helpdesk")
    except PackageNotFoundError:  # a source checkout without `pip install -e .`
        return "0.1.0"


def validate_plugin(plugin: Plugin) -> list[PluginError]:
    """Every problem with `plugin`'s metadata (empty when it is valid)."""
    label = str(getattr(plugin, "name", "") or type(plugin).__name__)
    errors: list[PluginError] = []

    def err(field: str, message: str) -> None:
        errors.append(PluginError(label, field, message))

    _check_identity(plugin, err)
    _check_permissions(plugin, err)
    _check_hooks(plugin, err)
    _check_slots(plugin, err)
    _check_settings(plugin, err)
    _check_urls(plugin, err)
    _check_automation(plugin, err)
    _check_condition_fields(plugin, err)
    _check_notification_channels(plugin, err)
    if plugin.channel is not None and not CHANNEL_RE.match(str(plugin.channel)):
        err("channel", "use 2-8 upper-case letters, digits or _ (e.g. CHAT)")
    if isinstance(plugin.hooks, dict) and "channel.reply" in plugin.hooks and not plugin.channel:
        err("hooks.channel.reply", "only a channel plugin (with `channel`) gets replies")
    return errors


def _check_identity(plugin: Plugin, err) -> None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    if not isinstance(plugin.name, str) or not NAME_RE.match(plugin.name):
        err("name", "use 3-50 lower-case letters, digits, - or _, starting with a letter")
    try:
        Version(str(plugin.version))
    except InvalidVersion:
        err("version", f"{plugin.version!r} is not a version (PEP 440, e.g. 1.0.0)")
    for field in ("description", "author"):
        if not isinstance(getattr(plugin, field), str) or not getattr(plugin, field).strip():
            err(field, "is required")
    try:
        spec = SpecifierSet(str(plugin.core_versions))
    except InvalidSpecifier:
        err("core_versions", f"{plugin.core_versions!r} is not a version specifier (>=0.1,<2)")
        return
    if not spec.contains(core_version(), prereleases=True):
        err("core_versions", f"{plugin.core_versions} does not include {core_version()}")


def _check_permissions(plugin: Plugin, err) -> None:
    if not isinstance(plugin.permissions, list | tuple):
        err("permissions", "must be a list")
        return
    for permission in plugin.permissions:
        if permission not in PERMISSIONS:
            err(
                "permissions", f"unknown permission {permission!r}; known: {', '.join(PERMISSIONS)}"
            )


def _check_hooks(plugin: Plugin, err) -> None:
    if not isinstance(plugin.hooks, dict):
        err("hooks", "must be a dict of hook name -> method name")
        return
    known = hook_names()
    for hook, target in plugin.hooks.items():
        if hook not in known:
            err(f"hooks.{hook}", "unknown hook name")
        elif isinstance(target, str) and not callable(getattr(plugin, target, None)):
            err(f"hooks.{hook}", f"the plugin has no method {target!r}")
        elif not isinstance(target, str) and not callable(target):
            err(f"hooks.{hook}", "must name a method or be a callable")


def _check_slots(plugin: Plugin, err) -> None:
    if not isinstance(plugin.slots, dict):
        err("slots", "must be a dict of slot name -> Slot")
        return
    for slot, spec in plugin.slots.items():
        if slot not in SLOT_CATALOG and slot not in SLOT_ALIASES:
            err(f"slots.{slot}", f"unknown slot; known: {', '.join(SLOT_CATALOG)}")
        elif not isinstance(spec, Slot):
            err(f"slots.{slot}", "must be a panel1.plugins.Slot")
        elif bool(spec.template) == bool(spec.html):
            err(f"slots.{slot}", "give either `template` or `html`")
        elif isinstance(spec.context, str) and not callable(getattr(plugin, spec.context, None)):
            err(f"slots.{slot}", f"the plugin has no method {spec.context!r}")


def _check_settings(plugin: Plugin, err) -> None:
    schema = plugin.settings_schema
    if schema is not None:
        _check_schema(schema, err)
    form = plugin.settings_form
    if form is not None:
        from django import forms

        if not (isinstance(form, type) and issubclass(form, forms.BaseForm)):
            err("settings_form", "must be a django.forms.Form subclass")


def _check_schema(schema: Any, err) -> None:
    from jsonschema import Draft202012Validator, SchemaError

    if not isinstance(schema, dict) or not isinstance(schema.get("properties", {}), dict):
        err("settings_schema", "must be a JSON schema object with `properties`")
        return
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        err("settings_schema", exc.message)
        return
    from panel1.plugins.settings import schema_defaults, validate_schema_settings

    problems = validate_schema_settings(schema, schema_defaults(schema))
    for field, messages in problems.items():
        err(f"settings_schema.{field}", f"default is invalid: {' '.join(messages)}")


def _check_urls(plugin: Plugin, err) -> None:
    for field in ("api_urls", "desk_urls", "portal_urls"):
        dotted = getattr(plugin, field)
        if dotted is None:
            continue
        try:
            module = importlib.import_module(dotted)
        except Exception as exc:  # an import error in the plugin is the plugin's problem
            err(field, f"cannot import {dotted!r}: {exc}")
            continue
        if not isinstance(getattr(module, "urlpatterns", None), list | tuple):
            err(field, f"{dotted} has no `urlpatterns` list")


def _check_automation(plugin: Plugin, err) -> None:
    from panel1.plugins.base import AUTOMATION_PARAM_TYPES, AutomationAction

    if not isinstance(plugin.automation_actions, dict):
        err("automation_actions", "must be a dict of key -> AutomationAction")
        return
    for key, action in plugin.automation_actions.items():
        field = f"automation_actions.{key}"
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]{1,40}", key):
            err(field, "use 2-41 lower-case letters, digits or _")
        elif not isinstance(action, AutomationAction):
            err(field, "must be a panel1.plugins.AutomationAction")
        elif not callable(getattr(plugin, action.method, None)):
            err(field, f"the plugin has no method {action.method!r}")
        else:
            for name, kind in action.parameters.items():
                if kind not in AUTOMATION_PARAM_TYPES:
                    err(f"{field}.{name}", f"type must be one of {AUTOMATION_PARAM_TYPES}")


KEY_RE = re.compile(r"[a-z][a-z0-9_]{1,40}")


def _check_condition_fields(plugin: Plugin, err) -> None:
    from panel1.plugins.base import CONDITION_FIELD_TYPES, ConditionField

    if not isinstance(plugin.condition_fields, dict):
        err("condition_fields", "must be a dict of key -> ConditionField")
        return
    for key, spec in plugin.condition_fields.items():
        field = f"condition_fields.{key}"
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):
            err(field, "use 2-41 lower-case letters, digits or _")
        elif not isinstance(spec, ConditionField):
            err(field, "must be a panel1.plugins.ConditionField")
        elif not callable(getattr(plugin, spec.method, None)):
            err(field, f"the plugin has no method {spec.method!r}")
        elif spec.type not in CONDITION_FIELD_TYPES:
            err(f"{field}.type", f"must be one of {', '.join(CONDITION_FIELD_TYPES)}")
        elif not isinstance(spec.label, str | Promise) or not str(spec.label).strip():
            err(f"{field}.label", "is required (the rule builder shows it)")
        elif spec.type == "enum" and not (
            spec.choices and all(isinstance(c, str) and c for c in spec.choices)
        ):
            err(f"{field}.choices", "an enum field needs its choices (strings)")


def _check_notification_channels(plugin: Plugin, err) -> None:
    from panel1.plugins.base import NOTIFICATION_AUDIENCES, NotificationChannel

    if not isinstance(plugin.notification_channels, dict):
        err("notification_channels", "must be a dict of key -> NotificationChannel")
        return
    for key, spec in plugin.notification_channels.items():
        field = f"notification_channels.{key}"
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):
            err(field, "use 2-41 lower-case letters, digits or _")
        elif not isinstance(spec, NotificationChannel):
            err(field, "must be a panel1.plugins.NotificationChannel")
        elif not callable(getattr(plugin, spec.method, None)):
            err(field, f"the plugin has no method {spec.method!r}")
        elif not isinstance(spec.label, str | Promise) or not str(spec.label).strip():
            err(f"{field}.label", "is required (notification preferences show it)")
        elif not spec.audiences or not set(spec.audiences) <= set(NOTIFICATION_AUDIENCES):
            err(f"{field}.audiences", f"use one or more of {', '.join(NOTIFICATION_AUDIENCES)}")


def check_migrations(plugin: Plugin) -> list[PluginError]:
    """A plugin that is a Django app with models must ship migrations and be installed."""
    from django.apps import apps

    package = type(plugin).__module__.split(".")[0]
    errors: list[PluginError] = []
    if importlib.util.find_spec(f"{package}.models") is None:
        return errors
    if not apps.is_installed(package):
        errors.append(
            PluginError(plugin.name, "django_app", f"{package} has models but is not installed")
        )
        return errors
    config = apps.get_containing_app_config(package)
    has_models = config is not None and list(config.get_models())
    if has_models and importlib.util.find_spec(f"{package}.migrations") is None:
        errors.append(PluginError(plugin.name, "migrations", f"{package} has no migrations"))
    return errors
