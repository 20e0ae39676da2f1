"""Migrations: an empty database reaches head, matches the models, and round-trips."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import temporary_database

from stackyard.store.sql.db import Database, DatabaseURL
from stackyard.store.sql.migrate import HEAD_REVISION, current_revision, downgrade, upgrade


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    with temporary_database(request.param) as url:
        yield url


def _schema_diff(url: str) -> list:
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from stackyard.store.sql.schema import build_metadata

    engine = sa.create_engine(DatabaseURL.parse(url).sqlalchemy_url())
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, build_metadata()))
    finally:
        engine.dispose()


def test_empty_database_upgrades_to_head_matching_the_models(empty_url: str) -> None:
    url = DatabaseURL.parse(empty_url)
    assert current_revision(Database(url)) is None
    upgrade(url)
    assert current_revision(Database(url)) == HEAD_REVISION
    assert _schema_diff(empty_url) == [], "models changed without a migration"


def test_downgrade_and_upgrade_round_trip(empty_url: str) -> None:
    url = DatabaseURL.parse(empty_url)
    upgrade(url)
    downgrade(url, "base")
    assert current_revision(Database(url)) is None
    upgrade(url)
    assert current_revision(Database(url)) == HEAD_REVISION
    assert _schema_diff(empty_url) == []


def test_head_revision_constant_matches_the_scripts() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from stackyard.store.sql.migrate import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION


def _triggers(url: str) -> set[tuple[str, str, str, str]]:
    """(name, event, table, what it does) of every trigger in the database: the SQL
    itself on SQLite and MySQL; on PostgreSQL, which columns its WHEN compares."""
    import re

    import sqlalchemy as sa

    engine = sa.create_engine(DatabaseURL.parse(url).sqlalchemy_url())
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                rows = conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                )
                return {_facts("sqlite", sql) for _, sql in rows}
            if engine.dialect.name == "mysql":
                rows = conn.exec_driver_sql(
                    "SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, "
                    "ACTION_STATEMENT FROM information_schema.TRIGGERS "
                    "WHERE TRIGGER_SCHEMA = DATABASE()"
                )
                return {(n, e.lower(), t, body) for n, e, t, body in rows}
            rows = conn.exec_driver_sql(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
            )
            found = set()
            for name, definition in rows:
                head = re.search(r"AFTER (\w+) ON (?:public\.)?(\w+)", definition)
                assert head is not None, definition
                event, table = head.groups()
                columns = ",".join(sorted(set(re.findall(r"old\.(\w+)", definition))))
                found.add((name, event.lower(), table, columns))
            return found
    finally:
        engine.dispose()


def _facts(dialect: str, statement: str) -> tuple[str, str, str, str]:
    """What `_triggers` reads back from the database, from a CREATE TRIGGER statement."""
    import re

    head = re.match(r'CREATE TRIGGER [`"](\w+)[`"] AFTER (\w+) ON [`"](\w+)[`"]', statement)
    assert head is not None, statement
    name, event, table = head.groups()
    if dialect == "sqlite":
        return (name, event.lower(), table, statement)
    if dialect == "mysql":
        return (name, event.lower(), table, statement.split(" FOR EACH ROW ", 1)[1])
    columns = ",".join(sorted(set(re.findall(r'OLD\."(\w+)"', statement))))
    return (name, event.lower(), table, columns)


def test_every_table_counts_its_writes_as_the_models_say(empty_url: str) -> None:
    """The triggers at head are those `count_triggers` derives from the models: a new
    table, or a new filterable column, needs them created in its migration."""
    from stackyard.store.sql.schema import build_metadata, count_triggers, counted_tables

    upgrade(DatabaseURL.parse(empty_url))
    dialect = DatabaseURL.parse(empty_url).dialect
    statements = count_triggers(dialect, counted_tables(build_metadata()))
    expected = {_facts(dialect, s) for s in statements if s.startswith("CREATE TRIGGER")}
    assert _triggers(empty_url) == expected
