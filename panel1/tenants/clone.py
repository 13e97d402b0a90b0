"""Lean clone of the tenant template schema.

django-tenants' `clone_schema()` SQL function looks every object up by name in catalogs that
grow with each tenant, then `migrate_schemas --fake` replays the migration graph: provisioning
slows down as schemas accumulate. Here the template's objects are read once per process
(catalog queries keyed by the template's namespace and its table oids, all index lookups
except one pass over pg_class and pg_proc), turned into one script of DDL that names nothing
by schema, and that script runs with `search_path` set to the new schema, so every reference
between template objects (foreign keys, defaults, identity sequences, views) binds to the new
schema's copy and every reference outside it (public tables, pg_catalog) stays qualified.

Rows of tables that hold data in the template (django_migrations, content types,
permissions) are copied, so the clone needs no `migrate --fake`; sequences get the template's
values. The plan is cached per process and rebuilt when the template's recorded migrations
change (the only way the template changes: `ensure_template_schema` migrates it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db import connection, transaction

# The template may only hold objects this module knows how to copy; anything else fails loudly.
_SUPPORTED_RELKINDS = {"r", "S", "v", "i", "t", "c"}


class CloneError(Exception):
    pass


@dataclass(frozen=True)
class ClonePlan:
    template: str
    fingerprint: tuple
    statements: tuple[str, ...]


_lock = threading.Lock()
_plans: dict[str, ClonePlan] = {}


def qn(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def clone_template_schema(*, template: str, schema_name: str) -> None:
    """Create `schema_name` as a copy of `template` (structure, reference rows, sequences).

    Runs in one transaction: on failure nothing of the new schema remains.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        plan = clone_plan(template=template, cursor=cursor)
        cursor.execute("SHOW search_path")
        previous = cursor.fetchone()[0]
        cursor.execute(f"CREATE SCHEMA {qn(schema_name)}")
        # SET LOCAL would outlive this block when the caller holds an outer transaction, so
        # the previous path is restored explicitly (django-tenants believes it is still set).
        script = [f"SET LOCAL search_path = {qn(schema_name)}", *plan.statements]
        cursor.execute(";\n".join(script))
        cursor.execute(f"SET LOCAL search_path = {previous}")


def clone_plan(*, template: str, cursor=None) -> ClonePlan:
    """The cached plan for `template`, rebuilt when its recorded migrations changed."""
    if cursor is None:
        with connection.cursor() as own_cursor:
            return clone_plan(template=template, cursor=own_cursor)
    fingerprint = _fingerprint(cursor, template)
    plan = _plans.get(template)
    if plan is None or plan.fingerprint != fingerprint:
        with _lock:
            plan = ClonePlan(
                template=template,
                fingerprint=fingerprint,
                statements=tuple(build_statements(cursor, template)),
            )
            _plans[template] = plan
    return plan


def forget_plans() -> None:
    _plans.clear()


def _fingerprint(cursor, template: str) -> tuple:
    cursor.execute(f"SELECT count(*), max(id) FROM {qn(template)}.django_migrations")
    return tuple(cursor.fetchone())


def build_statements(cursor, template: str) -> list[str]:
    """Read the template's catalog and return the DDL + data script (schema-free names)."""
    cursor.execute("SHOW search_path")
    previous = cursor.fetchone()[0]
    # Deparse with only the template on the path: its own objects print unqualified, every
    # other object (public tables, functions) prints schema-qualified.
    cursor.execute(f"SET search_path = {qn(template)}")
    try:
        return _TemplateReader(cursor, template).statements()
    finally:
        cursor.execute(f"SET search_path = {previous}")


