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
        batch_op.create_index(batch_op.f("ix_users_active"), ["active"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_full_name"), ["full_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_is_admin"), ["is_admin"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_users_is_service_account"), ["is_service_account"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_users_token_epoch"), ["token_epoch"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_updated"), ["updated"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_api_keys_active"), ["active"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_keys_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_keys_description"), ["description"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_keys_key_prefix"), ["key_prefix"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_keys_last_used"), ["last_used"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_keys_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_api_keys_service_account_id"), ["service_account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_keys_updated"), ["updated"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_artifacts_created"), ["created"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_artifacts_has_custom_name"), ["has_custom_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_artifacts_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_artifacts_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_code_repositories_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_code_repositories_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_code_repositories_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_code_repositories_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_flavors_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_flavors_integration"), ["integration"], unique=False)
        batch_op.create_index(batch_op.f("ix_flavors_is_custom"), ["is_custom"], unique=False)
        batch_op.create_index(batch_op.f("ix_flavors_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_flavors_type"), ["type"], unique=False)
        batch_op.create_index(batch_op.f("ix_flavors_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_flavors_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_pipelines_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_pipelines_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_pipelines_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_run_metadata_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_metadata_key"), ["key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_run_metadata_resource_id"), ["resource_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_run_metadata_resource_type"), ["resource_type"], unique=False
        )
        batch_op.create_index(
            "ix_run_metadata_resource_type_resource_id",
            ["resource_type", "resource_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_run_metadata_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_metadata_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_secrets_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_secrets_private"), ["private"], unique=False)
        batch_op.create_index(batch_op.f("ix_secrets_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_secrets_user_id"), ["user_id"], unique=False)

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
            batch_op.f("ix_service_connectors_auth_method"), ["auth_method"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_connectors_connector_type"), ["connector_type"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_connectors_created"), ["created"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_connectors_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_connectors_resource_id"), ["resource_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_connectors_updated"), ["updated"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_connectors_user_id"), ["user_id"], unique=False
        )

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
        batch_op.create_index(batch_op.f("ix_stacks_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_stacks_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_stacks_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_tags_color"), ["color"], unique=False)
        batch_op.create_index(batch_op.f("ix_tags_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_tags_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_tags_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_builds_checksum"), ["checksum"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_builds_contains_code"), ["contains_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_builds_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_builds_is_local"), ["is_local"], unique=False)
        batch_op.create_index(batch_op.f("ix_builds_pipeline_id"), ["pipeline_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_builds_python_version"), ["python_version"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_builds_stack_id"), ["stack_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_builds_stackyard_version"), ["stackyard_version"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_builds_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_builds_user_id"), ["user_id"], unique=False)

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
            batch_op.f("ix_stack_components_connector_id"), ["connector_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stack_components_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_stack_components_flavor"), ["flavor"], unique=False)
        batch_op.create_index(batch_op.f("ix_stack_components_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_stack_components_type"), ["type"], unique=False)
        batch_op.create_index(batch_op.f("ix_stack_components_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_stack_components_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_snapshots_build_id"), ["build_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_snapshots_code_repository_id"), ["code_repository_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_snapshots_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_snapshots_pipeline_id"), ["pipeline_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_snapshots_schedule_id"), ["schedule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_snapshots_stack_id"), ["stack_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_snapshots_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_snapshots_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_run_templates_build_id"), ["build_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_run_templates_code_repository_id"), ["code_repository_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_run_templates_created"), ["created"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_run_templates_pipeline_id"), ["pipeline_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_run_templates_runnable"), ["runnable"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_run_templates_snapshot_id"), ["snapshot_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_run_templates_stack_id"), ["stack_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_templates_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_templates_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_schedules_active"), ["active"], unique=False)
        batch_op.create_index(
            "ix_schedules_active_next_run_time", ["active", "next_run_time"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_schedules_catchup"), ["catchup"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_created"), ["created"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_schedules_cron_expression"), ["cron_expression"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_schedules_end_time"), ["end_time"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_schedules_interval_second"), ["interval_second"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_schedules_last_run_time"), ["last_run_time"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_schedules_next_run_time"), ["next_run_time"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_schedules_pipeline_id"), ["pipeline_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_schedules_run_once_start_time"), ["run_once_start_time"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_schedules_start_time"), ["start_time"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_template_id"), ["template_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_pipeline_runs_build_id"), ["build_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pipeline_runs_code_repository_id"), ["code_repository_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pipeline_runs_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_pipeline_runs_end_time"), ["end_time"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pipeline_runs_orchestrator_run_id"),
            ["orchestrator_run_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_pipeline_runs_pipeline_id"), ["pipeline_id"], unique=False
        )
        batch_op.create_index(
            "ix_pipeline_runs_pipeline_id_created", ["pipeline_id", "created"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pipeline_runs_schedule_id"), ["schedule_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pipeline_runs_snapshot_id"), ["snapshot_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pipeline_runs_stack_id"), ["stack_id"], unique=False)
        batch_op.create_index(
            "ix_pipeline_runs_stack_id_user_id_start_time",
            ["stack_id", "user_id", "start_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_pipeline_runs_start_time"), ["start_time"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pipeline_runs_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pipeline_runs_template_id"), ["template_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pipeline_runs_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_pipeline_runs_user_id"), ["user_id"], unique=False)

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
        batch_op.create_index(batch_op.f("ix_run_steps_attempts"), ["attempts"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_steps_cache_key"), ["cache_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_steps_code_hash"), ["code_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_steps_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_steps_end_time"), ["end_time"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_steps_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_run_steps_original_step_run_id"), ["original_step_run_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_run_steps_pipeline_run_id"), ["pipeline_run_id"], unique=False
        )
        batch_op.create_index(
            "ix_run_steps_pipeline_run_id_created", ["pipeline_run_id", "created"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_run_steps_start_time"), ["start_time"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_steps_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_steps_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_steps_user_id"), ["user_id"], unique=False)

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
            batch_op.f("ix_artifact_versions_artifact_id"), ["artifact_id"], unique=False
        )
        batch_op.create_index(
            "ix_artifact_versions_artifact_id_number", ["artifact_id", "number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_artifact_versions_content_hash"), ["content_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_artifact_versions_created"), ["created"], unique=False)
        batch_op.create_index(batch_op.f("ix_artifact_versions_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_artifact_versions_number"), ["number"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_artifact_versions_producer_step_run_id"),
            ["producer_step_run_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_artifact_versions_type"), ["type"], unique=False)
        batch_op.create_index(batch_op.f("ix_artifact_versions_updated"), ["updated"], unique=False)
        batch_op.create_index(batch_op.f("ix_artifact_versions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_artifact_versions_version"), ["version"], unique=False)

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
    with op.batch_alter_table("step_run_artifacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_step_run_artifacts_artifact_version_id"))

    op.drop_table("step_run_artifacts")
    with op.batch_alter_table("artifact_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_artifact_versions_version"))
        batch_op.drop_index(batch_op.f("ix_artifact_versions_user_id"))
        batch_op.drop_index(batch_op.f("ix_artifact_versions_updated"))
        batch_op.drop_index(batch_op.f("ix_artifact_versions_type"))
        batch_op.drop_index(batch_op.f("ix_artifact_versions_producer_step_run_id"))
        batch_op.drop_index(batch_op.f("ix_artifact_versions_number"))
        batch_op.drop_index(batch_op.f("ix_artifact_versions_name"))
        batch_op.drop_index(batch_op.f("ix_artifact_versions_created"))
        batch_op.drop_index(batch_op.f("ix_artifact_versions_content_hash"))
        batch_op.drop_index("ix_artifact_versions_artifact_id_number")
        batch_op.drop_index(batch_op.f("ix_artifact_versions_artifact_id"))

    op.drop_table("artifact_versions")
    with op.batch_alter_table("run_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_steps_user_id"))
        batch_op.drop_index(batch_op.f("ix_run_steps_updated"))
        batch_op.drop_index(batch_op.f("ix_run_steps_status"))
        batch_op.drop_index(batch_op.f("ix_run_steps_start_time"))
        batch_op.drop_index("ix_run_steps_pipeline_run_id_created")
        batch_op.drop_index(batch_op.f("ix_run_steps_pipeline_run_id"))
        batch_op.drop_index(batch_op.f("ix_run_steps_original_step_run_id"))
        batch_op.drop_index(batch_op.f("ix_run_steps_name"))
        batch_op.drop_index(batch_op.f("ix_run_steps_end_time"))
        batch_op.drop_index(batch_op.f("ix_run_steps_created"))
        batch_op.drop_index(batch_op.f("ix_run_steps_code_hash"))
        batch_op.drop_index(batch_op.f("ix_run_steps_cache_key"))
        batch_op.drop_index(batch_op.f("ix_run_steps_attempts"))

    op.drop_table("run_steps")
    with op.batch_alter_table("pipeline_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_user_id"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_updated"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_template_id"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_status"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_start_time"))
        batch_op.drop_index("ix_pipeline_runs_stack_id_user_id_start_time")
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_stack_id"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_snapshot_id"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_schedule_id"))
        batch_op.drop_index("ix_pipeline_runs_pipeline_id_created")
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_pipeline_id"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_orchestrator_run_id"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_end_time"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_created"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_code_repository_id"))
        batch_op.drop_index(batch_op.f("ix_pipeline_runs_build_id"))

    op.drop_table("pipeline_runs")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedules_user_id"))
        batch_op.drop_index(batch_op.f("ix_schedules_updated"))
        batch_op.drop_index(batch_op.f("ix_schedules_template_id"))
        batch_op.drop_index(batch_op.f("ix_schedules_start_time"))
        batch_op.drop_index(batch_op.f("ix_schedules_run_once_start_time"))
        batch_op.drop_index(batch_op.f("ix_schedules_pipeline_id"))
        batch_op.drop_index(batch_op.f("ix_schedules_next_run_time"))
        batch_op.drop_index(batch_op.f("ix_schedules_last_run_time"))
        batch_op.drop_index(batch_op.f("ix_schedules_interval_second"))
        batch_op.drop_index(batch_op.f("ix_schedules_end_time"))
        batch_op.drop_index(batch_op.f("ix_schedules_cron_expression"))
        batch_op.drop_index(batch_op.f("ix_schedules_created"))
        batch_op.drop_index(batch_op.f("ix_schedules_catchup"))
        batch_op.drop_index("ix_schedules_active_next_run_time")
        batch_op.drop_index(batch_op.f("ix_schedules_active"))

    op.drop_table("schedules")
    with op.batch_alter_table("run_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_templates_user_id"))
        batch_op.drop_index(batch_op.f("ix_run_templates_updated"))
        batch_op.drop_index(batch_op.f("ix_run_templates_stack_id"))
        batch_op.drop_index(batch_op.f("ix_run_templates_snapshot_id"))
        batch_op.drop_index(batch_op.f("ix_run_templates_runnable"))
        batch_op.drop_index(batch_op.f("ix_run_templates_pipeline_id"))
        batch_op.drop_index(batch_op.f("ix_run_templates_created"))
        batch_op.drop_index(batch_op.f("ix_run_templates_code_repository_id"))
        batch_op.drop_index(batch_op.f("ix_run_templates_build_id"))

    op.drop_table("run_templates")
    with op.batch_alter_table("stack_compositions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stack_compositions_component_id"))

    op.drop_table("stack_compositions")
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_snapshots_user_id"))
        batch_op.drop_index(batch_op.f("ix_snapshots_updated"))
        batch_op.drop_index(batch_op.f("ix_snapshots_stack_id"))
        batch_op.drop_index(batch_op.f("ix_snapshots_schedule_id"))
        batch_op.drop_index(batch_op.f("ix_snapshots_pipeline_id"))
        batch_op.drop_index(batch_op.f("ix_snapshots_created"))
        batch_op.drop_index(batch_op.f("ix_snapshots_code_repository_id"))
        batch_op.drop_index(batch_op.f("ix_snapshots_build_id"))

    op.drop_table("snapshots")
    with op.batch_alter_table("tag_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_tag_assignments_resource")

    op.drop_table("tag_assignments")
    with op.batch_alter_table("stack_components", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stack_components_user_id"))
        batch_op.drop_index(batch_op.f("ix_stack_components_updated"))
        batch_op.drop_index(batch_op.f("ix_stack_components_type"))
        batch_op.drop_index(batch_op.f("ix_stack_components_name"))
        batch_op.drop_index(batch_op.f("ix_stack_components_flavor"))
        batch_op.drop_index(batch_op.f("ix_stack_components_created"))
        batch_op.drop_index(batch_op.f("ix_stack_components_connector_id"))

    op.drop_table("stack_components")
    with op.batch_alter_table("builds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_builds_user_id"))
        batch_op.drop_index(batch_op.f("ix_builds_updated"))
        batch_op.drop_index(batch_op.f("ix_builds_stackyard_version"))
        batch_op.drop_index(batch_op.f("ix_builds_stack_id"))
        batch_op.drop_index(batch_op.f("ix_builds_python_version"))
        batch_op.drop_index(batch_op.f("ix_builds_pipeline_id"))
        batch_op.drop_index(batch_op.f("ix_builds_is_local"))
        batch_op.drop_index(batch_op.f("ix_builds_created"))
        batch_op.drop_index(batch_op.f("ix_builds_contains_code"))
        batch_op.drop_index(batch_op.f("ix_builds_checksum"))

    op.drop_table("builds")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_user_id"))
        batch_op.drop_index(batch_op.f("ix_tags_updated"))
        batch_op.drop_index(batch_op.f("ix_tags_created"))
        batch_op.drop_index(batch_op.f("ix_tags_color"))

    op.drop_table("tags")
    with op.batch_alter_table("stacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stacks_user_id"))
        batch_op.drop_index(batch_op.f("ix_stacks_updated"))
        batch_op.drop_index(batch_op.f("ix_stacks_created"))

    op.drop_table("stacks")
    with op.batch_alter_table("service_connectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_connectors_user_id"))
        batch_op.drop_index(batch_op.f("ix_service_connectors_updated"))
        batch_op.drop_index(batch_op.f("ix_service_connectors_resource_id"))
        batch_op.drop_index(batch_op.f("ix_service_connectors_expires_at"))
        batch_op.drop_index(batch_op.f("ix_service_connectors_created"))
        batch_op.drop_index(batch_op.f("ix_service_connectors_connector_type"))
        batch_op.drop_index(batch_op.f("ix_service_connectors_auth_method"))

    op.drop_table("service_connectors")
    with op.batch_alter_table("secrets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_secrets_user_id"))
        batch_op.drop_index(batch_op.f("ix_secrets_updated"))
        batch_op.drop_index(batch_op.f("ix_secrets_private"))
        batch_op.drop_index(batch_op.f("ix_secrets_created"))

    op.drop_table("secrets")
    with op.batch_alter_table("run_metadata", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_metadata_user_id"))
        batch_op.drop_index(batch_op.f("ix_run_metadata_updated"))
        batch_op.drop_index("ix_run_metadata_resource_type_resource_id")
        batch_op.drop_index(batch_op.f("ix_run_metadata_resource_type"))
        batch_op.drop_index(batch_op.f("ix_run_metadata_resource_id"))
        batch_op.drop_index(batch_op.f("ix_run_metadata_key"))
        batch_op.drop_index(batch_op.f("ix_run_metadata_created"))

    op.drop_table("run_metadata")
    with op.batch_alter_table("pipelines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pipelines_user_id"))
        batch_op.drop_index(batch_op.f("ix_pipelines_updated"))
        batch_op.drop_index(batch_op.f("ix_pipelines_created"))

    op.drop_table("pipelines")
    with op.batch_alter_table("flavors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flavors_user_id"))
        batch_op.drop_index(batch_op.f("ix_flavors_updated"))
        batch_op.drop_index(batch_op.f("ix_flavors_type"))
        batch_op.drop_index(batch_op.f("ix_flavors_name"))
        batch_op.drop_index(batch_op.f("ix_flavors_is_custom"))
        batch_op.drop_index(batch_op.f("ix_flavors_integration"))
        batch_op.drop_index(batch_op.f("ix_flavors_created"))

    op.drop_table("flavors")
    with op.batch_alter_table("code_repositories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_repositories_user_id"))
        batch_op.drop_index(batch_op.f("ix_code_repositories_updated"))
        batch_op.drop_index(batch_op.f("ix_code_repositories_source"))
        batch_op.drop_index(batch_op.f("ix_code_repositories_created"))

    op.drop_table("code_repositories")
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_artifacts_user_id"))
        batch_op.drop_index(batch_op.f("ix_artifacts_updated"))
        batch_op.drop_index(batch_op.f("ix_artifacts_has_custom_name"))
        batch_op.drop_index(batch_op.f("ix_artifacts_created"))

    op.drop_table("artifacts")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_updated"))
        batch_op.drop_index(batch_op.f("ix_api_keys_service_account_id"))
        batch_op.drop_index(batch_op.f("ix_api_keys_name"))
        batch_op.drop_index(batch_op.f("ix_api_keys_last_used"))
        batch_op.drop_index(batch_op.f("ix_api_keys_key_prefix"))
        batch_op.drop_index(batch_op.f("ix_api_keys_description"))
        batch_op.drop_index(batch_op.f("ix_api_keys_created"))
        batch_op.drop_index(batch_op.f("ix_api_keys_active"))

    op.drop_table("api_keys")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_updated"))
        batch_op.drop_index(batch_op.f("ix_users_token_epoch"))
        batch_op.drop_index(batch_op.f("ix_users_is_service_account"))
        batch_op.drop_index(batch_op.f("ix_users_is_admin"))
        batch_op.drop_index(batch_op.f("ix_users_full_name"))
        batch_op.drop_index(batch_op.f("ix_users_email"))
        batch_op.drop_index(batch_op.f("ix_users_created"))
        batch_op.drop_index(batch_op.f("ix_users_active"))

    op.drop_table("users")
