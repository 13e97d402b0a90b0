from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from panel1.accounts.models import User
from panel1.audit.models import AuditEntry
from panel1.core.admin import platform_admin_site


class ReadOnlyAuditAdmin(admin.ModelAdmin):
    """Read-only: the log is written by services, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAuditAdmin):
    list_display = ("created_at", "actor_label", "action", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("actor_label", "action", "target_id")
    date_hierarchy = "created_at"


@admin.register(AuditEntry, site=platform_admin_site)
class PlatformAuditEntryAdmin(ReadOnlyAuditAdmin):
    """The platform's own log (the public schema's table): tenants created and deleted,
    platform sign-ins and failed sign-ins, platform users' changes and platform admin actions.
    Platform admins only (the platform site requires a superuser)."""

    list_display = ("created_at", "actor", "action", "target_type", "target_id", "ip")
    list_filter = ("action", "target_type")
    search_fields = ("action", "target_id", "details")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # The platform user's current email, read at display time (rows keep ids only).
        email = User.objects.filter(pk=OuterRef("actor_id")).values("email")[:1]
        return super().get_queryset(request).annotate(actor_email=Subquery(email))

    @admin.display(description=_("actor"))
    def actor(self, entry):
        return entry.actor_email or entry.actor_label or "system"