class _TemplateReader:
    def __init__(self, cursor, template: str):
        self.cursor = cursor
        self.template = template
        self.rows = lambda sql, params=(): (cursor.execute(sql, params), cursor.fetchall())[1]
        found = self.rows("SELECT oid FROM pg_namespace WHERE nspname = %s", [template])
        if not found:
            raise CloneError(f"template schema {template} does not exist")
        self.nsp = found[0][0]

    def statements(self) -> list[str]:
        relations = self._relations()
        tables = {oid: rel for oid, rel in relations.items() if rel["kind"] == "r"}
        table_oids = list(tables)
        sequences = self._sequences()
        owned = {(seq["table"], seq["column"]): seq for seq in sequences if seq["dep"] == "i"}
        script = self._functions()
        script += [self._create_sequence(seq) for seq in sequences if seq["dep"] != "i"]
        keys, foreign_keys = self._constraints(table_oids)
        with_rows = self._tables_with_rows(tables)
        tables, foreign_keys = _inline_foreign_keys(tables, keys, foreign_keys, with_rows)
        script += self._tables(tables, owned, keys)
        script += self._copy_rows(tables, with_rows)
        script += [
            f"ALTER SEQUENCE {qn(seq['name'])} OWNED BY "
            f"{qn(relations[seq['table']]['name'])}.{qn(seq['column'])}"
            for seq in sequences
            if seq["dep"] == "a"
        ]
        script += [
            f"SELECT setval({_literal(qn(seq['name']))}, {seq['value']}, true)"
            for seq in sequences
            if seq["value"] is not None
        ]
        script += [
            f"ALTER TABLE {qn(relations[table]['name'])} ADD CONSTRAINT {qn(name)} {definition}"
            for table, name, definition, _ in foreign_keys
        ]
        script += self._indexes(table_oids)
        script += self._views(relations)
        script += self._triggers(table_oids)
        script += self._comments(relations)
        return script

    def _relations(self) -> dict[int, dict]:
        # The one pass over pg_class: it has no index on relnamespace alone.
        rows = self.rows(
            "SELECT oid, relname, relkind, relpersistence, reloptions FROM pg_class "
            "WHERE relnamespace = %s",
            [self.nsp],
        )
        unsupported = sorted(name for _, name, kind, *_ in rows if kind not in _SUPPORTED_RELKINDS)
        if unsupported:
            raise CloneError(f"template objects the lean clone cannot copy: {unsupported}")
        types = self.rows(
            "SELECT typname FROM pg_type WHERE typnamespace = %s AND typrelid = 0 AND typelem = 0",
            [self.nsp],
        )
        if types:
            raise CloneError(f"template types the lean clone cannot copy: {types}")
        return {
            oid: {"name": name, "kind": kind, "persistence": persistence, "options": options}
            for oid, name, kind, persistence, options in rows
            if kind in {"r", "v"}
        }

    def _sequences(self) -> list[dict]:
        rows = self.rows(
            """
            SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                   s.seqmin, s.seqmax, s.seqcache, s.seqcycle, pg_sequence_last_value(c.oid),
                   dep.deptype, dep.refobjid, a.attname
            FROM pg_class c
            JOIN pg_sequence s ON s.seqrelid = c.oid
            LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
                 AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
            LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
            WHERE c.relnamespace = %s AND c.relkind = 'S'
            ORDER BY c.relname
            """,
            [self.nsp],
        )
        keys = [
            "name",
            "type",
            "start",
            "increment",
            "min",
            "max",
            "cache",
            "cycle",
            "value",
            "dep",
            "table",
            "column",
        ]
        return [dict(zip(keys, row, strict=True)) for row in rows]

    @staticmethod
    def _sequence_options(seq: dict) -> str:
        return (
            f"START WITH {seq['start']} INCREMENT BY {seq['increment']} "
            f"MINVALUE {seq['min']} MAXVALUE {seq['max']} CACHE {seq['cache']} "
            f"{'CYCLE' if seq['cycle'] else 'NO CYCLE'}"
        )

    def _create_sequence(self, seq: dict) -> str:
        return f"CREATE SEQUENCE {qn(seq['name'])} AS {seq['type']} {self._sequence_options(seq)}"

    def _functions(self) -> list[str]:
        rows = self.rows(
            "SELECT p.proname, p.prokind, pg_get_functiondef(p.oid) FROM pg_proc p "
            "WHERE p.pronamespace = %s ORDER BY p.oid",
            [self.nsp],
        )
        script = []
        for name, kind, definition in rows:
            if kind not in {"f", "p"}:
                raise CloneError(f"template routine {name} ({kind}) cannot be copied")
            # pg_get_functiondef always qualifies the routine's own name.
            word = "PROCEDURE" if kind == "p" else "FUNCTION"
            script.append(
                _unqualify(definition, f"CREATE OR REPLACE {word} ", template=self.template)
            )
        return script

    def _tables(self, tables: dict[int, dict], identities: dict, keys: dict) -> list[str]:
        columns: dict[int, list[str]] = {oid: [] for oid in tables}
        self.columns: dict[int, list[str]] = {oid: [] for oid in tables}
        rows = self.rows(
            """
            SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid),
                   CASE WHEN a.attcollation <> t.typcollation
                        THEN a.attcollation::regcollation::text END
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attrelid, a.attnum
            """,
            [list(tables)],
        )
        for oid, name, type_, notnull, identity, generated, default, collation in rows:
            parts = [qn(name), type_]
            if collation:
                parts.append(f"COLLATE {collation}")
            if generated == "s":
                parts.append(f"GENERATED ALWAYS AS ({default}) STORED")
            elif identity:
                seq = identities[(oid, name)]
                kind = "ALWAYS" if identity == "a" else "BY DEFAULT"
                parts.append(
                    f"GENERATED {kind} AS IDENTITY (SEQUENCE NAME {qn(seq['name'])} "
                    f"{self._sequence_options(seq)})"
                )
            elif default is not None:
                parts.append(f"DEFAULT {default}")
            if notnull:
                parts.append("NOT NULL")
            columns[oid].append(" ".join(parts))
            if generated != "s":
                self.columns[oid].append(qn(name))
        script = []
        for oid, table in tables.items():
            unlogged = "UNLOGGED " if table["persistence"] == "u" else ""
            options = f" WITH ({', '.join(table['options'])})" if table["options"] else ""
            body = ",\n  ".join(columns[oid] + keys[oid])
            script.append(f"CREATE {unlogged}TABLE {qn(table['name'])} (\n  {body}\n){options}")
        return script

    def _tables_with_rows(self, tables: dict[int, dict]) -> set[int]:
        """The template tables that hold rows (reference data to copy), in one query."""
        probes = [
            f"SELECT {oid}::oid WHERE EXISTS (SELECT 1 FROM {qn(self.template)}.{qn(t['name'])})"
            for oid, t in tables.items()
        ]
        if not probes:
            return set()
        return {oid for (oid,) in self.rows(" UNION ALL ".join(probes))}

    def _copy_rows(self, tables: dict[int, dict], with_rows: set[int]) -> list[str]:
        script = []
        for oid in (oid for oid in tables if oid in with_rows):
            name, cols = qn(tables[oid]["name"]), ", ".join(self.columns[oid])
            script.append(
                f"INSERT INTO {name} ({cols}) OVERRIDING SYSTEM VALUE "
                f"SELECT {cols} FROM {qn(self.template)}.{name}"
            )
        return script

    def _constraints(self, table_oids: list[int]) -> tuple[dict[int, list[str]], list[tuple]]:
        """Keys and checks (inlined in CREATE TABLE), and foreign keys with the table they
        reference (see `_inline_foreign_keys`)."""
        rows = self.rows(
            """
            SELECT conrelid, conname, contype, pg_get_constraintdef(oid), confrelid
            FROM pg_constraint
            WHERE conrelid = ANY(%s) AND contype IN ('p', 'u', 'x', 'c', 'f')
            ORDER BY conrelid, conname
            """,
            [table_oids],
        )
        keys: dict[int, list[str]] = {oid: [] for oid in table_oids}
        foreign_keys = []
        for table, name, kind, definition, referenced in rows:
            if kind == "f":
                foreign_keys.append((table, name, definition, referenced))
            else:
                keys[table].append(f"CONSTRAINT {qn(name)} {definition}")
        return keys, foreign_keys

    def _indexes(self, table_oids: list[int]) -> list[str]:
        # Indexes that back a key constraint came with the constraint.
        rows = self.rows(
            """
            SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
            WHERE i.indrelid = ANY(%s) AND NOT EXISTS (
                SELECT 1 FROM pg_constraint con WHERE con.conrelid = i.indrelid
                AND con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
            ORDER BY i.indexrelid
            """,
            [table_oids],
        )
        return [_unqualify_on(definition, self.template) for (definition,) in rows]

    def _views(self, relations: dict[int, dict]) -> list[str]:
        views = [(oid, rel) for oid, rel in relations.items() if rel["kind"] == "v"]
        script = []
        for oid, view in sorted(views):
            (definition,) = self.rows("SELECT pg_get_viewdef(%s::oid)", [oid])[0]
            script.append(f"CREATE VIEW {qn(view['name'])} AS {definition.rstrip(';')}")
        return script

    def _triggers(self, table_oids: list[int]) -> list[str]:
        rows = self.rows(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = ANY(%s) AND NOT tgisinternal ORDER BY tgrelid, tgname",
            [table_oids],
        )
        return [_unqualify_on(definition, self.template) for (definition,) in rows]

    def _comments(self, relations: dict[int, dict]) -> list[str]:
        rows = self.rows(
            """
            SELECT d.objoid, a.attname, d.description FROM pg_description d
            LEFT JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
            WHERE d.classoid = 'pg_class'::regclass AND d.objoid = ANY(%s)
            """,
            [list(relations)],
        )
        script = []
        for oid, column, text in rows:
            name = qn(relations[oid]["name"])
            target = f"COLUMN {name}.{qn(column)}" if column else f"TABLE {name}"
            script.append(f"COMMENT ON {target} IS {_literal(text)}")
        return script


