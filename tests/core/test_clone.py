"""The lean clone gives a schema identical to a migrated one (compared catalog by catalog)."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from panel1.tenants import clone
from panel1.tenants.models import Tenant
from panel1.tenants.services import ensure_template_schema, tenant_provision

pytestmark = pytest.mark.slow

CATALOG_QUERIES = {
    "relations": """
        SELECT relname, relkind, relpersistence, reloptions FROM pg_class
        WHERE relnamespace = %(nsp)s AND relkind IN ('r', 'p', 'v', 'm', 'S', 'i')
        ORDER BY relname""",
    # Positions, not attnum: a migrated table keeps the slots of dropped columns.
    "columns": """
        SELECT c.relname, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname,
               format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
               a.attgenerated, pg_get_expr(d.adbin, d.adrelid),
               a.attcollation::regcollation::text
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = %(nsp)s AND c.relkind IN ('r', 'v') AND a.attnum > 0
              AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum""",
    "constraints": """
        SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
               con.condeferrable, con.condeferred, con.convalidated, con.confupdtype,
               con.confdeltype
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        WHERE c.relnamespace = %(nsp)s ORDER BY c.relname, con.conname""",
    "indexes": """
        SELECT c.relname, ic.relname, replace(pg_get_indexdef(i.indexrelid),
               ' ON ' || quote_ident(%(schema)s) || '.', ' ON '), i.indisprimary, i.indisunique
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE c.relnamespace = %(nsp)s ORDER BY c.relname, ic.relname""",
    "sequences": """
        SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
               s.seqmax, s.seqcache, s.seqcycle, pg_sequence_last_value(c.oid),
               dep.deptype, t.relname, a.attname
        FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid
        LEFT JOIN pg_depend dep ON dep.objid = c.oid AND dep.classid = 'pg_class'::regclass
             AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
        LEFT JOIN pg_class t ON t.oid = dep.refobjid
        LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
        WHERE c.relnamespace = %(nsp)s ORDER BY c.relname""",
    "triggers": """
        SELECT c.relname, t.tgname, t.tgenabled, replace(pg_get_triggerdef(t.oid),
               ' ON ' || quote_ident(%(schema)s) || '.', ' ON ')
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = %(nsp)s AND NOT t.tgisinternal ORDER BY c.relname, t.tgname""",
    "functions": """
        SELECT proname, prokind, pg_get_function_identity_arguments(oid), prorettype::regtype,
               provolatile, prosrc
        FROM pg_proc WHERE pronamespace = %(nsp)s ORDER BY proname""",
    "views": """
        SELECT relname, pg_get_viewdef(oid) FROM pg_class
        WHERE relnamespace = %(nsp)s AND relkind = 'v' ORDER BY relname""",
    "comments": """
        SELECT c.relname, d.objsubid, d.description FROM pg_description d
        JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
        WHERE c.relnamespace = %(nsp)s ORDER BY 1, 2""",
}
REFERENCE_ROWS = {
    "migrations": "SELECT app, name FROM django_migrations ORDER BY app, name",
    "content types": "SELECT id, app_label, model FROM django_content_type ORDER BY id",
    "permissions": "SELECT id, content_type_id, codename, name FROM auth_permission ORDER BY id",
}


def canonical_expression(definition: str) -> str:
    """An index definition without the casts and parentheses PostgreSQL's deparser adds.

    PostgreSQL parses a partial index's predicate again when the clone creates it and deparses
    the same condition with its casts moved (`ANY ((ARRAY['a'::varchar])::text[])` becomes
    `ANY (ARRAY[('a'::varchar)::text])`): equal as conditions, different as text.
    """
    without_casts = re.sub(r"::[a-z ]+(\[\])?", "", definition)
    return re.sub(r"[()\s]", "", without_casts)


def catalog_snapshot(schema: str, *, reference_rows: bool = True) -> dict[str, list[tuple]]:
    """Everything that makes up `schema`, deparsed with only `schema` on the search path."""
    snapshot = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
        params = {"nsp": cursor.fetchone()[0], "schema": schema}
        cursor.execute(f"SET search_path = {clone.qn(schema)}")
        try:
            for key, sql in CATALOG_QUERIES.items():
                cursor.execute(sql, params)
                snapshot[key] = cursor.fetchall()
            snapshot["indexes"] = [
                (*row[:2], canonical_expression(row[2]), *row[3:]) for row in snapshot["indexes"]
            ]
            for key, sql in (REFERENCE_ROWS if reference_rows else {}).items():
                cursor.execute(sql)
                snapshot[key] = cursor.fetchall()
        finally:
            connection.set_schema_to_public()
            cursor.execute("SET search_path = public")
    return snapshot


def assert_same(left: dict, right: dict) -> None:
    assert left.keys() == right.keys()
    for key in left:
        ours, theirs = set(map(repr, left[key])), set(map(repr, right[key]))
        missing, extra = sorted(theirs - ours)[:5], sorted(ours - theirs)[:5]
        assert left[key] == right[key], f"{key}: missing {missing}, extra {extra}"


@pytest.fixture
def schemas(session_tenants, django_db_blocker):
    """Names of schemas the test creates; dropped afterwards."""
    created: list[str] = []
    with django_db_blocker.unblock():
        yield created
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            for schema in created:
                cursor.execute(f"DROP SCHEMA IF EXISTS {clone.qn(schema)} CASCADE")
        Tenant.objects.filter(schema_name__in=created).delete()


def test_clone_is_identical_to_a_migrated_schema(schemas):
    ensure_template_schema()
    schemas += ["t_cloned", "t_migrated"]
    clone.clone_template_schema(template=settings.TENANT_BASE_SCHEMA, schema_name="t_cloned")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA t_migrated")
    call_command(
        "migrate_schemas", tenant=True, schema_name="t_migrated", interactive=False, verbosity=0
    )
    connection.set_schema_to_public()
    cloned, migrated = catalog_snapshot("t_cloned"), catalog_snapshot("t_migrated")
    assert len(cloned["relations"]) > 100 and len(cloned["constraints"]) > 100
    assert cloned["migrations"] and cloned["content types"] and cloned["permissions"]
    assert_same(cloned, migrated)


def test_clone_copies_functions_triggers_sequences_views_and_generated_columns(schemas):
    schemas += ["t_tmpl_x", "t_tmpl_x_copy"]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE SCHEMA t_tmpl_x;
            SET search_path = t_tmpl_x;
            CREATE TABLE django_migrations (id bigint GENERATED BY DEFAULT AS IDENTITY
                PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL);
            INSERT INTO django_migrations (app, name) VALUES ('x', '0001'), ('x', '0002');
            CREATE SEQUENCE legacy_seq START 10 INCREMENT 5;
            CREATE TABLE parent (id serial PRIMARY KEY, code text COLLATE "C" UNIQUE,
                n integer DEFAULT nextval('legacy_seq') CHECK (n > 0),
                doubled integer GENERATED ALWAYS AS (n * 2) STORED,
                tenant_id bigint REFERENCES public.tenants_tenant (id) DEFERRABLE)
                WITH (fillfactor = 80);
            CREATE TABLE child (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                parent_id integer NOT NULL REFERENCES parent (id) ON DELETE CASCADE,
                touched timestamptz);
            CREATE INDEX child_touched_partial ON child (touched) WHERE touched IS NOT NULL;
            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;
            CREATE TRIGGER child_touch BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch();
            CREATE VIEW parent_codes AS SELECT p.code, count(c.id) AS children
                FROM parent p LEFT JOIN child c ON c.parent_id = p.id GROUP BY p.code;
            COMMENT ON TABLE parent IS 'parents';
            COMMENT ON COLUMN child.touched IS 'set by the trigger';
            INSERT INTO parent (code) VALUES ('a'), ('b');
            SELECT nextval('legacy_seq');
            """
        )
    connection.set_schema_to_public()
    clone.clone_template_schema(template="t_tmpl_x", schema_name="t_tmpl_x_copy")
    original = catalog_snapshot("t_tmpl_x", reference_rows=False)
    copy = catalog_snapshot("t_tmpl_x_copy", reference_rows=False)
    assert_same(copy, original)
    assert [row[1] for row in copy["triggers"]] == ["child_touch"]
    with connection.cursor() as cursor:
        # References bind to the copy: the FK, the trigger's table, the default's sequence.
        cursor.execute("SET search_path = t_tmpl_x_copy")
        cursor.execute("INSERT INTO child (parent_id) VALUES (1) RETURNING id")
        cursor.execute("UPDATE child SET parent_id = 2 RETURNING touched")
        assert cursor.fetchone()[0] is not None
        cursor.execute("INSERT INTO parent (code) VALUES ('c') RETURNING id, n, doubled")
        assert cursor.fetchone() == (3, 25, 50)
        cursor.execute("SELECT count(*) FROM t_tmpl_x.child")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SET search_path = public")


