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
