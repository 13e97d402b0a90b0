"""Admin for the desk's configuration: canned responses and saved views.

Saving and deleting go through `desk.services`, like every other write of these rows.
"""

from django.contrib import admin

from desk import services
from desk.models import CannedResponse, DeskSettings, SavedView
from desk.notifications import desk_settings_update

CANNED_FIELDS = ["title", "shortcut", "content", "category", "owner", "actions", "is_active"]
SAVED_VIEW_FIELDS = ["name", "owner", "is_shared", "filters", "ordering", "position"]


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "shortcut",
        "category",
        "owner",
        "is_active",
        "usage_count",
        "updated_at",
    ]
    list_filter = ["is_active", "category"]
    search_fields = ["title", "shortcut", "content"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["usage_count", "created_at", "updated_at"]
    fields = [*CANNED_FIELDS, *readonly_fields]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in CANNED_FIELDS}
        if change:
            services.canned_response_update(response=obj, actor=request.user, **values)
        else:
            saved = services.canned_response_create(actor=request.user, **values)
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.canned_response_delete(response=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for response in queryset:
            services.canned_response_delete(response=response, actor=request.user)


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_shared", "ordering", "position", "updated_at"]
    list_filter = ["is_shared"]
    search_fields = ["name", "owner__email"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [*SAVED_VIEW_FIELDS, *readonly_fields]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in SAVED_VIEW_FIELDS}
        if change:
            services.saved_view_update(view=obj, actor=request.user, **values)
        else:
            saved = services.saved_view_create(actor=request.user, **values)
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.saved_view_delete(view=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for view in queryset:
            services.saved_view_delete(view=view, actor=request.user)


@admin.register(DeskSettings)
class DeskSettingsAdmin(admin.ModelAdmin):
    """The tenant's desk options (one row; saved through the service, audited)."""

    list_display = ["__str__", "assign_on_reply", "updated_at"]
    fields = ["assign_on_reply"]

    def has_add_permission(self, request):
        return not DeskSettings.objects.exists()

    def save_model(self, request, obj, form, change):
        saved = desk_settings_update(
            actor=request.user, assign_on_reply=form.cleaned_data["assign_on_reply"]
        )
        obj.pk = saved.pk