def test_clone_fails_whole_when_a_statement_fails(schemas, monkeypatch):
    ensure_template_schema()
    plan = clone.clone_plan(template=settings.TENANT_BASE_SCHEMA)
    broken = clone.ClonePlan(plan.template, plan.fingerprint, (*plan.statements, "SELECT 1/0"))
    monkeypatch.setitem(clone._plans, plan.template, broken)
    with pytest.raises(Exception, match="division by zero"):
        clone.clone_template_schema(template=plan.template, schema_name="t_half")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 't_half'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SHOW search_path")
        assert "t_half" not in cursor.fetchone()[0]


def test_provisioning_clones_without_replaying_migrations(schemas, monkeypatch):
    import django_tenants.models

    def no_migrate(*args, **kwargs):
        raise AssertionError(f"provisioning ran a command: {args}")

    ensure_template_schema()
    monkeypatch.setattr(django_tenants.models, "call_command", no_migrate)
    schemas.append("t_lean")
    result = tenant_provision(
        schema_name="t_lean", domain="lean.test.localhost", name="Lean", admin_email="a@lean.test"
    )
    assert result.created and "default SLA profile" in result.changes
    assert (
        catalog_snapshot("t_lean")["migrations"]
        == catalog_snapshot(settings.TENANT_BASE_SCHEMA)["migrations"]
    )


