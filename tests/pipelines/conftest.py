"""Fixtures for pipeline tests: a quick fresh store, importable helper steps and a
parallel stack.

Migrating a new SQLite store takes seconds (Alembic), so the schema is built
once per session and each test gets a copy in its own config directory; the
store seeds the defaults (user, stack, artifact store under that directory) on
first use, exactly as on a fresh machine.

Steps run by the local_parallel orchestrator are imported by path in worker
processes, so they live in `parallel_steps.py` beside this file; this
directory is put on `sys.path` (which spawned workers inherit) whatever
pytest's import mode.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite store at the newest schema, without the seeded defaults."""
    from stackyard.store.sql.db import Database, DatabaseURL
    from stackyard.store.sql.migrate import ensure_schema

    path = tmp_path_factory.mktemp("template") / "stackyard.db"
    db = Database(DatabaseURL.parse(f"sqlite:///{path}"))
    ensure_schema(db)
    db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(autouse=True)
def fresh_store(isolated_config: Path, migrated_db: Path) -> None:
    isolated_config.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_db, isolated_config / "stackyard.db")


@pytest.fixture
def parallel_stack() -> str:
    """Activate a stack whose orchestrator runs up to two steps at once in processes."""
    from stackyard.client import Client

    client = Client()
    client.create_stack_component("parallel", "local_parallel", "orchestrator", {"max_workers": 2})
    client.create_stack(
        "parallel", components={"orchestrator": "parallel", "artifact_store": "default"}
    )
    client.activate_stack("parallel")
    return "parallel"
