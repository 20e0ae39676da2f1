"""components linked to a connector resource; the ray and s3 flavors

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NAME = sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql")
NEW_FLAVORS = (
    "stackyard.orchestrators.ray.RayOrchestratorFlavor",
    "stackyard.artifact_stores.s3.S3ArtifactStoreFlavor",
)


def _add_builtin_flavors() -> None:
    """A store seeded before this revision gets the new built-in flavors; a new store
    (no flavors yet) gets them from seeding, with the others."""
    from stackyard.utils.source import load_source

    bind = op.get_bind()
    flavors = sa.table(
        "flavors",
        *(sa.column(c) for c in ("id", "created", "updated", "name", "type", "source")),
        *(sa.column(c) for c in ("integration", "config_schema", "is_custom")),
    )
    if not bind.execute(sa.select(sa.func.count()).select_from(flavors)).scalar():
        return
    now: object = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    elif bind.dialect.name == "mysql":
        now = datetime.now(UTC).replace(tzinfo=None)
    for source in NEW_FLAVORS:
        flavor = load_source(source)
        exists = bind.execute(
            sa.select(flavors.c.id).where(
                flavors.c.name == flavor.name, flavors.c.type == flavor.type.value
            )
        ).first()
        if exists is None:
            bind.execute(
                flavors.insert().values(
                    id=str(uuid4()),
                    created=now,
                    updated=now,
                    name=flavor.name,
                    type=flavor.type.value,
                    source=source,
                    integration=flavor.integration,
                    config_schema=json.dumps(flavor.config_schema(), separators=(",", ":")),
                    is_custom=False,
                )
            )


def upgrade() -> None:
    with op.batch_alter_table("stack_components", schema=None) as batch_op:
        batch_op.add_column(sa.Column("connector_resource_id", NAME, nullable=True))
        batch_op.create_index(
            "ix_stack_components_connector_resource_id",
            ["connector_resource_id", "id"],
            unique=False,
        )
    _add_builtin_flavors()


def downgrade() -> None:
    flavors = sa.table("flavors", sa.column("source"), sa.column("is_custom"))
    op.execute(flavors.delete().where(flavors.c.source.in_(NEW_FLAVORS)))
    with op.batch_alter_table("stack_components", schema=None) as batch_op:
        batch_op.drop_index("ix_stack_components_connector_resource_id")
        batch_op.drop_column("connector_resource_id")
