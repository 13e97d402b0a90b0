from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from panel1.privacy.models import DataExport, Erasure
from panel1.privacy.selectors import export_download_path


class EmailSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class ErasureRequestSerializer(EmailSerializer):
    confirm = serializers.BooleanField(
        required=True, help_text=gettext_lazy("Must be true: an erasure cannot be undone.")
    )

    def validate_confirm(self, value):
        if value is not True:
            raise serializers.ValidationError(_("Confirm the erasure: it cannot be undone."))
        return value


class DataExportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    subject = serializers.UUIDField(source="subject_id", read_only=True)

    class Meta:
        model = DataExport
        fields = [
            "id",
            "status",
            "download_url",
            "subject",
            "source",
            "size",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
        ]

    def get_download_url(self, export) -> str | None:
        url = export_download_path(export)
        if url is None:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ErasureSerializer(serializers.ModelSerializer):
    subject = serializers.UUIDField(source="subject_id", read_only=True)

    class Meta:
        model = Erasure
        fields = [
            "id",
            "status",
            "subject",
            "source",
            "counts",
            "error",
            "created_at",
            "finished_at",
        ]
