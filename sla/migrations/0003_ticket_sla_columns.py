"""The ticket's SLA columns (`Ticket.sla_next_due_at`, `sla_breached`, `sla_at_risk`) follow
its SLA row in the statement that changes the row: a trigger on `sla_ticketsla`.

Every write of an SLA row goes through it: the ticket services' in-transaction subscribers,
the monitor's conditional UPDATEs, the profile re-derivation's batches, bulk inserts. The
ticket row is written only when one of the three values changes (the UPDATE trigger's WHEN
and the UPDATE's own condition), so escalation claims and clock logs leave it alone. Writing
the ticket row takes its lock: every path that changes an SLA row holds its ticket's lock
first (the fixed order, ticket then SLA) or skips tickets it cannot lock (the monitor).

A tenant-app migration, so it runs in every tenant schema (and the template schema new
tenants are cloned from; the clone copies triggers). The function lives in `public` so each
schema's trigger calls the same code; it updates the tickets of the schema whose SLA row
changed. CREATE OR REPLACE keeps every run idempotent. Then the existing rows are copied.
"""

from django.db import migrations

# LEAST ignores NULLs: the nearest due time of a target still pending (a met first response
# or resolution keeps its due time on the row), NULL when none is; as `ticket_sla_next_due`
# computed it from the row before.
NEXT_DUE = (
    "LEAST(CASE WHEN {s}.first_responded_at IS NULL THEN {s}.first_response_due_at END, "
    "{s}.next_response_due_at, "
    "CASE WHEN {s}.resolved_at IS NULL THEN {s}.resolution_due_at END)"
)
BREACHED = (
    "({s}.first_response_breached OR {s}.next_response_breached OR {s}.resolution_breached)"
)
# At risk and not (yet) breached, target by target: once breached, a ticket is listed as
# breached.
AT_RISK = (
    "(({s}.first_response_at_risk AND NOT {s}.first_response_breached) "
    "OR ({s}.next_response_at_risk AND NOT {s}.next_response_breached) "
    "OR ({s}.resolution_at_risk AND NOT {s}.resolution_breached))"
)
WATCHED = (
    "ticket_id",
    "first_response_due_at",
    "first_responded_at",
    "first_response_at_risk",
    "first_response_breached",
    "next_response_due_at",
    "next_response_at_risk",
    "next_response_breached",
    "resolution_due_at",
    "resolved_at",
    "resolution_at_risk",
    "resolution_breached",
)

# Every tenant schema's run replaces the one shared function: schemas migrated in parallel
# (`EXECUTOR=multiprocessing`) would replace it at once, which PostgreSQL refuses ("tuple
# concurrently updated"), so each run holds a lock of its own until its commit.
FUNCTION_LOCK = 0x70616E656C31  # "panel1"
FUNCTION = f"""
SELECT pg_advisory_xact_lock({FUNCTION_LOCK});
CREATE OR REPLACE FUNCTION public.panel1_sla_ticket_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    next_due timestamptz;
    breached boolean;
    at_risk boolean;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND (TG_OP = 'DELETE' OR OLD.ticket_id <> NEW.ticket_id)
    THEN
        EXECUTE format(
            'UPDATE %I.tickets_ticket SET sla_next_due_at = NULL, sla_breached = false, '
            'sla_at_risk = false WHERE id = $1 AND (sla_next_due_at IS NOT NULL '
            'OR sla_breached OR sla_at_risk)',
            TG_TABLE_SCHEMA
        ) USING OLD.ticket_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        next_due := {NEXT_DUE.format(s="NEW")};
        breached := {BREACHED.format(s="NEW")};
        at_risk := {AT_RISK.format(s="NEW")};
        IF current_schema() = TG_TABLE_SCHEMA THEN
            -- The usual case (the tenant's schema first on the search path): a statement
            -- whose plan the session keeps (PostgreSQL plans it again when the path
            -- changes); EXECUTE would plan it anew on every row.
            UPDATE tickets_ticket SET sla_next_due_at = next_due, sla_breached = breached,
                sla_at_risk = at_risk
            WHERE id = NEW.ticket_id
                AND (sla_next_due_at, sla_breached, sla_at_risk)
                    IS DISTINCT FROM (next_due, breached, at_risk);
        ELSE
            EXECUTE format(
                'UPDATE %I.tickets_ticket SET sla_next_due_at = $2, sla_breached = $3, '
                'sla_at_risk = $4 WHERE id = $1 AND (sla_next_due_at, sla_breached, '
                'sla_at_risk) IS DISTINCT FROM ($2, $3, $4)',
                TG_TABLE_SCHEMA
            ) USING NEW.ticket_id, next_due, breached, at_risk;
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
"""

# One flat OR (a row comparison would parse to nested ORs, which the template schema's clone
# re-creates flat from the trigger's definition: the schemas would differ in the catalog).
_CHANGED = " OR ".join(f"OLD.{name} IS DISTINCT FROM NEW.{name}" for name in WATCHED)
TRIGGER = f"""
DROP TRIGGER IF EXISTS sla_ticketsla_ticket_columns ON sla_ticketsla;
CREATE TRIGGER sla_ticketsla_ticket_columns
    AFTER INSERT OR DELETE ON sla_ticketsla
    FOR EACH ROW EXECUTE FUNCTION public.panel1_sla_ticket_columns();
DROP TRIGGER IF EXISTS sla_ticketsla_ticket_columns_update ON sla_ticketsla;
CREATE TRIGGER sla_ticketsla_ticket_columns_update
    AFTER UPDATE ON sla_ticketsla
    FOR EACH ROW WHEN ({_CHANGED})
    EXECUTE FUNCTION public.panel1_sla_ticket_columns();
"""

BACKFILL = f"""
UPDATE tickets_ticket AS t
SET sla_next_due_at = {NEXT_DUE.format(s="s")}, sla_breached = {BREACHED.format(s="s")},
    sla_at_risk = {AT_RISK.format(s="s")}
FROM sla_ticketsla AS s
WHERE s.ticket_id = t.id;
"""

REVERSE = """
DROP TRIGGER IF EXISTS sla_ticketsla_ticket_columns ON sla_ticketsla;
DROP TRIGGER IF EXISTS sla_ticketsla_ticket_columns_update ON sla_ticketsla;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0002_recurring_holidays"),
        ("tickets", "0017_ticket_sla_columns"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION + TRIGGER, reverse_sql=REVERSE),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
