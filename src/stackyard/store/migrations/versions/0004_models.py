"""models and model versions, their links to runs and artifacts

The model control plane: models, their numbered versions (with a stage and its
history), and which pipeline runs and artifact versions each version links to.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column(
            "id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "updated",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "name",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("description", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column(
            "license",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("audience", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("use_cases", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("limitations", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("trade_offs", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("ethics", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_models_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_models_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.create_index("ix_models_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_models_license", ["license", "id"], unique=False)
        batch_op.create_index("ix_models_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_models_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "model_versions",
        sa.Column(
            "id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "updated",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "model_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "name",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column(
            "stage",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "stage_history", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name="fk_model_versions_model_id", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_model_versions_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("model_id", "name", name="uq_model_versions_model_id_name"),
        sa.UniqueConstraint("model_id", "number", name="uq_model_versions_model_id_number"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.create_index("ix_model_versions_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_model_versions_model_id", ["model_id", "id"], unique=False)
        batch_op.create_index(
            "ix_model_versions_model_id_stage", ["model_id", "stage"], unique=False
        )
        batch_op.create_index("ix_model_versions_name", ["name", "id"], unique=False)
        batch_op.create_index("ix_model_versions_number", ["number", "id"], unique=False)
        batch_op.create_index("ix_model_versions_stage", ["stage", "id"], unique=False)
        batch_op.create_index("ix_model_versions_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_model_versions_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "model_version_pipeline_run_links",
        sa.Column(
            "id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "updated",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "model_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "model_version_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "pipeline_run_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name="fk_model_version_pipeline_run_links_model_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_versions.id"],
            name="fk_model_version_pipeline_run_links_model_version_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_run_id"],
            ["pipeline_runs.id"],
            name="fk_model_version_pipeline_run_links_pipeline_run_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_model_version_pipeline_run_links_user_id",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "model_version_id",
            "pipeline_run_id",
            name="uq_model_version_pipeline_run_links_model_version_id_p_36848705",
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("model_version_pipeline_run_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_model_version_pipeline_run_links_created", ["created", "id"], unique=False
        )
        batch_op.create_index(
            "ix_model_version_pipeline_run_links_model_id", ["model_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_model_version_pipeline_run_links_model_version_id",
            ["model_version_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_model_version_pipeline_run_links_pipeline_run_id",
            ["pipeline_run_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_model_version_pipeline_run_links_updated", ["updated", "id"], unique=False
        )
        batch_op.create_index(
            "ix_model_version_pipeline_run_links_user_id", ["user_id", "id"], unique=False
        )

    op.create_table(
        "model_version_artifact_links",
        sa.Column(
            "id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "updated",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "model_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "model_version_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "artifact_version_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "artifact_name",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_model_artifact", sa.Boolean(), nullable=True),
        sa.Column("is_deployment_artifact", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["artifact_version_id"],
            ["artifact_versions.id"],
            name="fk_model_version_artifact_links_artifact_version_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name="fk_model_version_artifact_links_model_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_versions.id"],
            name="fk_model_version_artifact_links_model_version_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_model_version_artifact_links_user_id",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "model_version_id",
            "artifact_version_id",
            name="uq_model_version_artifact_links_model_version_id_artif_a2ab43d9",
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("model_version_artifact_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_model_version_artifact_links_artifact_name", ["artifact_name", "id"], unique=False
        )
        batch_op.create_index(
            "ix_model_version_artifact_links_artifact_version_id",
            ["artifact_version_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_model_version_artifact_links_created", ["created", "id"], unique=False
        )
        batch_op.create_index(
            "ix_model_version_artifact_links_is_deployment_artifact",
            ["is_deployment_artifact", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_model_version_artifact_links_is_model_artifact",
            ["is_model_artifact", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_model_version_artifact_links_model_id", ["model_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_model_version_artifact_links_model_version_id",
            ["model_version_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_model_version_artifact_links_model_version_id_artifact_name",
            ["model_version_id", "artifact_name"],
            unique=False,
        )
        batch_op.create_index(
            "ix_model_version_artifact_links_updated", ["updated", "id"], unique=False
        )
        batch_op.create_index(
            "ix_model_version_artifact_links_user_id", ["user_id", "id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("model_version_artifact_links")
    op.drop_table("model_version_pipeline_run_links")
    op.drop_table("model_versions")
    op.drop_table("models")