def _inline_foreign_keys(
    tables: dict[int, dict],
    keys: dict[int, list[str]],
    foreign_keys: list[tuple],
    with_rows: set[int],
) -> tuple[dict[int, dict], list[tuple]]:
    """Order the tables so that each comes after the template tables it references, and put
    every foreign key whose referenced table exists by then into its CREATE TABLE.

    A foreign key declared in CREATE TABLE needs no validation pass and no ALTER TABLE of its
    own (one statement per foreign key, each checking the empty table). Added afterwards with
    ALTER TABLE: keys inside a cycle of references, and keys of tables whose rows are copied
    (a deferred key's pending checks would forbid the CREATE INDEX that follows on that
    table). Returns the tables in creation order and the foreign keys left to add.
    """
    references: dict[int, set[int]] = {oid: set() for oid in tables}
    for table, _, _, referenced in foreign_keys:
        if referenced in tables and referenced != table:
            references[table].add(referenced)
    ordered: list[int] = []
    placed: set[int] = set()
    pending = sorted(tables, key=lambda oid: tables[oid]["name"])  # a stable plan
    while pending:
        ready = [oid for oid in pending if references[oid] <= placed]
        # A cycle: create its first table now, its keys into the cycle come afterwards.
        for oid in ready or pending[:1]:
            ordered.append(oid)
            placed.add(oid)
        pending = [oid for oid in pending if oid not in placed]
    position = {oid: index for index, oid in enumerate(ordered)}
    later = []
    for table, name, definition, referenced in foreign_keys:
        if table in with_rows:
            later.append((table, name, definition, referenced))
        elif referenced not in tables or position[referenced] <= position[table]:
            keys[table].append(f"CONSTRAINT {qn(name)} {definition}")
        else:
            later.append((table, name, definition, referenced))
    return {oid: tables[oid] for oid in ordered}, later


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _unqualify(definition: str, prefix: str, *, template: str) -> str:
    """Drop the template's schema from the object name that follows `prefix`."""
    for schema in (template, qn(template)):
        head = f"{prefix}{schema}."
        if definition.startswith(head):
            return prefix + definition[len(head) :]
    raise CloneError(f"unexpected definition: {definition[:120]}")


def _unqualify_on(definition: str, template: str) -> str:
    """Index and trigger definitions name their table as `ON [ONLY] template.table`."""
    for schema in (template, qn(template)):
        for marker in (f" ON ONLY {schema}.", f" ON {schema}."):
            if marker in definition:
                return definition.replace(marker, marker.replace(f"{schema}.", ""), 1)
    return definition
