"""flavors record the connector resource type their components need

The store checks a component's connector against it (SQL and REST alike) without
importing the flavor's code.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NAME = sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql")
# the built-in flavors that take a connector, as released with this revision
BUILTIN = {"stackyard.artifact_stores.s3.S3ArtifactStoreFlavor": "s3-bucket"}


def upgrade() -> None:
    with op.batch_alter_table("flavors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("connector_resource_type", NAME, nullable=True))
        batch_op.create_index(
            "ix_flavors_connector_resource_type", ["connector_resource_type", "id"], unique=False
        )
    flavors = sa.table("flavors", sa.column("source"), sa.column("connector_resource_type"))
    for source, resource_type in BUILTIN.items():
        op.execute(
            flavors.update()
            .where(flavors.c.source == source)
            .values(connector_resource_type=resource_type)
        )


def downgrade() -> None:
    with op.batch_alter_table("flavors", schema=None) as batch_op:
        batch_op.drop_index("ix_flavors_connector_resource_type")
        batch_op.drop_column("connector_resource_type")
