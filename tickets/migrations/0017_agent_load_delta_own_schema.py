"""The load-delta trigger writes into the schema of the ticket table it fires on
(`TG_TABLE_SCHEMA`), not into whatever `tickets_agentloaddelta` the session's search path
finds first: a write to one tenant's tickets made under another search path can never put
a row into another tenant's table."""

import importlib

from django.db import migrations

_0016 = importlib.import_module("tickets.migrations.0016_agent_load_delta")
OPEN, WEIGHT = _0016.OPEN, _0016.WEIGHT

FUNCTION = f"""
CREATE OR REPLACE FUNCTION ticket_open_load_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before_agent uuid;
    before_load integer := 0;
    after_agent uuid;
    after_load integer := 0;
    target text := format('%I.tickets_agentloaddelta', TG_TABLE_SCHEMA);
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
    IF before_agent IS NOT NULL THEN
        EXECUTE 'INSERT INTO ' || target || ' (agent_id, tickets, load, compacted) VALUES ($1, -1, $2, false)'
            USING before_agent, -before_load;
    END IF;
    IF after_agent IS NOT NULL THEN
        EXECUTE 'INSERT INTO ' || target || ' (agent_id, tickets, load, compacted) VALUES ($1, 1, $2, false)'
            USING after_agent, after_load;
    END IF;
    RETURN NULL;
END
$$;
"""
# Back to 0016's function (the search path's table).
PREVIOUS = _0016.TRIGGER.split("CREATE TRIGGER")[0].replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0016_agent_load_delta"),
    ]

    operations = [migrations.RunSQL(FUNCTION, PREVIOUS)]
