"""The load-delta trigger (0016) without a planning per row, and not called when nothing it
counts changed.

0016's function built its INSERT as text and ran it with EXECUTE (so the row goes into the
schema of the ticket table it fires on): PostgreSQL parses and plans such a statement on
every call, ~0.2 ms of every ticket write that changes a load (a routed creation, every
assignment). Now, when the ticket's schema leads the search path (the tenant's own writes:
the usual case), the INSERT is a plain statement whose plan the session keeps (PostgreSQL
plans it again when the path changes); EXECUTE stays for a write made under another path.
The triggers say in their WHEN when there is nothing to count (an unassigned new ticket, an
update that changed none of assignee, status and priority), so the function is not called.
"""

from importlib import import_module

from django.db import migrations

BASE = import_module("tickets.migrations.0016_agent_load_delta")
OPEN, WEIGHT = BASE.OPEN, BASE.WEIGHT
COLUMNS = "(agent_id, tickets, load, compacted)"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION ticket_open_load_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before_agent uuid;
    before_load integer := 0;
    after_agent uuid;
    after_load integer := 0;
    target text;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.assignee_id IS NOT NULL AND OLD.status = ANY({OPEN}) THEN
        before_agent := OLD.assignee_id;
        before_load := {WEIGHT.format(row="OLD")};
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.assignee_id IS NOT NULL AND NEW.status = ANY({OPEN}) THEN
        after_agent := NEW.assignee_id;
        after_load := {WEIGHT.format(row="NEW")};
    END IF;
    IF before_agent IS NOT DISTINCT FROM after_agent AND before_load = after_load THEN
        RETURN NULL;
    END IF;
    IF current_schema() = TG_TABLE_SCHEMA THEN
        IF before_agent IS NOT NULL THEN
            INSERT INTO tickets_agentloaddelta {COLUMNS}
                VALUES (before_agent, -1, -before_load, false);
        END IF;
        IF after_agent IS NOT NULL THEN
            INSERT INTO tickets_agentloaddelta {COLUMNS}
                VALUES (after_agent, 1, after_load, false);
        END IF;
        RETURN NULL;
    END IF;
    target := format('%I.tickets_agentloaddelta', TG_TABLE_SCHEMA);
    IF before_agent IS NOT NULL THEN
        EXECUTE 'INSERT INTO ' || target || ' {COLUMNS} VALUES ($1, -1, $2, false)'
            USING before_agent, -before_load;
    END IF;
    IF after_agent IS NOT NULL THEN
        EXECUTE 'INSERT INTO ' || target || ' {COLUMNS} VALUES ($1, 1, $2, false)'
            USING after_agent, after_load;
    END IF;
    RETURN NULL;
END
$$;
"""

# Flat ORs (a row comparison would parse to nested ones, which the template schema's clone
# re-creates flat from the trigger's definition: the schemas would differ in the catalog).
_CHANGED = " OR ".join(
    f"OLD.{name} IS DISTINCT FROM NEW.{name}" for name in ("assignee_id", "status", "priority")
)
TRIGGERS = f"""
DROP TRIGGER ticket_open_load_delta ON tickets_ticket;
CREATE TRIGGER ticket_open_load_delta_insert AFTER INSERT ON tickets_ticket
    FOR EACH ROW WHEN (NEW.assignee_id IS NOT NULL)
    EXECUTE FUNCTION ticket_open_load_delta();
CREATE TRIGGER ticket_open_load_delta_update
    AFTER UPDATE OF assignee_id, status, priority ON tickets_ticket
    FOR EACH ROW WHEN ({_CHANGED})
    EXECUTE FUNCTION ticket_open_load_delta();
CREATE TRIGGER ticket_open_load_delta_delete AFTER DELETE ON tickets_ticket
    FOR EACH ROW WHEN (OLD.assignee_id IS NOT NULL)
    EXECUTE FUNCTION ticket_open_load_delta();
"""

# Back to 0016's function and single trigger.
REVERSE = (
    """
DROP TRIGGER ticket_open_load_delta_insert ON tickets_ticket;
DROP TRIGGER ticket_open_load_delta_update ON tickets_ticket;
DROP TRIGGER ticket_open_load_delta_delete ON tickets_ticket;
"""
    + BASE.TRIGGER.split("INSERT INTO tickets_agentloaddelta (agent_id")[0].replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
    )
)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0018_open_queue_indexes"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION + TRIGGERS, REVERSE),
    ]
