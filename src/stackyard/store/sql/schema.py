"""The database schema as SQLAlchemy metadata, derived from the resource specs.

Only migrations import this (SQLAlchemy is too slow to import on the hot path).
Every filterable column gets an index, every `<rel>_id` a foreign key: a
required parent cascades, an optional one is set to NULL. Every table but
`write_counts` has triggers that count its writes there (see `count_triggers`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

from stackyard.models.spec import Column, ResourceSpec, all_specs, spec_for
from stackyard.store.sql.totals import WRITE_COUNTS

MYSQL_TABLE_ARGS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
# PostgreSQL cuts identifiers at 63 bytes (silently), MySQL refuses more than 64
MAX_NAME = 63
PG_COUNT_FUNCTION = "stackyard_count_write"
EVENTS = ("insert", "update", "delete")


def constraint_name(name: str) -> str:
    """`name`, or when too long for every database, its start and a short hash (stable,
    so migrations and the models keep agreeing)."""
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 9]}_{digest}"


def _type(column: Column) -> sa.types.TypeEngine[Any]:
    long_text = sa.Text().with_variant(mysql.LONGTEXT(), "mysql")
    kinds: dict[str, sa.types.TypeEngine[Any]] = {
        "uuid": sa.String(36).with_variant(postgresql.VARCHAR(36, collation="C"), "postgresql"),
        "str": sa.String(255).with_variant(postgresql.VARCHAR(255, collation="C"), "postgresql"),
        "text": long_text,
        "json": long_text,
        "int": sa.BigInteger(),
        "float": sa.Double(),
        "bool": sa.Boolean(),
        "datetime": sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
    }
    return kinds[column.kind]


def _table(metadata: sa.MetaData, spec: ResourceSpec) -> sa.Table:
    columns: list[sa.schema.SchemaItem] = []
    for col in spec.columns.values():
        args: list[sa.schema.SchemaItem] = []
        rel = col.name[:-3] if col.name.endswith("_id") else None
        if rel in spec.relations and rel not in spec.soft_relations:
            target = spec_for(spec.relations[rel])
            ondelete = "SET NULL" if col.nullable else "CASCADE"
            args.append(
                sa.ForeignKey(
                    f"{target.table}.id",
                    ondelete=ondelete,
                    name=constraint_name(f"fk_{spec.table}_{col.name}"),
                )
            )
        indexed = col.kind in ("uuid", "str", "int", "float", "bool", "datetime")
        indexed = indexed and (col.name,) not in spec.unique
        columns.append(
            sa.Column(
                col.name,
                _type(col),
                *args,
                primary_key=col.name == "id",
                nullable=col.nullable and col.name != "id",
            )
        )
        if indexed and col.name != "id":
            # (column, id): serves `ORDER BY column, id` (the stable tie-break) from the index
            columns.append(sa.Index(constraint_name(f"ix_{spec.table}_{col.name}"), col.name, "id"))
    for key in spec.unique:
        name = constraint_name(f"uq_{spec.table}_{'_'.join(key)}")
        columns.append(sa.UniqueConstraint(*key, name=name))
    for key in spec.indexes:
        columns.append(sa.Index(constraint_name(f"ix_{spec.table}_{'_'.join(key)}"), *key))
    return sa.Table(spec.table, metadata, *columns, **MYSQL_TABLE_ARGS)


def build_metadata() -> sa.MetaData:
    """Tables for every resource plus the link tables between them."""
    metadata = sa.MetaData()
    for spec in all_specs():
        _table(metadata, spec)
    uuid = sa.String(36).with_variant(postgresql.VARCHAR(36, collation="C"), "postgresql")
    name = sa.String(255).with_variant(postgresql.VARCHAR(255, collation="C"), "postgresql")
    sa.Table(
        "stack_compositions",
        metadata,
        sa.Column(
            "stack_id",
            uuid,
            sa.ForeignKey("stacks.id", ondelete="CASCADE", name="fk_stack_compositions_stack_id"),
            primary_key=True,
        ),
        sa.Column(
            "component_id",
            uuid,
            sa.ForeignKey(
                "stack_components.id", ondelete="CASCADE", name="fk_stack_compositions_component_id"
            ),
            primary_key=True,
            index=True,
        ),
        **MYSQL_TABLE_ARGS,
    )
    sa.Table(
        "tag_assignments",
        metadata,
        sa.Column(
            "tag_id",
            uuid,
            sa.ForeignKey("tags.id", ondelete="CASCADE", name="fk_tag_assignments_tag_id"),
            primary_key=True,
        ),
        sa.Column("resource_type", sa.String(64), primary_key=True),
        sa.Column("resource_id", uuid, primary_key=True),
        sa.Index("ix_tag_assignments_resource", "resource_type", "resource_id"),
        **MYSQL_TABLE_ARGS,
    )
    sa.Table(
        "step_run_artifacts",
        metadata,
        sa.Column(
            "step_run_id",
            uuid,
            sa.ForeignKey(
                "run_steps.id", ondelete="CASCADE", name="fk_step_run_artifacts_step_run_id"
            ),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("name", name, primary_key=True),
        sa.Column(
            "artifact_version_id",
            uuid,
            sa.ForeignKey(
                "artifact_versions.id",
                ondelete="CASCADE",
                name="fk_step_run_artifacts_artifact_version_id",
            ),
            nullable=False,
            index=True,
        ),
        **MYSQL_TABLE_ARGS,
    )
    # the server's own state: settings admins change, failed logins every worker counts
    sa.Table(
        "settings",
        metadata,
        sa.Column("key", name, primary_key=True),
        sa.Column("value", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=False),
        **MYSQL_TABLE_ARGS,
    )
    sa.Table(
        "login_failures",
        metadata,
        sa.Column("id", uuid, primary_key=True),
        sa.Column("key", name, nullable=False),
        sa.Column(
            "created",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Index("ix_login_failures_key_created", "key", "created"),
        sa.Index("ix_login_failures_created", "created"),
        **MYSQL_TABLE_ARGS,
    )
    # how many rows each writer (a connection; 0 on SQLite and for folded counts) wrote
    # to each table: list totals are cached against it (store/sql/totals.py)
    sa.Table(
        WRITE_COUNTS,
        metadata,
        sa.Column(
            "table_name",
            sa.String(64).with_variant(postgresql.VARCHAR(64, collation="C"), "postgresql"),
            primary_key=True,
        ),
        sa.Column("writer", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("writes", sa.BigInteger(), nullable=False),
        **MYSQL_TABLE_ARGS,
    )
    return metadata


@dataclass(frozen=True)
class CountedTable:
    """A table whose writes `write_counts` counts: an insert or delete always counts, an
    update only when it changes a `watched` column (one a list filter can read). A
    delete also counts for the `cascades`, the tables its foreign keys change, because
    MySQL and MariaDB run those actions without firing the tables' own triggers."""

    name: str
    watched: tuple[str, ...]
    cascades: tuple[str, ...] = ()


