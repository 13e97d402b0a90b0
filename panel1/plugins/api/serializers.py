from rest_framework import serializers

from panel1.plugins.base import PERMISSIONS


class PluginSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    version = serializers.CharField(source="plugin.version", read_only=True)
    description = serializers.CharField(source="plugin.description", read_only=True)
    author = serializers.CharField(source="plugin.author", read_only=True)
    permissions = serializers.ListField(
        child=serializers.CharField(), source="plugin.permissions", read_only=True
    )
    permission_labels = serializers.SerializerMethodField()
    enabled = serializers.BooleanField(read_only=True)
    forbidden = serializers.BooleanField(read_only=True)
    hooks = serializers.SerializerMethodField()
    slots = serializers.SerializerMethodField()
    failure_count = serializers.IntegerField(read_only=True)
    last_error = serializers.CharField(read_only=True)
    disabled_reason = serializers.CharField(read_only=True)

    def get_permission_labels(self, row) -> dict[str, str]:
        return {p: PERMISSIONS.get(p, p) for p in row.plugin.permissions}

    def get_hooks(self, row) -> list[str]:
        return sorted(row.plugin.hooks)

    def get_slots(self, row) -> list[str]:
        return sorted(row.plugin.slots)
