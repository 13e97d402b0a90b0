"""Append-only in the database: a trigger refuses UPDATE and DELETE on the audit log.

A tenant-app migration, so it runs in every tenant schema (and the template schema new
tenants are cloned from; the clone copies triggers). The function lives in `public` so each
schema's trigger calls the same code; CREATE OR REPLACE keeps every run idempotent.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION public.panel1_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % refused on %.%',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

TRIGGER = """
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION public.panel1_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_request_fields")]

    operations = [
        migrations.RunSQL(
            FUNCTION + TRIGGER,
            reverse_sql="DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;",
        )
    ]
