"""components linked to a connector resource; artifact versions know their artifact store

Revision ID: 0013
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0001"
branch_labels = None
depends_on = None

UUID = sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql")
NAME = sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("stack_components", schema=None) as batch_op:
        batch_op.add_column(sa.Column("connector_resource_id", NAME, nullable=True))
        batch_op.create_index(
            "ix_stack_components_connector_resource_id",
            ["connector_resource_id", "id"],
            unique=False,
        )
    with op.batch_alter_table("artifact_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("artifact_store_id", UUID, nullable=True))
        batch_op.create_foreign_key(
            "fk_artifact_versions_artifact_store_id",
            "stack_components",
            ["artifact_store_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            "ix_artifact_versions_artifact_store_id", ["artifact_store_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("artifact_versions", schema=None) as batch_op:
        # MySQL keeps an index a foreign key needs: the constraint goes first
        batch_op.drop_constraint("fk_artifact_versions_artifact_store_id", type_="foreignkey")
        batch_op.drop_index("ix_artifact_versions_artifact_store_id")
        batch_op.drop_column("artifact_store_id")
    with op.batch_alter_table("stack_components", schema=None) as batch_op:
        batch_op.drop_index("ix_stack_components_connector_resource_id")
        batch_op.drop_column("connector_resource_id")
