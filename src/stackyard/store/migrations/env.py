"""Alembic environment: runs on the connection stackyard hands it."""

from __future__ import annotations

from alembic import context

from stackyard.store.sql.schema import build_metadata

config = context.config
target_metadata = build_metadata()


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
