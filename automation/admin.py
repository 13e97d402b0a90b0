from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from automation import services
from automation.models import (
    AutoResponseTemplate,
    CategoryRouting,
    RoutingSettings,
    Rule,
    RuleRun,
    WebhookAttempt,
    WebhookDelivery,
)
from automation.routing.services import routing_settings_get, routing_settings_update
from panel1.exceptions import DomainError

_FORM_FIELDS = ("name", "trigger_event", "idle_hours")


def _errors_for_form(exc: DomainError) -> dict[str, list[str]]:
    """Map path-keyed rule errors onto form fields (conditions[0].field -> conditions)."""
    mapped: dict[str, list[str]] = {}
    for path, texts in exc.errors.items():
        field = next(
            (name for name in ("conditions", "actions", *_FORM_FIELDS) if path.startswith(name)),
            None,
        )
        prefix = f"{path}: " if field and path != field else ""
        mapped.setdefault(field or "__all__", []).extend(prefix + text for text in texts)
    return mapped


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = [
            "name",
            "description",
            "trigger_event",
            "idle_hours",
            "conditions",
            "actions",
            "is_active",
            "position",
            "stop_processing",
        ]
        help_texts = {
            "conditions": gettext_lazy(
                'JSON: [{"field": "priority", "operator": "equals", "value": "HIGH"}]'
            ),
            "actions": gettext_lazy(
                'JSON: [{"type": "change_status", "parameters": {"status": "CLOSED"}}]'
            ),
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.rule_validate(
                name=cleaned.get("name"),
                trigger_event=cleaned.get("trigger_event"),
                conditions=cleaned.get("conditions"),
                actions=cleaned.get("actions"),
                idle_hours=cleaned.get("idle_hours"),
            )
        except DomainError as exc:
            raise ValidationError(_errors_for_form(exc)) from exc
        return cleaned


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ["name", "trigger_event", "is_active", "position", "stop_processing"]
    list_editable = ["is_active"]
    list_filter = ["trigger_event", "is_active"]
    search_fields = ["name", "description"]
    ordering = ["position", "created_at"]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data.get(name) for name in form.Meta.fields}
        if change:
            saved = services.rule_update(rule=obj, actor=request.user, **values)
        else:
            saved = services.rule_create(actor=request.user, **values)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.rule_delete(rule=obj, actor=request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RuleRun)
class RuleRunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "rule", "event_name", "ticket_number", "matched", "dry_run"]
    list_filter = ["matched", "dry_run", "event_name"]
    search_fields = ["ticket_number", "rule__name"]
    list_select_related = ["rule"]
    show_full_result_count = False


class TemplateForm(forms.ModelForm):
    class Meta:
        model = AutoResponseTemplate
        fields = ["name", "description", "subject", "body", "is_active"]

    def clean(self):
        cleaned = super().clean()
        try:
            services.template_validate(
                name=cleaned.get("name"), subject=cleaned.get("subject"), body=cleaned.get("body")
            )
        except DomainError as exc:
            raise ValidationError(exc.errors) from exc
        renamed = self.instance.pk and cleaned.get("name") != self.instance.name
        if renamed and (users := services.rules_using_template(self.instance.name)):
            raise ValidationError(
                {
                    "name": _("Used by rules (%(users)s); keep the name.")
                    % {"users": ", ".join(users)}
                }
            )
        return cleaned


@admin.register(AutoResponseTemplate)
class AutoResponseTemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = ["name", "description", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "subject", "body"]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data.get(name) for name in form.Meta.fields}
        original = AutoResponseTemplate.objects.get(pk=obj.pk) if change else None
        saved = services.template_save(template=original, actor=request.user, **values)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.template_delete(template=obj, actor=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        template = self.get_object(request, object_id)
        users = services.rules_using_template(template.name) if template else []
        if users:
            self.message_user(
                request, f"Rules use this template ({', '.join(users)}).", messages.ERROR
            )
            return redirect("admin:automation_autoresponsetemplate_change", object_id)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, so rules never lose a template
        return actions


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    fields = ["number", "status_code", "error", "duration_ms", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "rule_name", "event_name", "url", "status", "attempt_count"]
    list_filter = ["status", "event_name"]
    search_fields = ["url", "rule_name"]
    exclude = ["secret"]
    inlines = [WebhookAttemptInline]


# --- routing ------------------------------------------------------------------------------


class CategoryRoutingInline(admin.TabularInline):
    model = CategoryRouting
    extra = 1
    fields = ["category", "strategy"]


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(admin.ModelAdmin):
    """The one settings row; writes go through `routing_settings_update` (audited)."""

    list_display = ["strategy", "previous_agent", "priority_first", "reroute_when_offline"]
    fields = ["strategy", "previous_agent", "priority_first", "reroute_when_offline"]
    inlines = [CategoryRoutingInline]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not RoutingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        routing_settings_get()
        saved = routing_settings_update(
            actor=request.user, **{name: form.cleaned_data[name] for name in self.fields}
        )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        rows = []
        for formset in formsets:
            for data in formset.cleaned_data:
                if data and not data.get("DELETE") and data.get("category"):
                    rows.append({"category": data["category"], "strategy": data["strategy"]})
        routing_settings_update(actor=request.user, categories=rows)
