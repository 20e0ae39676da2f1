"""write counts: every table's writes counted by triggers, for exact cached list totals

A list's `total` is a COUNT(*) over every matching row (60,000 index entries for a
typical query at 100,000 runs). Triggers count each write to every table in
`write_counts`, in the writing transaction; a server keeps each total it counted
together with the counts of the tables its query reads, and counts again only once
one of them moved (see `stackyard.store.sql.totals`).

The tables are listed as they are at this revision: a later revision that adds a
table, or a filterable column, creates or recreates that table's triggers with
`count_triggers` (on SQLite, also after a batch operation that rebuilt a table).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from stackyard.store.sql.schema import CountedTable, count_triggers, drop_count_triggers

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# table: (the columns an update must change to count, the tables a delete changes through
# foreign keys), as they are at this revision
TABLES = {
    "api_keys": ("id created updated name service_account_id description active last_used", ""),
    "artifact_versions": (
        "id created updated user_id artifact_id name version number uri type data_type "
        "materializer producer_step_run_id artifact_store_id content_hash",
        "model_version_artifact_links step_run_artifacts",
    ),
    "artifacts": (
        "id created updated user_id name has_custom_name",
        "artifact_versions model_version_artifact_links step_run_artifacts",
    ),
    "builds": (
        "id created updated user_id pipeline_id stack_id checksum is_local contains_code "
        "python_version stackyard_version dockerfile",
        "pipeline_runs run_templates snapshots",
    ),
    "code_repositories": (
        "id created updated user_id name source description logo_url",
        "pipeline_runs run_templates snapshots",
    ),
    "flavors": (
        "id created updated user_id name type source integration is_custom connector_resource_type",
        "",
    ),
    "login_failures": ("id key created", ""),
    "model_version_artifact_links": (
        "id created updated user_id model_id model_version_id artifact_version_id "
        "artifact_name is_model_artifact is_deployment_artifact",
        "",
    ),
    "model_version_pipeline_run_links": (
        "id created updated user_id model_id model_version_id pipeline_run_id",
        "",
    ),
    "model_versions": (
        "id created updated user_id model_id name number description stage",
        "model_version_artifact_links model_version_pipeline_run_links",
    ),
    "models": (
        "id created updated user_id name description license audience use_cases limitations "
        "trade_offs ethics",
        "model_version_artifact_links model_version_pipeline_run_links model_versions",
    ),
    "pipeline_runs": (
        "id created updated user_id name status start_time end_time pipeline_id stack_id "
        "schedule_id build_id template_id snapshot_id code_repository_id code_path "
        "orchestrator_run_id status_reason heartbeat_deadline",
        "artifact_versions model_version_pipeline_run_links run_steps step_run_artifacts",
    ),
    "pipelines": (
        "id created updated user_id name description",
        "builds pipeline_runs run_templates schedules snapshots",
    ),
    "run_metadata": ("id created updated user_id resource_type resource_id key", ""),
    "run_steps": (
        "id created updated user_id name status pipeline_run_id start_time end_time cache_key "
        "original_step_run_id code_hash source logs_uri error attempts",
        "artifact_versions step_run_artifacts",
    ),
    "run_templates": (
        "id created updated user_id name description snapshot_id pipeline_id stack_id "
        "build_id code_repository_id runnable not_runnable_reason",
        "pipeline_runs schedules",
    ),
    "schedules": (
        "id created updated user_id name pipeline_id template_id cron_expression "
        "interval_second start_time end_time run_once_start_time catchup active next_run_time "
        "last_run_time",
        "pipeline_runs",
    ),
    "secrets": ("id created updated user_id name private", ""),
    "service_connectors": (
        "id created updated user_id name connector_type auth_method resource_id expires_at "
        "description",
        "stack_components",
    ),
    "settings": ("key value", ""),
    "snapshots": (
        "id created updated user_id pipeline_id stack_id build_id schedule_id "
        "run_name_template code_path source code_repository_id",
        "pipeline_runs run_templates schedules",
    ),
    "stack_components": (
        "id created updated user_id name type flavor connector_id connector_resource_id",
        "artifact_versions stack_compositions",
    ),
    "stack_compositions": ("stack_id component_id", ""),
    "stacks": (
        "id created updated user_id name description",
        "builds pipeline_runs run_templates schedules snapshots stack_compositions",
    ),
    "step_run_artifacts": ("step_run_id kind name artifact_version_id", ""),
    "tag_assignments": ("tag_id resource_type resource_id", ""),
    "tags": ("id created updated user_id name color", "tag_assignments"),
    "users": (
        "id created updated name full_name email is_admin active is_service_account",
        "api_keys artifact_versions artifacts builds code_repositories flavors "
        "model_version_artifact_links model_version_pipeline_run_links model_versions models "
        "pipeline_runs pipelines run_metadata run_steps run_templates schedules secrets "
        "service_connectors snapshots stack_components stacks tags",
    ),
}
COUNTED = [CountedTable(t, tuple(c.split()), tuple(d.split())) for t, (c, d) in TABLES.items()]


def upgrade() -> None:
    op.create_table(
        "write_counts",
        sa.Column(
            "table_name",
            sa.String(length=64).with_variant(postgresql.VARCHAR(64, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("writer", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("writes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "writer"),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    bind = op.get_bind()
    for statement in count_triggers(bind.dialect.name, COUNTED):
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in drop_count_triggers(bind.dialect.name, COUNTED):
        bind.exec_driver_sql(statement)
    op.drop_table("write_counts")
