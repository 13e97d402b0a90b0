"""The visual rule builder (/desk/admin/automation/): list, compose, validate and dry-run rules.

A section of the desk's admin area, for supervisors and admins (moved here from the
automation app, which keeps a redirect from the old /desk/automation/ addresses). The
builder's widgets (static/js/automation-builder.js) compose the conditions and actions JSON
from dropdowns; every save, live check and dry run goes through the same validator and
services as the API and the admin.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from automation import services
from automation.engine import rule_dry_run
from automation.models import Rule
from desk.admin_area import automation_labels
from desk.admin_area.base import admin_render, admin_view
from panel1.accounts.models import STAFF_ROLES, User
from panel1.exceptions import DomainError, NotFound
from panel1.ids import is_uuid
from tickets.models import Category
from tickets.selectors import ticket_get_for

MAX_JSON_LENGTH = 100_000


class RuleForm(forms.Form):
    """Shape only; the definition is validated by services.rule_validate."""

    name = forms.CharField(max_length=200, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea)
    trigger_event = forms.ChoiceField(choices=automation_labels.trigger_choices())
    idle_hours = forms.IntegerField(required=False)
    is_active = forms.BooleanField(required=False)
    stop_processing = forms.BooleanField(required=False)
    conditions_json = forms.CharField(required=False, max_length=MAX_JSON_LENGTH)
    actions_json = forms.CharField(required=False, max_length=MAX_JSON_LENGTH)

    def _json(self, key: str, field: str, default: Any) -> Any:
        raw = (self.cleaned_data.get(key) or "").strip()
        if not raw:
            return default
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(
                {key: _("Not valid JSON (%(exc_msg)s).") % {"exc_msg": exc.msg}}
            ) from exc

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            cleaned["conditions"] = self._json("conditions_json", "conditions", [])
            cleaned["actions"] = self._json("actions_json", "actions", [])
        return cleaned

    def definition(self) -> dict[str, Any]:
        data = self.cleaned_data
        trigger = data["trigger_event"]
        return {
            "name": data["name"],
            "description": data["description"],
            "trigger_event": trigger,
            "idle_hours": data["idle_hours"] if trigger == "ticket.idle" else None,
            "is_active": data["is_active"],
            "stop_processing": data["stop_processing"],
            "conditions": data["conditions"],
            "actions": data["actions"],
        }


def _form_errors(form: forms.Form) -> dict[str, list[str]]:
    renamed = {"conditions_json": "conditions", "actions_json": "actions"}
    return {renamed.get(key, key): list(msgs) for key, msgs in form.errors.items()}


def _builder_data() -> dict[str, Any]:
    staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("name", "email")
    return {
        **services.rule_catalog(),
        "users": [{"id": str(u.pk), "label": f"{u.get_full_name()} <{u.email}>"} for u in staff],
        "categories": [
            {"id": str(c.pk), "label": c.name} for c in Category.objects.order_by("name")
        ],
        "labels": automation_labels.builder_labels(),
    }


def _rule_table(request: HttpRequest) -> dict[str, Any]:
    rules = Rule.objects.annotate(run_count=Count("runs")).order_by("position", "created_at")
    return {"rules": rules, "trigger_labels": dict(automation_labels.trigger_choices())}


@admin_view("automation")
def rule_list(request: HttpRequest) -> HttpResponse:
    return admin_render(request, "desk/admin/automation/rule_list.html", _rule_table(request))


def _table_or_list(request: HttpRequest) -> HttpResponse:
    if request.htmx:
        return render(request, "desk/admin/automation/_rule_table.html", _rule_table(request))
    return redirect("desk:admin-automation")


@admin_view("automation")
@require_POST
def rule_toggle(request: HttpRequest, pk) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    try:
        services.rule_update(rule=rule, actor=request.user, is_active=not rule.is_active)
    except DomainError as exc:
        messages.error(
            request,
            _("%(rule_name)s cannot be activated until it is fixed: %(exc)s")
            % {"rule_name": rule.name, "exc": exc},
        )
    return _table_or_list(request)


@admin_view("automation")
@require_POST
def rule_move(request: HttpRequest, pk) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.rule_move(rule=rule, offset=offset, actor=request.user)
    return _table_or_list(request)


@admin_view("automation")
@require_POST
def rule_delete(request: HttpRequest, pk) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    services.rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("Deleted rule %(rule_name)s.") % {"rule_name": rule.name})
    return redirect("desk:admin-automation")


@admin_view("automation")
def rule_builder(request: HttpRequest, pk=None) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk) if pk else None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                if rule is None:
                    rule = services.rule_create(actor=request.user, **form.definition())
                else:
                    rule = services.rule_update(rule=rule, actor=request.user, **form.definition())
            except DomainError as exc:
                errors = exc.errors
            else:
                messages.success(request, _("Saved rule %(rule_name)s.") % {"rule_name": rule.name})
                return redirect("desk:admin-automation-edit", pk=rule.pk)
        else:
            errors = _form_errors(form)
        initial = _posted_definition(request)
    else:
        initial = _rule_definition(rule)
    initial["conditions_json"] = json.dumps(initial["conditions"], indent=2)
    initial["actions_json"] = json.dumps(initial["actions"], indent=2)
    context = {
        "rule": rule,
        "initial": initial,
        "errors": errors,
        "builder_data": _builder_data(),
        "triggers": automation_labels.trigger_choices(),
        "trigger_labels": dict(automation_labels.trigger_choices()),
        "runs": rule.runs.select_related("rule")[:20] if rule else [],
    }
    return admin_render(
        request, "desk/admin/automation/rule_builder.html", context, status=400 if errors else 200
    )


def _rule_definition(rule: Rule | None) -> dict[str, Any]:
    if rule is None:
        return {
            "name": "",
            "description": "",
            "trigger_event": "ticket.created",
            "idle_hours": None,
            "is_active": True,
            "stop_processing": False,
            "conditions": [],
            "actions": [],
        }
    return {
        "name": rule.name,
        "description": rule.description,
        "trigger_event": rule.trigger_event,
        "idle_hours": rule.idle_hours,
        "is_active": rule.is_active,
        "stop_processing": rule.stop_processing,
        "conditions": rule.conditions,
        "actions": services.secrets_mask(rule.actions),
    }


def _posted_definition(request: HttpRequest) -> dict[str, Any]:
    """What the user sent, to show it again with the errors (bad JSON becomes empty)."""

    def loads(key: str, default: Any) -> Any:
        try:
            return json.loads(request.POST.get(key) or "null") or default
        except ValueError:
            return default

    return {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "trigger_event": request.POST.get("trigger_event", "ticket.created"),
        "idle_hours": request.POST.get("idle_hours") or None,
        "is_active": bool(request.POST.get("is_active")),
        "stop_processing": bool(request.POST.get("stop_processing")),
        "conditions": loads("conditions_json", []),
        "actions": loads("actions_json", []),
    }


@admin_view("automation")
@require_POST
def rule_validate(request: HttpRequest) -> JsonResponse:
    """Live check while composing: {"errors": {path: [messages]}} ({} when valid)."""
    form = RuleForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": _form_errors(form)})
    definition = form.definition()
    try:
        services.rule_validate(
            name=definition["name"],
            trigger_event=definition["trigger_event"],
            conditions=definition["conditions"],
            actions=_unmasked(definition["actions"], request.POST.get("rule_id")),
            idle_hours=definition["idle_hours"],
        )
    except DomainError as exc:
        return JsonResponse({"errors": exc.errors})
    return JsonResponse({"errors": {}})


def _unmasked(actions: Any, rule_id: str | None) -> Any:
    stored = Rule.objects.filter(pk=rule_id).first() if is_uuid(rule_id) else None
    try:
        return services.secrets_unmask(actions, stored.actions if stored else [])
    except DomainError:
        return actions


def _shown(value: Any) -> str:
    """A condition value as the dry-run table shows it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, str):
        return automation_labels.value_labels().get(value, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


@admin_view("automation")
@require_POST
def rule_dry_run_view(request: HttpRequest) -> HttpResponse:
    """Dry-run the definition on the page (saved or not) against a ticket number."""
    form = RuleForm(request.POST)
    context: dict[str, Any] = {"ticket_ref": request.POST.get("ticket", "").strip()}
    if not form.is_valid():
        context["errors"] = _form_errors(form)
        return render(request, "desk/admin/automation/_dry_run.html", context)
    definition = form.definition()
    definition["actions"] = _unmasked(definition["actions"], request.POST.get("rule_id"))
    try:
        services.rule_validate(
            name=definition["name"] or "Draft",
            trigger_event=definition["trigger_event"],
            conditions=definition["conditions"],
            actions=definition["actions"],
            idle_hours=definition["idle_hours"],
        )
        ticket = ticket_get_for(request.user, context["ticket_ref"])
    except NotFound:
        context["errors"] = {
            "ticket": [_("No ticket %(context)s.") % {"context": repr(context["ticket_ref"])}]
        }
    except DomainError as exc:
        context["errors"] = exc.errors
    else:
        draft = Rule(
            name=definition["name"] or "Draft",
            trigger_event=definition["trigger_event"],
            conditions=definition["conditions"],
            actions=definition["actions"],
        )
        context["ticket"] = ticket
        context["result"] = result = rule_dry_run(draft, ticket=ticket)
        context["rows"] = [
            {
                **row,
                "expected": _shown(row["expected"]),
                "actual": _shown(row["actual"]),
                "field_label": automation_labels.field_label(row["field"]),
                "operator_label": automation_labels.OPERATORS.get(row["operator"], row["operator"]),
                "where": automation_labels.path_label(row.get("path", "")),
            }
            for row in result.conditions
        ]
    return render(request, "desk/admin/automation/_dry_run.html", context)
