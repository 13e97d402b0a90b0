"""Admin for the desk's configuration: canned responses and saved views."""

from django.contrib import admin

from desk.models import CannedResponse, SavedView


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
    fields = ["title", "shortcut", "content", "category", "owner", "is_active", *readonly_fields]


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_shared", "ordering", "position", "updated_at"]
    list_filter = ["is_shared"]
    search_fields = ["name", "owner__email"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
