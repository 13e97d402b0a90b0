"""What schema-based sharding (Citus) or tenants pinned to several databases rely on: a tenant
schema references only itself (and, at most, small public reference tables).

Citus distributes whole tenant schemas across nodes; a foreign key or join from a tenant
table to a public table other than a replicated reference table would not survive that.
"""

from django.apps import apps
from django.conf import settings
from django.db import connection
from django_tenants.utils import get_tenant_model

# Public tables tenant tables may reference (to be replicated to every node as Citus
# reference tables). None today: keep it that way, or add the table here and to the docs.
ALLOWED_PUBLIC_REFERENCES: set[str] = set()


def _labels(app_paths: list[str]) -> set[str]:
    return {config.label for config in apps.get_app_configs() if config.name in app_paths}


def _schema_of_every_model():
    tenant_labels, shared_labels = _labels(settings.TENANT_APPS), _labels(settings.SHARED_APPS)
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.app_label
        yield model, label in tenant_labels, label in shared_labels


def test_no_tenant_model_points_at_a_public_only_model():
    public_only = {m for m, in_tenant, in_shared in _schema_of_every_model() if not in_tenant}
    offending = []
    for model, in_tenant, _ in _schema_of_every_model():
        if not in_tenant:
            continue
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if field.is_relation and field.concrete and target in public_only:
                table = target._meta.db_table
                if table not in ALLOWED_PUBLIC_REFERENCES:
                    offending.append(f"{model._meta.label}.{field.name} -> {table}")
    assert offending == []
    assert get_tenant_model() in public_only  # the check would see such a field


def test_no_foreign_key_in_a_tenant_schema_leaves_it(tenant):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT con.conname, ref_ns.nspname || '.' || ref.relname
            FROM pg_constraint con
            JOIN pg_class rel ON rel.oid = con.conrelid
            JOIN pg_class ref ON ref.oid = con.confrelid
            JOIN pg_namespace ref_ns ON ref_ns.oid = ref.relnamespace
            WHERE con.contype = 'f' AND rel.relnamespace = %s::regnamespace
              AND ref.relnamespace <> rel.relnamespace
            """,
            [tenant.schema_name],
        )
        leaving = [
            row
            for row in cursor.fetchall()
            if row[1].split(".", 1)[1] not in ALLOWED_PUBLIC_REFERENCES
        ]
        cursor.execute(
            "SELECT count(*) FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid "
            "WHERE con.contype = 'f' AND rel.relnamespace = %s::regnamespace",
            [tenant.schema_name],
        )
        assert cursor.fetchone()[0] > 50  # the query does see the schema's foreign keys
    assert leaving == []