def counted_tables(metadata: sa.MetaData) -> list[CountedTable]:
    """Every table but `write_counts`, by name. A resource's table watches the columns
    its filters read (not JSON, not private columns); any other table, every column."""
    specs = {spec.table: spec for spec in all_specs()}
    counted = []
    for name in sorted(metadata.tables):
        if name == WRITE_COUNTS:
            continue
        spec = specs.get(name)
        watched = (
            tuple(c.name for c in metadata.tables[name].columns)
            if spec is None
            else tuple(
                c.name
                for c in spec.columns.values()
                if c.filterable and c.name not in spec.private_columns
            )
        )
        counted.append(CountedTable(name, watched, _cascades(metadata, name)))
    return counted


def _cascades(metadata: sa.MetaData, name: str) -> tuple[str, ...]:
    """The tables whose rows deleting a row of `name` deletes or changes (ON DELETE
    CASCADE, transitively, and SET NULL)."""
    deleted, changed, todo = {name}, set(), [name]
    while todo:
        parent = todo.pop()
        for table in metadata.tables.values():
            for fk in table.foreign_keys:
                if fk.column.table.name != parent or fk.ondelete not in ("CASCADE", "SET NULL"):
                    continue
                if fk.ondelete == "CASCADE" and table.name not in deleted:
                    deleted.add(table.name)
                    todo.append(table.name)
                changed.add(table.name)
    return tuple(sorted((deleted | changed) - {name}))


def _trigger_name(table: str, event: str) -> str:
    return constraint_name(f"{table}_count_{event}")


