"""Every write to rules and auto-response templates; the one rule validator.

The API, the admin and the rule builder all validate through `rule_validate()`, which
raises `DomainError` keyed by the path of the bad part (`conditions[1].any[0].operator`,
`actions[0].parameters.status`), so every interface answers the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from automation.actions import action_registry_doc, validate_actions
from automation.conditions import (
    RuleValidationError,
    field_registry_doc,
    operator_registry_doc,
    validate_conditions,
)
from automation.engine import DryRun, rule_dry_run
from automation.models import (
    MAX_IDLE_HOURS,
    TRIGGER_EVENTS,
    AutoResponseTemplate,
    AutoResponseTranslation,
    Rule,
    RuleRun,
)
from automation.responses import DEFAULT_TEMPLATES, PLACEHOLDERS, unknown_placeholders
from automation.subjects import subject_rule_errors
from panel1.accounts.models import STAFF_ROLES, User
from panel1.actors import Actor
from panel1.audit.services import audit_record
from panel1.content_language import default_language
from panel1.crypto import decrypt_value, encrypt_value, rotate_value
from panel1.events import names
from panel1.exceptions import DomainError
from panel1.sentinels import UNSET
from tickets.models import Ticket
from tickets.services.email_templates import check_text_language

SECRET_MASK = "********"
# A condition tree: a list of conditions (all must hold) or {"all"/"any": [...]}.
RuleConditions = list[dict[str, Any]] | dict[str, Any] | tuple[()]
RULE_FIELDS = (
    "name",
    "description",
    "trigger_event",
    "conditions",
    "actions",
    "is_active",
    "position",
    "stop_processing",
    "idle_hours",
)


def rule_catalog() -> dict[str, Any]:
    """What a rule can use: triggers, condition fields, operators, actions, templates and
    placeholders (the API's registry and the rule builder both show this)."""
    return {
        "triggers": list(TRIGGER_EVENTS),
        "fields": field_registry_doc(),
        "operators": operator_registry_doc(),
        "actions": action_registry_doc(),
        "templates": sorted(template_names()),
        "placeholders": PLACEHOLDERS,
    }


def staff_user_ids(ids: set[str]) -> set[str]:
    return {
        str(pk)
        for pk in User.objects.filter(pk__in=ids, role__in=STAFF_ROLES, is_active=True).values_list(
            "pk", flat=True
        )
    }


def template_names() -> set[str]:
    return set(AutoResponseTemplate.objects.values_list("name", flat=True))


def rule_validate(
    *,
    name: Any,
    trigger_event: Any,
    conditions: Any,
    actions: Any,
    idle_hours: Any = None,
) -> None:
    """Check a rule definition; raise DomainError naming every bad part by its path."""
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = [_("A name is required.")]
    elif len(name) > 200:
        errors["name"] = [_("Use at most 200 characters.")]
    if trigger_event not in TRIGGER_EVENTS:
        errors["trigger_event"] = [
            _("Unknown trigger event %(trigger_event)s; use one of: %(trigger_events)s.")
            % {"trigger_event": repr(trigger_event), "trigger_events": ", ".join(TRIGGER_EVENTS)}
        ]
    errors.update(_idle_hours_errors(trigger_event, idle_hours))
    errors.update(subject_rule_errors(trigger_event, conditions, actions))
    for validate in (
        lambda: validate_conditions(conditions),
        lambda: validate_actions(
            actions, staff_user_ids=staff_user_ids, template_names=template_names
        ),
    ):
        try:
            validate()
        except RuleValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise DomainError(errors)


def _idle_hours_errors(trigger_event: Any, idle_hours: Any) -> dict[str, list[str]]:
    if trigger_event != names.TICKET_IDLE:
        if idle_hours is not None:
            return {"idle_hours": ["Only ticket.idle rules have idle hours."]}
        return {}
    if idle_hours is None:
        return {"idle_hours": ["ticket.idle rules need the number of idle hours."]}
    if not isinstance(idle_hours, int) or isinstance(idle_hours, bool):
        return {"idle_hours": ["Must be a whole number of hours."]}
    if not 1 <= idle_hours <= MAX_IDLE_HOURS:
        return {"idle_hours": [f"Must be between 1 and {MAX_IDLE_HOURS}."]}
    return {}


def _next_position() -> int:
    top = Rule.objects.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _rule_details(rule: Rule) -> dict[str, Any]:
    return {field: getattr(rule, field) for field in RULE_FIELDS if field != "actions"} | {
        "actions": secrets_mask(rule.actions)
    }


@transaction.atomic
def rule_create(
    *,
    actor: User | Actor | None,
    name: str,
    trigger_event: str,
    actions: list[dict[str, Any]],
    conditions: RuleConditions = (),
    description: str = "",
    is_active: bool = True,
    position: int | None = None,
    stop_processing: bool = False,
    idle_hours: int | None = None,
) -> Rule:
    """Validate and store a new rule (appended after the others unless `position` is given)."""
    conditions = list(conditions) if isinstance(conditions, tuple) else conditions
    rule_validate(
        name=name,
        trigger_event=trigger_event,
        conditions=conditions,
        actions=actions,
        idle_hours=idle_hours,
    )
    rule = Rule.objects.create(
        created_by=Actor.of(actor).user,
        name=name,
        description=description,
        trigger_event=trigger_event,
        conditions=conditions,
        actions=secrets_encrypt(actions),
        is_active=is_active,
        position=_next_position() if position is None else position,
        stop_processing=stop_processing,
        idle_hours=idle_hours,
    )
    details = _rule_details(rule)
    audit_record(actor=actor, action="automation.rule.created", target=rule, details=details)
    return rule


@transaction.atomic
def rule_update(
    *,
    rule: Rule,
    actor: User | Actor | None,
    name: str = UNSET,
    description: str = UNSET,
    trigger_event: str = UNSET,
    conditions: RuleConditions = UNSET,
    actions: list[dict[str, Any]] = UNSET,
    is_active: bool = UNSET,
    position: int = UNSET,
    stop_processing: bool = UNSET,
    idle_hours: int | None = UNSET,
) -> Rule:
    """Change a rule; the whole resulting definition is validated. A webhook secret sent
    back masked keeps the stored secret of the same URL."""
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    values = {
        "name": name,
        "description": description,
        "trigger_event": trigger_event,
        "conditions": conditions,
        "actions": actions,
        "is_active": is_active,
        "position": position,
        "stop_processing": stop_processing,
        "idle_hours": idle_hours,
    }
    values = {key: value for key, value in values.items() if value is not UNSET}
    if "actions" in values:
        values["actions"] = secrets_decrypt(secrets_unmask(values["actions"], rule.actions))
    before = _rule_details(rule)
    for key, value in values.items():
        setattr(rule, key, value)
    if rule.trigger_event != names.TICKET_IDLE and "idle_hours" not in values:
        rule.idle_hours = None
    rule_validate(
        name=rule.name,
        trigger_event=rule.trigger_event,
        conditions=rule.conditions,
        actions=secrets_decrypt(rule.actions),
        idle_hours=rule.idle_hours,
    )
    rule.actions = secrets_encrypt(rule.actions)
    rule.save()
    after = _rule_details(rule)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        audit_record(actor=actor, action="automation.rule.updated", target=rule, details=changes)
    return rule


@transaction.atomic
def rule_delete(*, rule: Rule, actor: User | Actor | None) -> None:
    """Delete a rule (its run log goes with it)."""
    details = _rule_details(rule)
    audit_record(actor=actor, action="automation.rule.deleted", target=rule, details=details)
    rule.delete()


@transaction.atomic
def rules_reorder(*, rule_ids: Iterable[str], actor: User | Actor | None) -> list[Rule]:
    """Give the listed rules positions 0, 1, 2 ... in the given order; others follow."""
    ordered = [str(pk) for pk in rule_ids]
    # Lock all rules in pk order: two concurrent reorders queue instead of interleaving.
    rules = {str(rule.pk): rule for rule in Rule.objects.select_for_update().order_by("pk")}
    unknown = [pk for pk in ordered if pk not in rules]
    if unknown or len(set(ordered)) != len(ordered):
        raise DomainError({"ids": [_("Give each rule id of this helpdesk at most once.")]})
    rest = sorted(
        (rule for pk, rule in rules.items() if pk not in ordered),
        key=lambda rule: (rule.position, rule.created_at),
    )
    final = [rules[pk] for pk in ordered] + rest
    moved = {}
    for position, rule in enumerate(final):
        if rule.position != position:
            moved[str(rule.pk)] = [rule.position, position]
            rule.position = position
            rule.save(update_fields=["position", "updated_at"])
    if moved:
        audit_record(actor=actor, action="automation.rules.reordered", details={"positions": moved})
    return final


@transaction.atomic
def rule_move(*, rule: Rule, offset: int, actor: User | Actor | None) -> None:
    """Move a rule up (-1) or down (+1) in the evaluation order."""
    ordered = Rule.objects.order_by("position", "created_at").values_list("pk", flat=True)
    ids = [str(pk) for pk in ordered]
    index = ids.index(str(rule.pk))
    target = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    rules_reorder(rule_ids=ids, actor=actor)


def rule_test(*, rule: Rule, ticket: Ticket) -> DryRun:
    """Dry-run a saved rule against a ticket and log it as a dry run (nothing else changes)."""
    result = rule_dry_run(rule, ticket=ticket)
    RuleRun.objects.create(
        rule=rule,
        event_name=rule.trigger_event,
        ticket=ticket,
        ticket_number=ticket.number,
        matched=result.matched,
        actions_applied=[
            {"type": plan["type"], "result": "planned", "detail": plan["description"]}
            for plan in result.actions
        ],
        errors=result.errors,
        dry_run=True,
    )
    return result


def _secrets_map(actions: Any, convert) -> Any:
    if not isinstance(actions, list):
        return actions
    converted = []
    for action in actions:
        params = action.get("parameters") if isinstance(action, dict) else None
        if isinstance(params, dict) and isinstance(params.get("secret"), str) and params["secret"]:
            action = {**action, "parameters": {**params, "secret": convert(params["secret"])}}
        converted.append(action)
    return converted


def secrets_encrypt(actions: Any) -> Any:
    """The actions with webhook secrets encrypted for storage (panel1.crypto)."""
    return _secrets_map(actions, encrypt_value)


def secrets_decrypt(actions: Any) -> Any:
    """The actions with stored webhook secrets in plain text (for validation and sending)."""
    return _secrets_map(actions, decrypt_value)


def secrets_rotate() -> int:
    """Re-encrypt every stored webhook secret with the newest key (rotate_field_keys)."""
    from automation.models import WebhookDelivery

    count = 0
    for rule in Rule.objects.select_for_update().order_by("pk"):
        rotated = _secrets_map(rule.actions, rotate_value)
        if rotated != rule.actions:
            Rule.objects.filter(pk=rule.pk).update(actions=rotated)
            count += 1
    if count:
        from automation.engine import forget_active_rules

        forget_active_rules()
    for delivery in WebhookDelivery.objects.exclude(secret="").only("pk", "secret"):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(secret=rotate_value(delivery.secret))
        count += 1
    return count


def secrets_mask(actions: Any) -> Any:
    """The actions with webhook secrets replaced by a mask (for reading them back)."""
    if not isinstance(actions, list):
        return actions
    masked = []
    for action in actions:
        params = action.get("parameters") if isinstance(action, dict) else None
        if isinstance(params, dict) and params.get("secret"):
            action = {**action, "parameters": {**params, "secret": SECRET_MASK}}
        masked.append(action)
    return masked


def secrets_unmask(actions: Any, stored: Any) -> Any:
    """Replace masked secrets with the stored secret of a webhook action to the same URL."""
    if not isinstance(actions, list):
        return actions
    known = {
        action["parameters"].get("url"): action["parameters"]["secret"]
        for action in stored or []
        if isinstance(action, dict)
        and action.get("type") == "send_webhook"
        and isinstance(action.get("parameters"), dict)
        and action["parameters"].get("secret")
    }
    result = []
    for index, action in enumerate(actions):
        params = action.get("parameters") if isinstance(action, dict) else None
        if isinstance(params, dict) and params.get("secret") == SECRET_MASK:
            if params.get("url") not in known:
                raise DomainError(
                    {
                        f"actions[{index}].parameters.secret": [
                            _("Enter the secret again: the URL changed.")
                        ]
                    }
                )
            action = {**action, "parameters": {**params, "secret": known[params["url"]]}}
        result.append(action)
    return result


# --- auto-response templates ---------------------------------------------------------------


def template_validate(*, name: Any, subject: Any, body: Any) -> None:
    errors: dict[str, list[str]] = {}
    for field, text in (("subject", subject), ("body", body)):
        unknown = unknown_placeholders(text or "")
        if unknown:
            listed = ", ".join("{{" + item + "}}" for item in unknown)
            errors[field] = [_("Unknown placeholder %(listed)s.") % {"listed": listed}]
    if not (body or "").strip():
        errors.setdefault("body", []).insert(0, "A body is required.")
    if errors:
        raise DomainError(errors)


@transaction.atomic
def template_save(
    *,
    actor: User | Actor | None,
    name: str,
    body: str,
    subject: str = "",
    description: str = "",
    is_active: bool = True,
    template: AutoResponseTemplate | None = None,
) -> AutoResponseTemplate:
    """Create (or with `template`, change) an auto-response template."""
    template_validate(name=name, subject=subject, body=body)
    if template is not None and template.name != name:
        _refuse_if_used(template, _("renamed"))
    created = template is None
    template = template or AutoResponseTemplate()
    values = {
        "name": name,
        "subject": subject,
        "body": body,
        "description": description,
        "is_active": is_active,
    }
    changes = {
        key: [None if created else getattr(template, key), value]
        for key, value in values.items()
        if created or getattr(template, key) != value
    }
    for key, value in values.items():
        setattr(template, key, value)
    template.full_clean()
    template.save()
    if changes:
        action = "automation.template.created" if created else "automation.template.updated"
        audit_record(actor=actor, action=action, target=template, details=changes)
    return template


@transaction.atomic
def template_translation_save(
    *,
    actor: User | Actor | None,
    template: AutoResponseTemplate,
    language: str,
    subject: str = "",
    body: str = "",
) -> AutoResponseTranslation | None:
    """Set `template`'s text in `language`; an empty body removes that language's text (the
    default language's applies again). The default language's text is the template's own."""
    language = check_text_language(language)
    if language == default_language():
        raise DomainError(
            {"language": ["The default language's text is the template itself: edit it."]}
        )
    existing = AutoResponseTranslation.objects.filter(template=template, language=language)
    if not (body or "").strip():
        if existing.exists():
            existing.delete()
            audit_record(
                actor=actor,
                action="automation.template.translation_removed",
                target=template,
                details={"language": language},
            )
        return None
    template_validate(name=template.name, subject=subject, body=body)
    if len(subject or "") > 255:
        raise DomainError({"subject": ["Use at most 255 characters."]})
    translation, _created = AutoResponseTranslation.objects.update_or_create(
        template=template, language=language, defaults={"subject": subject or "", "body": body}
    )
    audit_record(
        actor=actor,
        action="automation.template.translation_saved",
        target=template,
        details={"language": language},
    )
    return translation


def default_templates_create(*, tenant=None) -> bool:
    """Provisioning step: the default templates (idempotent; edits are kept)."""
    present = set(
        AutoResponseTemplate.objects.filter(name__in=list(DEFAULT_TEMPLATES)).values_list(
            "name", flat=True
        )
    )
    missing = [
        AutoResponseTemplate(name=name, description=description, subject=subject, body=body)
        for name, (description, subject, body) in DEFAULT_TEMPLATES.items()
        if name not in present
    ]
    AutoResponseTemplate.objects.bulk_create(missing)
    return bool(missing)


def rules_using_template(template_name: str) -> list[str]:
    return [
        rule.name
        for rule in Rule.objects.filter(actions__contains=[{"type": "send_auto_response"}])
        if any(
            isinstance(action, dict)
            and action.get("type") == "send_auto_response"
            and (action.get("parameters") or {}).get("template") == template_name
            for action in rule.actions
        )
    ]


def _refuse_if_used(template: AutoResponseTemplate, what: str) -> None:
    users = rules_using_template(template.name)
    if users:
        raise DomainError(
            {
                "name": [
                    _("Rules use this template (%(users)s); it cannot be %(what)s.")
                    % {"users": ", ".join(users), "what": what}
                ]
            }
        )


@transaction.atomic
def template_delete(*, template: AutoResponseTemplate, actor: User | Actor | None) -> None:
    """Delete a template no rule refers to."""
    _refuse_if_used(template, _("deleted"))
    audit_record(
        actor=actor,
        action="automation.template.deleted",
        target=template,
        details={"name": template.name},
    )
    template.delete()
