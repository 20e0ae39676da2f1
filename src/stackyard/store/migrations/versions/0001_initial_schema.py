"""initial schema

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
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
            "name",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "full_name",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "email",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("is_admin", sa.Boolean(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("is_service_account", sa.Boolean(), nullable=True),
        sa.Column(
            "password_hash", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.Column("token_epoch", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_users_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_active", ["active", "id"], unique=False)
        batch_op.create_index("ix_users_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_users_email", ["email", "id"], unique=False)
        batch_op.create_index("ix_users_full_name", ["full_name", "id"], unique=False)
        batch_op.create_index("ix_users_is_admin", ["is_admin", "id"], unique=False)
        batch_op.create_index(
            "ix_users_is_service_account", ["is_service_account", "id"], unique=False
        )
        batch_op.create_index("ix_users_token_epoch", ["token_epoch", "id"], unique=False)
        batch_op.create_index("ix_users_updated", ["updated", "id"], unique=False)

    op.create_table(
        "api_keys",
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
            "name",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "service_account_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "description",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column(
            "last_used",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column("key_hash", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column(
            "key_prefix",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["service_account_id"],
            ["users.id"],
            name="fk_api_keys_service_account_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "service_account_id", "name", name="uq_api_keys_service_account_id_name"
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index("ix_api_keys_active", ["active", "id"], unique=False)
        batch_op.create_index("ix_api_keys_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_api_keys_description", ["description", "id"], unique=False)
        batch_op.create_index("ix_api_keys_key_prefix", ["key_prefix", "id"], unique=False)
        batch_op.create_index("ix_api_keys_last_used", ["last_used", "id"], unique=False)
        batch_op.create_index("ix_api_keys_name", ["name", "id"], unique=False)
        batch_op.create_index(
            "ix_api_keys_service_account_id", ["service_account_id", "id"], unique=False
        )
        batch_op.create_index("ix_api_keys_updated", ["updated", "id"], unique=False)

    op.create_table(
        "artifacts",
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
        sa.Column("has_custom_name", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_artifacts_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_artifacts_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.create_index("ix_artifacts_created", ["created", "id"], unique=False)
        batch_op.create_index(
            "ix_artifacts_has_custom_name", ["has_custom_name", "id"], unique=False
        )
        batch_op.create_index("ix_artifacts_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_artifacts_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "code_repositories",
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
        sa.Column(
            "source",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("config", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("description", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("logo_url", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_code_repositories_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_code_repositories_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("code_repositories", schema=None) as batch_op:
        batch_op.create_index("ix_code_repositories_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_code_repositories_source", ["source", "id"], unique=False)
        batch_op.create_index("ix_code_repositories_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_code_repositories_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "flavors",
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
        sa.Column(
            "type",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=False),
        sa.Column(
            "integration",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "config_schema", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.Column("is_custom", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_flavors_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "type", name="uq_flavors_name_type"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("flavors", schema=None) as batch_op:
        batch_op.create_index("ix_flavors_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_flavors_integration", ["integration", "id"], unique=False)
        batch_op.create_index("ix_flavors_is_custom", ["is_custom", "id"], unique=False)
        batch_op.create_index("ix_flavors_name", ["name", "id"], unique=False)
        batch_op.create_index("ix_flavors_type", ["type", "id"], unique=False)
        batch_op.create_index("ix_flavors_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_flavors_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "pipelines",
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
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_pipelines_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_pipelines_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("pipelines", schema=None) as batch_op:
        batch_op.create_index("ix_pipelines_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_pipelines_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_pipelines_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "run_metadata",
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
            "resource_type",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "resource_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "key",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("value", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_run_metadata_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("run_metadata", schema=None) as batch_op:
        batch_op.create_index("ix_run_metadata_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_run_metadata_key", ["key", "id"], unique=False)
        batch_op.create_index("ix_run_metadata_resource_id", ["resource_id", "id"], unique=False)
        batch_op.create_index(
            "ix_run_metadata_resource_type", ["resource_type", "id"], unique=False
        )
        batch_op.create_index(
            "ix_run_metadata_resource_type_resource_id",
            ["resource_type", "resource_id"],
            unique=False,
        )
        batch_op.create_index("ix_run_metadata_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_run_metadata_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "secrets",
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
        sa.Column("private", sa.Boolean(), nullable=True),
        sa.Column(
            "values_encrypted", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_secrets_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_secrets_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("secrets", schema=None) as batch_op:
        batch_op.create_index("ix_secrets_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_secrets_private", ["private", "id"], unique=False)
        batch_op.create_index("ix_secrets_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_secrets_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "service_connectors",
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
        sa.Column(
            "connector_type",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "auth_method",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "resource_types", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.Column(
            "resource_id",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "configuration", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.Column(
            "expires_at",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column("description", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column(
            "secrets_encrypted", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_service_connectors_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_service_connectors_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("service_connectors", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_connectors_auth_method", ["auth_method", "id"], unique=False
        )
        batch_op.create_index(
            "ix_service_connectors_connector_type", ["connector_type", "id"], unique=False
        )
        batch_op.create_index("ix_service_connectors_created", ["created", "id"], unique=False)
        batch_op.create_index(
            "ix_service_connectors_expires_at", ["expires_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_service_connectors_resource_id", ["resource_id", "id"], unique=False
        )
        batch_op.create_index("ix_service_connectors_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_service_connectors_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "stacks",
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
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_stacks_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_stacks_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("stacks", schema=None) as batch_op:
        batch_op.create_index("ix_stacks_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_stacks_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_stacks_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "tags",
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
        sa.Column(
            "color",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_tags_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_tags_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index("ix_tags_color", ["color", "id"], unique=False)
        batch_op.create_index("ix_tags_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_tags_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_tags_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "builds",
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
            "pipeline_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "stack_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "checksum",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("images", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("is_local", sa.Boolean(), nullable=True),
        sa.Column("contains_code", sa.Boolean(), nullable=True),
        sa.Column(
            "python_version",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "stackyard_version",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("dockerfile", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.ForeignKeyConstraint(
            ["pipeline_id"], ["pipelines.id"], name="fk_builds_pipeline_id", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["stack_id"], ["stacks.id"], name="fk_builds_stack_id", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_builds_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("builds", schema=None) as batch_op:
        batch_op.create_index("ix_builds_checksum", ["checksum", "id"], unique=False)
        batch_op.create_index("ix_builds_contains_code", ["contains_code", "id"], unique=False)
        batch_op.create_index("ix_builds_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_builds_is_local", ["is_local", "id"], unique=False)
        batch_op.create_index("ix_builds_pipeline_id", ["pipeline_id", "id"], unique=False)
        batch_op.create_index("ix_builds_python_version", ["python_version", "id"], unique=False)
        batch_op.create_index("ix_builds_stack_id", ["stack_id", "id"], unique=False)
        batch_op.create_index(
            "ix_builds_stackyard_version", ["stackyard_version", "id"], unique=False
        )
        batch_op.create_index("ix_builds_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_builds_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "stack_components",
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
        sa.Column(
            "type",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "flavor",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "configuration", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.Column(
            "connector_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["service_connectors.id"],
            name="fk_stack_components_connector_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_stack_components_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "type", name="uq_stack_components_name_type"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("stack_components", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stack_components_connector_id", ["connector_id", "id"], unique=False
        )
        batch_op.create_index("ix_stack_components_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_stack_components_flavor", ["flavor", "id"], unique=False)
        batch_op.create_index("ix_stack_components_name", ["name", "id"], unique=False)
        batch_op.create_index("ix_stack_components_type", ["type", "id"], unique=False)
        batch_op.create_index("ix_stack_components_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_stack_components_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "tag_assignments",
        sa.Column(
            "tag_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column(
            "resource_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name="fk_tag_assignments_tag_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tag_id", "resource_type", "resource_id"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("tag_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tag_assignments_resource", ["resource_type", "resource_id"], unique=False
        )

    op.create_table(
        "snapshots",
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
            "pipeline_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "stack_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "build_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "schedule_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "run_name_template", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.Column(
            "pipeline_configuration",
            sa.Text().with_variant(mysql.LONGTEXT(), "mysql"),
            nullable=True,
        ),
        sa.Column(
            "step_configurations", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.Column(
            "pipeline_spec", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.Column(
            "code_reference", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.Column("code_path", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("source", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column(
            "code_repository_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["build_id"], ["builds.id"], name="fk_snapshots_build_id", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["code_repository_id"],
            ["code_repositories.id"],
            name="fk_snapshots_code_repository_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_id"], ["pipelines.id"], name="fk_snapshots_pipeline_id", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stack_id"], ["stacks.id"], name="fk_snapshots_stack_id", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_snapshots_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_snapshots_build_id", ["build_id", "id"], unique=False)
        batch_op.create_index(
            "ix_snapshots_code_repository_id", ["code_repository_id", "id"], unique=False
        )
        batch_op.create_index("ix_snapshots_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_snapshots_pipeline_id", ["pipeline_id", "id"], unique=False)
        batch_op.create_index("ix_snapshots_schedule_id", ["schedule_id", "id"], unique=False)
        batch_op.create_index("ix_snapshots_stack_id", ["stack_id", "id"], unique=False)
        batch_op.create_index("ix_snapshots_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_snapshots_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "stack_compositions",
        sa.Column(
            "stack_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "component_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["stack_components.id"],
            name="fk_stack_compositions_component_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stack_id"], ["stacks.id"], name="fk_stack_compositions_stack_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("stack_id", "component_id"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("stack_compositions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stack_compositions_component_id"), ["component_id"], unique=False
        )

    op.create_table(
        "run_templates",
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
            "snapshot_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "pipeline_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "stack_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "build_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "code_repository_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("runnable", sa.Boolean(), nullable=True),
        sa.Column(
            "not_runnable_reason", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["build_id"], ["builds.id"], name="fk_run_templates_build_id", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["code_repository_id"],
            ["code_repositories.id"],
            name="fk_run_templates_code_repository_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipelines.id"],
            name="fk_run_templates_pipeline_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshots.id"],
            name="fk_run_templates_snapshot_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stack_id"], ["stacks.id"], name="fk_run_templates_stack_id", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_run_templates_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_run_templates_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("run_templates", schema=None) as batch_op:
        batch_op.create_index("ix_run_templates_build_id", ["build_id", "id"], unique=False)
        batch_op.create_index(
            "ix_run_templates_code_repository_id", ["code_repository_id", "id"], unique=False
        )
        batch_op.create_index("ix_run_templates_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_run_templates_pipeline_id", ["pipeline_id", "id"], unique=False)
        batch_op.create_index("ix_run_templates_runnable", ["runnable", "id"], unique=False)
        batch_op.create_index("ix_run_templates_snapshot_id", ["snapshot_id", "id"], unique=False)
        batch_op.create_index("ix_run_templates_stack_id", ["stack_id", "id"], unique=False)
        batch_op.create_index("ix_run_templates_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_run_templates_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "schedules",
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
        sa.Column(
            "pipeline_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "template_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "cron_expression",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("interval_second", sa.Double(), nullable=True),
        sa.Column(
            "start_time",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column(
            "end_time",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column(
            "run_once_start_time",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column("catchup", sa.Boolean(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column(
            "next_run_time",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column(
            "last_run_time",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_id"], ["pipelines.id"], name="fk_schedules_pipeline_id", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["run_templates.id"],
            name="fk_schedules_template_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_schedules_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_schedules_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index("ix_schedules_active", ["active", "id"], unique=False)
        batch_op.create_index(
            "ix_schedules_active_next_run_time", ["active", "next_run_time"], unique=False
        )
        batch_op.create_index("ix_schedules_catchup", ["catchup", "id"], unique=False)
        batch_op.create_index("ix_schedules_created", ["created", "id"], unique=False)
        batch_op.create_index(
            "ix_schedules_cron_expression", ["cron_expression", "id"], unique=False
        )
        batch_op.create_index("ix_schedules_end_time", ["end_time", "id"], unique=False)
        batch_op.create_index(
            "ix_schedules_interval_second", ["interval_second", "id"], unique=False
        )
        batch_op.create_index("ix_schedules_last_run_time", ["last_run_time", "id"], unique=False)
        batch_op.create_index("ix_schedules_next_run_time", ["next_run_time", "id"], unique=False)
        batch_op.create_index("ix_schedules_pipeline_id", ["pipeline_id", "id"], unique=False)
        batch_op.create_index(
            "ix_schedules_run_once_start_time", ["run_once_start_time", "id"], unique=False
        )
        batch_op.create_index("ix_schedules_start_time", ["start_time", "id"], unique=False)
        batch_op.create_index("ix_schedules_template_id", ["template_id", "id"], unique=False)
        batch_op.create_index("ix_schedules_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_schedules_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "pipeline_runs",
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
        sa.Column(
            "status",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "start_time",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column(
            "end_time",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column(
            "pipeline_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "stack_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "schedule_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "build_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "template_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "snapshot_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "code_repository_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "code_reference", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True
        ),
        sa.Column("code_path", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("config", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column(
            "orchestrator_run_id",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["build_id"], ["builds.id"], name="fk_pipeline_runs_build_id", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["code_repository_id"],
            ["code_repositories.id"],
            name="fk_pipeline_runs_code_repository_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipelines.id"],
            name="fk_pipeline_runs_pipeline_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name="fk_pipeline_runs_schedule_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshots.id"],
            name="fk_pipeline_runs_snapshot_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stack_id"], ["stacks.id"], name="fk_pipeline_runs_stack_id", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["run_templates.id"],
            name="fk_pipeline_runs_template_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_pipeline_runs_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_pipeline_runs_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("pipeline_runs", schema=None) as batch_op:
        batch_op.create_index("ix_pipeline_runs_build_id", ["build_id", "id"], unique=False)
        batch_op.create_index(
            "ix_pipeline_runs_code_repository_id", ["code_repository_id", "id"], unique=False
        )
        batch_op.create_index("ix_pipeline_runs_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_pipeline_runs_end_time", ["end_time", "id"], unique=False)
        batch_op.create_index(
            "ix_pipeline_runs_orchestrator_run_id", ["orchestrator_run_id", "id"], unique=False
        )
        batch_op.create_index("ix_pipeline_runs_pipeline_id", ["pipeline_id", "id"], unique=False)
        batch_op.create_index(
            "ix_pipeline_runs_pipeline_id_created_id",
            ["pipeline_id", "created", "id"],
            unique=False,
        )
        batch_op.create_index("ix_pipeline_runs_schedule_id", ["schedule_id", "id"], unique=False)
        batch_op.create_index("ix_pipeline_runs_snapshot_id", ["snapshot_id", "id"], unique=False)
        batch_op.create_index("ix_pipeline_runs_stack_id", ["stack_id", "id"], unique=False)
        batch_op.create_index(
            "ix_pipeline_runs_stack_id_user_id", ["stack_id", "user_id"], unique=False
        )
        batch_op.create_index(
            "ix_pipeline_runs_stack_id_user_id_start_time_id",
            ["stack_id", "user_id", "start_time", "id"],
            unique=False,
        )
        batch_op.create_index("ix_pipeline_runs_start_time", ["start_time", "id"], unique=False)
        batch_op.create_index("ix_pipeline_runs_status", ["status", "id"], unique=False)
        batch_op.create_index("ix_pipeline_runs_template_id", ["template_id", "id"], unique=False)
        batch_op.create_index("ix_pipeline_runs_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_pipeline_runs_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "run_steps",
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
        sa.Column(
            "status",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "pipeline_run_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "start_time",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column(
            "end_time",
            sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=True,
        ),
        sa.Column(
            "cache_key",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "original_step_run_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "code_hash",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("source", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("parameters", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("config", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("logs_uri", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("error", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=True),
        sa.Column("attempts", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["original_step_run_id"],
            ["run_steps.id"],
            name="fk_run_steps_original_step_run_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_run_id"],
            ["pipeline_runs.id"],
            name="fk_run_steps_pipeline_run_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_run_steps_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pipeline_run_id", "name", name="uq_run_steps_pipeline_run_id_name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("run_steps", schema=None) as batch_op:
        batch_op.create_index("ix_run_steps_attempts", ["attempts", "id"], unique=False)
        batch_op.create_index("ix_run_steps_cache_key", ["cache_key", "id"], unique=False)
        batch_op.create_index("ix_run_steps_code_hash", ["code_hash", "id"], unique=False)
        batch_op.create_index("ix_run_steps_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_run_steps_end_time", ["end_time", "id"], unique=False)
        batch_op.create_index("ix_run_steps_name", ["name", "id"], unique=False)
        batch_op.create_index(
            "ix_run_steps_original_step_run_id", ["original_step_run_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_run_steps_pipeline_run_id", ["pipeline_run_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_run_steps_pipeline_run_id_created_id",
            ["pipeline_run_id", "created", "id"],
            unique=False,
        )
        batch_op.create_index("ix_run_steps_start_time", ["start_time", "id"], unique=False)
        batch_op.create_index("ix_run_steps_status", ["status", "id"], unique=False)
        batch_op.create_index("ix_run_steps_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_run_steps_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "artifact_versions",
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
            "artifact_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "name",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "version",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("number", sa.BigInteger(), nullable=True),
        sa.Column("uri", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=False),
        sa.Column(
            "type",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("data_type", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=False),
        sa.Column(
            "materializer", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=False
        ),
        sa.Column(
            "producer_step_run_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "content_hash",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name="fk_artifact_versions_artifact_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["producer_step_run_id"],
            ["run_steps.id"],
            name="fk_artifact_versions_producer_step_run_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_artifact_versions_user_id", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "artifact_id", "version", name="uq_artifact_versions_artifact_id_version"
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("artifact_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_artifact_versions_artifact_id", ["artifact_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_artifact_versions_artifact_id_number", ["artifact_id", "number"], unique=False
        )
        batch_op.create_index(
            "ix_artifact_versions_content_hash", ["content_hash", "id"], unique=False
        )
        batch_op.create_index("ix_artifact_versions_created", ["created", "id"], unique=False)
        batch_op.create_index("ix_artifact_versions_name", ["name", "id"], unique=False)
        batch_op.create_index("ix_artifact_versions_number", ["number", "id"], unique=False)
        batch_op.create_index(
            "ix_artifact_versions_producer_step_run_id",
            ["producer_step_run_id", "id"],
            unique=False,
        )
        batch_op.create_index("ix_artifact_versions_type", ["type", "id"], unique=False)
        batch_op.create_index("ix_artifact_versions_updated", ["updated", "id"], unique=False)
        batch_op.create_index("ix_artifact_versions_user_id", ["user_id", "id"], unique=False)
        batch_op.create_index("ix_artifact_versions_version", ["version", "id"], unique=False)

    op.create_table(
        "step_run_artifacts",
        sa.Column(
            "step_run_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column(
            "name",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "artifact_version_id",
            sa.String(length=36).with_variant(sa.VARCHAR(length=36, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["artifact_version_id"],
            ["artifact_versions.id"],
            name="fk_step_run_artifacts_artifact_version_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_run_id"],
            ["run_steps.id"],
            name="fk_step_run_artifacts_step_run_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("step_run_id", "kind", "name"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("step_run_artifacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_step_run_artifacts_artifact_version_id"),
            ["artifact_version_id"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("step_run_artifacts")
    op.drop_table("artifact_versions")
    op.drop_table("run_steps")
    op.drop_table("pipeline_runs")
    op.drop_table("schedules")
    op.drop_table("run_templates")
    op.drop_table("stack_compositions")
    op.drop_table("snapshots")
    op.drop_table("tag_assignments")
    op.drop_table("stack_components")
    op.drop_table("builds")
    op.drop_table("tags")
    op.drop_table("stacks")
    op.drop_table("service_connectors")
    op.drop_table("secrets")
    op.drop_table("run_metadata")
    op.drop_table("pipelines")
    op.drop_table("flavors")
    op.drop_table("code_repositories")
    op.drop_table("artifacts")
    op.drop_table("api_keys")
    op.drop_table("users")
