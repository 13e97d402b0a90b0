from rest_framework import serializers

from panel1.audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "action",
            "actor",
            "ip",
            "user_agent",
            "target",
            "details",
            "created_at",
        ]

    def get_actor(self, entry) -> str:
        from panel1.audit.selectors import audit_actor_display

        return audit_actor_display(entry, self.context.get("actor_names", {}))

    def get_target(self, entry) -> dict | None:
        if not entry.target_type:
            return None
        return {"type": entry.target_type, "id": entry.target_id}


class AuditFilterSerializer(serializers.Serializer):
    action = serializers.CharField(required=False, allow_blank=True, max_length=100)
    actor = serializers.CharField(required=False, allow_blank=True, max_length=254)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
