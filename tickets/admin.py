from django.contrib import admin

from tickets.models import (
    AgentProfile,
    Attachment,
    Category,
    Message,
    SatisfactionRating,
    SurveySettings,
    Ticket,
    TicketEvent,
)
from tickets.services.categories import (
    AGENT_PROFILE_FIELDS,
    CATEGORY_FIELDS,
    agent_profile_create,
    agent_profile_delete,
    agent_profile_update,
    category_create,
    category_delete,
    category_update,
)


class MessageInline(admin.StackedInline):
    model = Message
    fk_name = "ticket"
    extra = 0
    fields = ["message_type", "author", "content", "time_spent", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # replies go through the desk or the API (services), not raw rows


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ["created_at", "actor_label", "event", "field", "before", "after", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "subject",
        "status",
        "priority",
        "category",
        "requester",
        "assignee",
        "updated_at",
    ]
    list_filter = ["status", "priority", "channel", "category"]
    search_fields = ["number", "subject", "requester__email"]
    list_select_related = ["category", "requester", "assignee"]
    readonly_fields = [
        "number",
        "subject",
        "status",
        "priority",
        "category",
        "tags",
        "requester",
        "assignee",
        "channel",
        "escalation_level",
        "merged_into",
        "created_at",
        "updated_at",
        "first_responded_at",
        "resolved_at",
        "closed_at",
    ]
    exclude = ["cc", "related"]
    inlines = [MessageInline, TicketEventInline]
    date_hierarchy = "created_at"
    show_full_result_count = False  # COUNT(*) over a million rows on every page is wasteful

    def has_add_permission(self, request):
        return False  # tickets are created through services (desk, portal, API, email)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "color", "icon", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in CATEGORY_FIELDS}
        if change:
            saved = category_update(category=obj, actor=request.user, **values)
        else:
            saved = category_create(actor=request.user, **values)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        category_delete(category=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for category in queryset:
            category_delete(category=category, actor=request.user)


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "capacity", "skills", "languages"]
    list_filter = ["status", "categories"]
    filter_horizontal = ["categories"]
    search_fields = ["user__email", "user__name"]

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in AGENT_PROFILE_FIELDS}
        values["out_of_office"] = values["out_of_office"] or []
        if change:
            saved = agent_profile_update(profile=obj, actor=request.user, **values)
        else:
            saved = agent_profile_create(actor=request.user, **values)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # The categories were set by the service in save_model; there are no inlines.
        pass

    def delete_model(self, request, obj):
        agent_profile_delete(profile=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for profile in queryset:
            agent_profile_delete(profile=profile, actor=request.user)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "content_type", "size", "message", "created_at"]
    search_fields = ["filename", "sha256"]
    readonly_fields = ["message", "file", "filename", "size", "content_type", "sha256", "inline"]

    def has_add_permission(self, request):
        return False  # files arrive with messages (the acceptance pipeline), never bare


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    list_display = ["ticket", "score", "response_time", "solution", "team", "created_at"]
    list_filter = ["rating"]
    readonly_fields = ["ticket", "rating", "response_time", "solution", "team", "score", "comment"]

    def has_add_permission(self, request):
        return False  # ratings come from requesters (portal, survey links)


@admin.register(SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin):
    """One row: when to send the survey, when to remind, what counts as a low score."""

    list_display = ["__str__", "enabled", "delay_minutes", "reminder_after_hours"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SurveySettings.objects.exists()
