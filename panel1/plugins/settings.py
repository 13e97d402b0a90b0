"""Per-tenant plugin settings: validated against the plugin's JSON schema or Django form."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from panel1.plugins.base import Plugin


def schema_defaults(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        key: spec["default"]
        for key, spec in schema.get("properties", {}).items()
        if isinstance(spec, dict) and "default" in spec
    }


def validate_schema_settings(schema: dict[str, Any], data: Any) -> dict[str, list[str]]:
    """DRF-shaped errors ({field: [messages]}) of `data` against `schema`."""
    from jsonschema import Draft202012Validator

    if not isinstance(data, dict):
        return {"non_field_errors": ["Settings must be a JSON object."]}
    strict = {"additionalProperties": False, "type": "object", **schema}
    errors: dict[str, list[str]] = {}
    for error in Draft202012Validator(strict).iter_errors(data):
        path = [str(part) for part in error.absolute_path]
        if error.validator == "required":
            field = error.message.split("'")[1] if "'" in error.message else "non_field_errors"
        elif error.validator == "additionalProperties":
            extra = sorted(set(data) - set(schema.get("properties", {})))
            for key in extra:
                errors.setdefault(key, []).append(_("Unknown setting."))
            continue
        else:
            field = path[0] if path else "non_field_errors"
        errors.setdefault(field, []).append(error.message)
    return errors


def settings_defaults(plugin: Plugin) -> dict[str, Any]:
    if plugin.settings_schema:
        return schema_defaults(plugin.settings_schema)
    if plugin.settings_form is not None:
        form = plugin.settings_form()
        initial = {name: form.get_initial_for_field(f, name) for name, f in form.fields.items()}
        return {name: value for name, value in initial.items() if value is not None}
    return {}


def settings_clean(plugin: Plugin, data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(cleaned settings, errors) for `data` submitted for `plugin`."""
    if plugin.settings_form is not None:
        if not isinstance(data, dict):
            return {}, {"non_field_errors": ["Settings must be a JSON object."]}
        form = plugin.settings_form(data=data)
        if not form.is_valid():
            return {}, {field: [str(m) for m in msgs] for field, msgs in form.errors.items()}
        return _jsonable(form.cleaned_data), {}
    schema = plugin.settings_schema or {"properties": {}}
    errors = validate_schema_settings(schema, data)
    if errors:
        return {}, errors
    return {**schema_defaults(schema), **data}, {}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))
