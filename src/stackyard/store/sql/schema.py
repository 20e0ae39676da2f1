"""The database schema as SQLAlchemy metadata, derived from the resource specs.

Only migrations import this (SQLAlchemy is too slow to import on the hot path).
Every filterable column gets an index, every `<rel>_id` a foreign key: a
required parent cascades, an optional one is set to NULL.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

from stackyard.models.spec import Column, ResourceSpec, all_specs, spec_for

MYSQL_TABLE_ARGS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
# PostgreSQL cuts identifiers at 63 bytes (silently), MySQL refuses more than 64
MAX_NAME = 63


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
    return metadata
