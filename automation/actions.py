"""Automation rule actions: the action registry and validation of action lists.

Validation is pure Python; the two facts that need the database (which users are
staff of this helpdesk, which auto-response templates exist) come in as callables so
the caller decides how to query them and this module stays free of Django.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import regex
from django.utils.translation import gettext as _

from automation.conditions import PRIORITIES, STATUSES, Errors, RuleValidationError
from automation.routing.selection import STRATEGIES
from panel1.ids import parse_uuid

MAX_ACTIONS = 20
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_USER_IDS = 50
MAX_TEXT_LENGTH = 10_000
MAX_MESSAGE_LENGTH = 2_000
MAX_TEMPLATE_LENGTH = 100
MAX_URL_LENGTH = 2_000
MAX_SECRET_LENGTH = 255

_SLUG_RE = regex.compile(r"[-a-zA-Z0-9_]+")


class ParamType(enum.StrEnum):
    UUID = "uuid"
    UUID_LIST = "uuid_list"
    ENUM = "enum"
    STRING = "string"
    STRING_LIST = "string_list"
    SLUG = "slug"
    URL = "url"


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: ParamType
    description: str
    required: bool = True
    choices: tuple[str, ...] = ()
    max_length: int | None = None  # of a string, or of each string in a list
    max_items: int | None = None


@dataclass(frozen=True)
class ActionSpec:
    type: str
    description: str
    parameters: dict[str, ParamSpec] = field(default_factory=dict)


def _action(type_: str, description: str, *params: ParamSpec) -> ActionSpec:
    return ActionSpec(type_, description, {param.name: param for param in params})


ACTION_TYPES: dict[str, ActionSpec] = {
    spec.type: spec
    for spec in (
        _action(
            "assign_ticket",
            "Assign the ticket to a staff user.",
            ParamSpec("assigned_to_id", ParamType.UUID, "Id of a staff user of this helpdesk."),
        ),
        _action(
            "change_status",
            "Change the ticket's status (allowed transitions still apply).",
            ParamSpec("status", ParamType.ENUM, "The new status.", choices=STATUSES),
        ),
        _action(
            "change_priority",
            "Change the ticket's priority.",
            ParamSpec("priority", ParamType.ENUM, "The new priority.", choices=PRIORITIES),
        ),
        _action(
            "add_tags",
            "Add tags to the ticket (existing tags are kept).",
            ParamSpec(
                "tags",
                ParamType.STRING_LIST,
                "Tags to add.",
                max_length=MAX_TAG_LENGTH,
                max_items=MAX_TAGS,
            ),
        ),
        _action(
            "add_internal_note",
            "Add an internal note, visible to staff only.",
            ParamSpec("content", ParamType.STRING, "Text of the note.", max_length=MAX_TEXT_LENGTH),
        ),
        _action(
            "send_auto_response",
            "Reply to the requester with an auto-response template.",
            ParamSpec(
                "template",
                ParamType.SLUG,
                "Name (slug) of an auto-response template of this helpdesk.",
                max_length=MAX_TEMPLATE_LENGTH,
            ),
        ),
        _action("escalate_ticket", "Raise the ticket's escalation level by one."),
        _action(
            "auto_assign",
            "Route the ticket to an available agent (an assigned ticket stays as it is).",
            ParamSpec(
                "strategy",
                ParamType.ENUM,
                "Strategy to use instead of the routing settings' (optional).",
                required=False,
                choices=STRATEGIES,
            ),
        ),
        _action(
            "notify_users",
            "Notify staff users about the ticket.",
            ParamSpec(
                "user_ids",
                ParamType.UUID_LIST,
                "Ids of staff users of this helpdesk.",
                max_items=MAX_USER_IDS,
            ),
            ParamSpec(
                "message",
                ParamType.STRING,
                "Text of the notification.",
                max_length=MAX_MESSAGE_LENGTH,
            ),
        ),
        _action(
            "send_webhook",
            "POST the event and ticket as JSON to a URL (from a background task).",
            ParamSpec("url", ParamType.URL, "http(s) URL to call.", max_length=MAX_URL_LENGTH),
            ParamSpec(
                "secret",
                ParamType.STRING,
                "Shared secret used to sign the request body.",
                required=False,
                max_length=MAX_SECRET_LENGTH,
            ),
        ),
    )
}


def action_registry_doc() -> list[dict[str, Any]]:
    """Describe every action type and its parameters for the rule builder UI and docs."""
    return [
        {
            "type": spec.type,
            "description": spec.description,
            "parameters": [
                {
                    "name": param.name,
                    "type": str(param.type),
                    "required": param.required,
                    "choices": list(param.choices) if param.choices else None,
                    "max_length": param.max_length,
                    "max_items": param.max_items,
                    "description": param.description,
                }
                for param in spec.parameters.values()
            ],
        }
        for spec in ACTION_TYPES.values()
    ]


def validate_actions(
    actions: Any,
    *,
    staff_user_ids: Callable[[set[str]], set[str]] | None = None,
    template_names: Callable[[], set[str]] | None = None,
) -> None:
    """Check a rule's actions; raise RuleValidationError keyed by path if any is bad.

    ``staff_user_ids(ids)`` answers which of the given (canonical, lowercase) user ids are
    staff of this helpdesk; ``template_names()`` answers the auto-response template names.
    Each is called at most once, and only when some well-formed action needs it; when
    omitted, that check is skipped.
    """
    path = "actions"
    if not isinstance(actions, list):
        raise RuleValidationError({path: ["Must be a list of actions."]})
    if not actions:
        raise RuleValidationError({path: ["A rule needs at least one action."]})
    if len(actions) > MAX_ACTIONS:
        raise RuleValidationError({path: [f"At most {MAX_ACTIONS} actions are allowed."]})
    errors: Errors = {}
    for index, action in enumerate(actions):
        _validate_action(action, f"{path}[{index}]", errors)
    if staff_user_ids is not None:
        _check_staff(actions, errors, staff_user_ids)
    if template_names is not None:
        _check_templates(actions, errors, template_names)
    if errors:
        raise RuleValidationError(errors)


def _validate_action(action: Any, path: str, errors: Errors) -> None:
    if not isinstance(action, dict):
        errors[path] = [_("Expected an action {type, parameters}.")]
        return
    for key in action.keys() - {"type", "parameters"}:
        errors[f"{path}.{key}"] = [_("Unknown key; an action has type and parameters.")]
    type_ = action.get("type")
    spec = ACTION_TYPES.get(type_) if isinstance(type_, str) else None
    if type_ is None:
        errors[f"{path}.type"] = [_("This key is required.")]
        return
    if spec is None:
        errors[f"{path}.type"] = [
            _("Unknown action type %(type)s; use one of: %(action_types)s.")
            % {"type": repr(type_), "action_types": ", ".join(ACTION_TYPES)}
        ]
        return
    parameters = action.get("parameters")
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        errors[f"{path}.parameters"] = [_("Must be an object.")]
        return
    for name in parameters.keys() - spec.parameters.keys():
        errors[f"{path}.parameters.{name}"] = [
            _("Unknown parameter for %(spec_type)s.") % {"spec_type": repr(spec.type)}
        ]
    for name, param in spec.parameters.items():
        param_path = f"{path}.parameters.{name}"
        if parameters.get(name) is None:
            if param.required:
                errors[param_path] = [_("This parameter is required.")]
            continue
        for suffix, message in _param_errors(param, parameters[name]):
            errors.setdefault(f"{param_path}{suffix}", []).append(message)


def _param_errors(param: ParamSpec, value: Any) -> Iterator[tuple[str, str]]:
    match param.type:
        case ParamType.UUID:
            if _parse_uuid(value) is None:
                yield "", "Must be a UUID string."
        case ParamType.ENUM:
            if not isinstance(value, str) or value not in param.choices:
                yield "", f"Must be one of: {', '.join(param.choices)}."
        case ParamType.STRING:
            if (message := _text_error(value, param.max_length)) is not None:
                yield "", message
        case ParamType.SLUG:
            if (message := _text_error(value, param.max_length)) is not None:
                yield "", message
            elif not _SLUG_RE.fullmatch(value):
                yield "", "Must be a slug: letters, digits, hyphens and underscores."
        case ParamType.URL:
            if (message := _url_error(value, param.max_length)) is not None:
                yield "", message
        case ParamType.STRING_LIST | ParamType.UUID_LIST:
            yield from _list_errors(param, value)


def _list_errors(param: ParamSpec, value: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(value, list) or not value:
        yield "", "Must be a non-empty list."
        return
    if param.max_items is not None and len(value) > param.max_items:
        yield "", f"At most {param.max_items} items are allowed."
        return
    for index, item in enumerate(value):
        if param.type == ParamType.UUID_LIST:
            message = None if _parse_uuid(item) is not None else "Must be a UUID string."
        else:
            message = _text_error(item, param.max_length)
        if message is not None:
            yield f"[{index}]", message


def _text_error(value: Any, max_length: int | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "Must be a non-empty string."
    if max_length is not None and len(value) > max_length:
        return f"At most {max_length} characters."
    return None


def _url_error(value: Any, max_length: int | None) -> str | None:
    """Check the URL's shape only; where it may point (no private addresses) is decided
    when the webhook is sent, after DNS resolution."""
    message = _("Must be an http:// or https:// URL with a host.")
    if not isinstance(value, str):
        return message
    if max_length is not None and len(value) > max_length:
        return f"At most {max_length} characters."
    if any(char.isspace() or not char.isprintable() for char in value):
        return message
    try:
        parts = urlsplit(value)
        _unused = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        return message
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return message
    return None


def _parse_uuid(value: Any) -> str | None:
    """A user id given as text, normalized; None for anything else (a number is no id)."""
    parsed = parse_uuid(value) if isinstance(value, str) else None
    return str(parsed) if parsed else None


def _user_id_params(actions: list[Any]) -> Iterator[tuple[str, str]]:
    """(path, canonical user id) for each well-formed user id in the actions."""
    for index, action in enumerate(actions):
        if not isinstance(action, dict) or not isinstance(action.get("parameters"), dict):
            continue
        parameters = action["parameters"]
        path = f"actions[{index}].parameters"
        if action.get("type") == "assign_ticket":
            if (user_id := _parse_uuid(parameters.get("assigned_to_id"))) is not None:
                yield f"{path}.assigned_to_id", user_id
        elif action.get("type") == "notify_users" and isinstance(parameters.get("user_ids"), list):
            for item in parameters["user_ids"][:MAX_USER_IDS]:
                if (user_id := _parse_uuid(item)) is not None:
                    yield f"{path}.user_ids", user_id


def _check_staff(
    actions: list[Any], errors: Errors, staff_user_ids: Callable[[set[str]], set[str]]
) -> None:
    found = list(_user_id_params(actions))
    if not found:
        return
    staff = {
        _parse_uuid(str(user_id)) for user_id in staff_user_ids({uid for _unused, uid in found})
    }
    for path, user_id in found:
        if user_id not in staff:
            message = f"{user_id} is not a staff user of this helpdesk."
            if message not in errors.get(path, []):
                errors.setdefault(path, []).append(message)


def _check_templates(
    actions: list[Any], errors: Errors, template_names: Callable[[], set[str]]
) -> None:
    wanted = [
        (f"actions[{index}].parameters.template", action["parameters"]["template"])
        for index, action in enumerate(actions)
        if isinstance(action, dict)
        and action.get("type") == "send_auto_response"
        and isinstance(action.get("parameters"), dict)
        and f"actions[{index}].parameters.template" not in errors
        and isinstance(action["parameters"].get("template"), str)
    ]
    if not wanted:
        return
    known = template_names()
    for path, name in wanted:
        if name not in known:
            errors[path] = [_("Unknown template %(name)s.") % {"name": repr(name)}]