def count_triggers(dialect: str, tables: Iterable[CountedTable]) -> list[str]:
    """The statements creating the triggers that count each write to `tables` in
    `write_counts`, in the writing transaction, so that no code path (raw SQL, another
    program, a foreign key action) can change a table without its count moving.

    Each connection counts in a row of its own (PostgreSQL's backend pid, MySQL's
    connection id): concurrent writers never wait for each other's counter, which one
    row per table would make them do until commit. SQLite has one writer at a time, so
    one row per table (writer 0)."""
    tables = list(tables)
    if dialect == "postgresql":
        return [_pg_function(), *(s for t in tables for s in _pg_triggers(t))]
    if dialect == "mysql":
        return [s for t in tables for s in _mysql_triggers(t)]
    return [s for t in tables for s in _sqlite_triggers(t)]


def drop_count_triggers(dialect: str, tables: Iterable[CountedTable]) -> list[str]:
    """The statements removing what `count_triggers` creates."""
    drops = [
        f'DROP TRIGGER IF EXISTS "{_trigger_name(t.name, e)}" ON "{t.name}"'
        if dialect == "postgresql"
        else f"DROP TRIGGER IF EXISTS {_quote(dialect, _trigger_name(t.name, e))}"
        for t in tables
        for e in EVENTS
    ]
    if dialect == "postgresql":
        drops.append(f"DROP FUNCTION IF EXISTS {PG_COUNT_FUNCTION}()")
    return drops


def _quote(dialect: str, name: str) -> str:
    return f"`{name}`" if dialect == "mysql" else f'"{name}"'


def _sqlite_triggers(table: CountedTable) -> list[str]:
    bump = (
        f'INSERT INTO "{WRITE_COUNTS}" ("table_name", "writer", "writes") '
        f"VALUES ('{table.name}', 0, 1) "
        'ON CONFLICT ("table_name", "writer") DO UPDATE SET "writes" = "writes" + 1'
    )
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in table.watched)
    when = {"insert": "", "update": f" WHEN {changed}", "delete": ""}
    return [
        f'CREATE TRIGGER "{_trigger_name(table.name, e)}" AFTER {e.upper()} ON '
        f'"{table.name}"{when[e]} BEGIN {bump}; END'
        for e in EVENTS
        if e != "update" or table.watched
    ]


def _pg_function() -> str:
    return (
        f"CREATE FUNCTION {PG_COUNT_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f'BEGIN INSERT INTO "{WRITE_COUNTS}" ("table_name", "writer", "writes") '
        "VALUES (TG_TABLE_NAME, pg_backend_pid(), 1) "
        f'ON CONFLICT ("table_name", "writer") DO UPDATE SET "writes" = "{WRITE_COUNTS}".'
        '"writes" + 1; RETURN NULL; END $$'
    )


def _pg_triggers(table: CountedTable) -> list[str]:
    changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in table.watched)
    when = {"insert": "", "update": f" WHEN ({changed})", "delete": ""}
    return [
        f'CREATE TRIGGER "{_trigger_name(table.name, e)}" AFTER {e.upper()} ON '
        f'"{table.name}" FOR EACH ROW{when[e]} EXECUTE FUNCTION {PG_COUNT_FUNCTION}()'
        for e in EVENTS
        if e != "update" or table.watched
    ]


def _mysql_bump(table: str) -> str:
    # an UPDATE of the connection's own row locks that row only; an upsert would lock
    # the gap before it too, where another connection may insert its first row
    return (
        f"UPDATE `{WRITE_COUNTS}` SET `writes` = `writes` + 1 WHERE `table_name` = "
        f"'{table}' AND `writer` = CONNECTION_ID(); IF ROW_COUNT() = 0 THEN INSERT INTO "
        f"`{WRITE_COUNTS}` (`table_name`, `writer`, `writes`) VALUES ('{table}', "
        "CONNECTION_ID(), 1); END IF;"
    )


def _mysql_triggers(table: CountedTable) -> list[str]:
    changed = " OR ".join(f"NOT (OLD.`{c}` <=> NEW.`{c}`)" for c in table.watched)
    body = {
        "insert": _mysql_bump(table.name),
        "update": f"IF {changed} THEN {_mysql_bump(table.name)} END IF;",
        "delete": " ".join(_mysql_bump(t) for t in (table.name, *table.cascades)),
    }
    return [
        f"CREATE TRIGGER `{_trigger_name(table.name, e)}` AFTER {e.upper()} ON "
        f"`{table.name}` FOR EACH ROW BEGIN {body[e]} END"
        for e in EVENTS
        if e != "update" or table.watched
    ]
