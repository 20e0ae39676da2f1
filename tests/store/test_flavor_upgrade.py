"""A store seeded before the ray and s3 flavors existed gets them from migration 0013."""

from __future__ import annotations

from pathlib import Path

from stackyard.store.sql.db import Database, DatabaseURL
from stackyard.store.sql.migrate import upgrade


def _flavors(url: DatabaseURL) -> set[tuple[str, str]]:
    db = Database(url)
    try:
        with db.transaction(write=False) as tx:
            return {(r[0], r[1]) for r in tx.fetchall("SELECT name, type FROM flavors")}
    finally:
        db.close()


def test_upgrading_a_seeded_store_adds_the_new_builtin_flavors(tmp_path: Path) -> None:
    from stackyard.store.sql.bootstrap import seed
    from stackyard.store.sql.store import SqlStore

    url = DatabaseURL.parse(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(url, "0001")
    old = SqlStore(url.raw, migrate=False)
    seed(old)
    with old.db.transaction() as tx:  # as seeded by a release without them
        tx.execute("DELETE FROM flavors WHERE name IN ('ray', 's3')")
    old.close()
    assert ("ray", "orchestrator") not in _flavors(url)

    upgrade(url)
    found = _flavors(url)
    assert {("ray", "orchestrator"), ("s3", "artifact_store")} <= found
    store = SqlStore(url.raw)
    s3 = store.find("flavor", "s3", type="artifact_store")
    assert not s3.is_custom and "authentication_secret" in s3.config_schema["properties"]
    store.close()
