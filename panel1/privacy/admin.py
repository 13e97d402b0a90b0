from django.contrib import admin
from django.utils.html import format_html

from panel1.privacy.models import DataExport, Erasure
from panel1.privacy.selectors import export_download_path


class _ReadOnly(admin.ModelAdmin):
    """Requests are made through services (API, desk, portal, the user list's action)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataExport)
class DataExportAdmin(_ReadOnly):
    list_display = ("created_at", "subject_id", "status", "source", "size", "download")
    list_filter = ("status", "source")

    @admin.display(description="Download")
    def download(self, export):
        url = export_download_path(export)
        return format_html('<a href="{}">ZIP</a>', url) if url else "—"


@admin.register(Erasure)
class ErasureAdmin(_ReadOnly):
    list_display = ("created_at", "subject_id", "status", "source", "finished_at")
    list_filter = ("status", "source")