def test_foreign_keys_are_declared_in_create_table_except_cycles_and_tables_with_rows(schemas):
    schemas += ["t_tmpl_fk", "t_tmpl_fk_copy"]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE SCHEMA t_tmpl_fk;
            SET search_path = t_tmpl_fk;
            CREATE TABLE django_migrations (id bigint GENERATED BY DEFAULT AS IDENTITY
                PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL);
            INSERT INTO django_migrations (app, name) VALUES ('x', '0001');
            -- created before the table it references
            CREATE TABLE early (id serial PRIMARY KEY, late_id integer);
            CREATE TABLE late (id serial PRIMARY KEY, parent_id integer REFERENCES late (id));
            ALTER TABLE early ADD CONSTRAINT early_late FOREIGN KEY (late_id) REFERENCES late (id);
            -- a cycle
            CREATE TABLE ping (id serial PRIMARY KEY, pong_id integer);
            CREATE TABLE pong (id serial PRIMARY KEY, ping_id integer REFERENCES ping (id)
                DEFERRABLE INITIALLY DEFERRED);
            ALTER TABLE ping ADD CONSTRAINT ping_pong FOREIGN KEY (pong_id) REFERENCES pong (id)
                DEFERRABLE INITIALLY DEFERRED;
            -- rows to copy, a deferred key and an index on the same table
            CREATE TABLE kind (id serial PRIMARY KEY, label text);
            CREATE TABLE item (id serial PRIMARY KEY, kind_id integer NOT NULL
                REFERENCES kind (id) DEFERRABLE INITIALLY DEFERRED);
            CREATE INDEX item_kind ON item (kind_id);
            INSERT INTO kind (label) VALUES ('k');
            INSERT INTO item (kind_id) VALUES (1), (1);
            """
        )
    connection.set_schema_to_public()
    statements = clone.clone_plan(template="t_tmpl_fk").statements
    later = sorted(s.split(" ADD CONSTRAINT ")[1].split()[0] for s in statements if " ADD " in s)
    # ping comes first by name, so its key into the cycle waits; item's rows are copied.
    assert later == ['"item_kind_id_fkey"', '"ping_pong"']
    clone.clone_template_schema(template="t_tmpl_fk", schema_name="t_tmpl_fk_copy")
    original = catalog_snapshot("t_tmpl_fk", reference_rows=False)
    copy = catalog_snapshot("t_tmpl_fk_copy", reference_rows=False)
    assert_same(copy, original)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t_tmpl_fk_copy.item")
        assert cursor.fetchone()[0] == 2
        cursor.execute("SET search_path = t_tmpl_fk_copy")
        with pytest.raises(IntegrityError, match="early_late"), transaction.atomic():
            cursor.execute("INSERT INTO early (late_id) VALUES (42)")
        cursor.execute("SET search_path = public")
