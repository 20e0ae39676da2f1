"""security: owners, heartbeats, runners, login limits

Runs gain their heartbeat deadline, the reason they ended and the configuration
they were triggered with, and a runner claim; artifact versions name the artifact
store holding them; secret names become unique per scope (public, or the owner of
a private one); settings and failed logins get tables of their own.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UUID = sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql")
NAME = sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql")
TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql")
TIME = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql")
TABLE_ARGS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", UUID, nullable=False),
        sa.Column("key", NAME, nullable=False),
        sa.Column("created", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        **TABLE_ARGS,
    )
    op.create_index("ix_login_failures_created", "login_failures", ["created"])
    op.create_index("ix_login_failures_key_created", "login_failures", ["key", "created"])
    op.create_table(
        "settings",
        sa.Column("key", NAME, nullable=False),
        sa.Column("value", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("key"),
        **TABLE_ARGS,
    )
    with op.batch_alter_table("artifact_versions") as batch:
        batch.add_column(sa.Column("artifact_store_id", UUID, nullable=True))
        batch.create_index("ix_artifact_versions_artifact_store_id", ["artifact_store_id", "id"])
        batch.create_foreign_key(
            "fk_artifact_versions_artifact_store_id",
            "stack_components",
            ["artifact_store_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("pipeline_runs") as batch:
        batch.add_column(sa.Column("run_configuration", TEXT, nullable=True))
        batch.add_column(sa.Column("status_reason", TEXT, nullable=True))
        batch.add_column(sa.Column("heartbeat_deadline", TIME, nullable=True))
        batch.add_column(sa.Column("claimed_at", TIME, nullable=True))
        batch.create_index("ix_pipeline_runs_claimed_at", ["claimed_at", "id"])
        batch.create_index("ix_pipeline_runs_heartbeat_deadline", ["heartbeat_deadline", "id"])
    with op.batch_alter_table("secrets") as batch:
        batch.add_column(sa.Column("scope", NAME, nullable=True))
    secrets = sa.table(
        "secrets",
        sa.column("scope", NAME),
        sa.column("private", sa.Boolean()),
        sa.column("user_id", UUID),
    )
    op.execute(
        secrets.update().values(
            scope=sa.case(
                (sa.and_(secrets.c.private, secrets.c.user_id.is_not(None)), secrets.c.user_id),
                else_="public",
            )
        )
    )
    with op.batch_alter_table("secrets") as batch:
        batch.drop_constraint("uq_secrets_name", type_="unique")
        batch.create_index("ix_secrets_name", ["name", "id"])
        batch.create_index("ix_secrets_scope", ["scope", "id"])
        batch.create_unique_constraint("uq_secrets_name_scope", ["name", "scope"])


def downgrade() -> None:
    with op.batch_alter_table("secrets") as batch:
        batch.drop_constraint("uq_secrets_name_scope", type_="unique")
        batch.drop_index("ix_secrets_scope")
        batch.drop_index("ix_secrets_name")
        batch.create_unique_constraint("uq_secrets_name", ["name"])
        batch.drop_column("scope")
    with op.batch_alter_table("pipeline_runs") as batch:
        batch.drop_index("ix_pipeline_runs_heartbeat_deadline")
        batch.drop_index("ix_pipeline_runs_claimed_at")
        batch.drop_column("claimed_at")
        batch.drop_column("heartbeat_deadline")
        batch.drop_column("status_reason")
        batch.drop_column("run_configuration")
    with op.batch_alter_table("artifact_versions") as batch:
        batch.drop_constraint("fk_artifact_versions_artifact_store_id", type_="foreignkey")
        batch.drop_index("ix_artifact_versions_artifact_store_id")
        batch.drop_column("artifact_store_id")
    op.drop_table("settings")
    op.drop_index("ix_login_failures_key_created", table_name="login_failures")
    op.drop_index("ix_login_failures_created", table_name="login_failures")
    op.drop_table("login_failures")
