from rest_framework import serializers

from panel1.accounts.models import User


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    tenant = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "language", "timezone", "tenant"]
        read_only_fields = fields

    def get_tenant(self, user) -> dict:
        tenant = self.context["request"].tenant
        return {"schema": tenant.schema_name, "name": tenant.brand_name}
