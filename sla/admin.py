"""Admin: profiles are validated and saved through the same services as the API; the
ticket SLA state is read-only (it is derived from the ticket's history)."""

from django import forms
from django.contrib import admin, messages

from panel1.exceptions import DomainError
from sla import services
from sla.models import SlaProfile, TicketSLA
from sla.services.profiles import PROFILE_FIELDS


class SlaProfileForm(forms.ModelForm):
    class Meta:
        model = SlaProfile
        fields = list(PROFILE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        fields = {name: cleaned.get(name) for name in PROFILE_FIELDS}
        try:
            services.sla_profile_clean(fields, profile=self.instance if self.instance.pk else None)
        except DomainError as exc:
            for field, problems in exc.errors.items():
                self.add_error(field if field in self.fields else None, problems)
        return cleaned


@admin.register(SlaProfile)
class SlaProfileAdmin(admin.ModelAdmin):
    form = SlaProfileForm
    list_display = [
        "name",
        "is_default",
        "first_response_time",
        "next_response_time",
        "resolution_time",
        "priorities",
        "updated_at",
    ]
    filter_horizontal = ["categories"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in PROFILE_FIELDS}
        if change:
            saved = services.sla_profile_update(profile=obj, actor=request.user, **data)
        else:
            saved = services.sla_profile_create(actor=request.user, **data)
        form.instance = saved
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # The service saved the categories already; only inline formsets remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False  # one profile is always the default
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.sla_profile_delete(profile=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for profile in queryset:
            try:
                services.sla_profile_delete(profile=profile, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{profile}: {exc}", level=messages.ERROR)


@admin.register(TicketSLA)
class TicketSLAAdmin(admin.ModelAdmin):
    list_display = [
        "ticket",
        "profile_name",
        "first_response_due_at",
        "resolution_due_at",
        "first_response_breached",
        "resolution_breached",
        "paused",
        "is_closed",
    ]
    list_filter = ["first_response_breached", "resolution_breached", "paused", "is_closed"]
    list_select_related = ["ticket"]
    search_fields = ["ticket__number"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
