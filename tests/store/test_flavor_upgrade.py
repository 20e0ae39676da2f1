"""A store seeded before a built-in flavor existed gets it: ray and s3 from migration 0003
(with the connector resource type s3 needs from 0005), later ones (mlflow) when the store
is next opened."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest
from support import temporary_database

from stackyard.store.sql.db import Database, DatabaseURL
from stackyard.store.sql.migrate import upgrade


def _flavors(url: DatabaseURL) -> set[tuple[str, str]]:
    db = Database(url)
    try:
        with db.transaction(write=False) as tx:
            return {(r[0], r[1]) for r in tx.fetchall("SELECT name, type FROM flavors")}
    finally:
        db.close()


def test_upgrading_a_seeded_store_adds_the_new_builtin_flavors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stackyard.store.sql import bootstrap
    from stackyard.store.sql.store import SqlStore

    url = DatabaseURL.parse(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(url, "0001")
    old = SqlStore(url.raw, migrate=False)
    rows = bootstrap._builtin_flavor_rows  # as a release before 0005 wrote them
    monkeypatch.setattr(
        bootstrap,
        "_builtin_flavor_rows",
        lambda: [{k: v for k, v in r.items() if k != "connector_resource_type"} for r in rows()],
    )
    bootstrap.seed(old)
    monkeypatch.undo()
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
    assert s3.connector_resource_type == "s3-bucket"  # recorded by migration 0005
    ray = store.find("flavor", "ray", type="orchestrator")
    assert ray.connector_resource_type is None
    store.close()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_opening_a_store_seeded_by_an_older_release_adds_new_builtin_flavors(
    tmp_path: Path, dialect: str
) -> None:
    """Built-in flavors released after a store was seeded (mlflow) arrive when it is next
    opened, without a migration; a custom flavor holding the same name keeps it."""
    with ExitStack() as stack:
        raw = (
            f"sqlite:///{tmp_path / 'old.db'}"
            if dialect == "sqlite"
            else stack.enter_context(temporary_database(dialect))
        )
        _check_flavors_arrive(DatabaseURL.parse(raw))


def _check_flavors_arrive(url: DatabaseURL) -> None:
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(url.raw)
    with store.db.transaction() as tx:  # as seeded by a release without them
        tx.execute("DELETE FROM flavors WHERE name IN ('mlflow', 'local_docker')")
    store.close()
    assert ("mlflow", "experiment_tracker") not in _flavors(url)

    store = SqlStore(url.raw)
    mlflow = store.find("flavor", "mlflow", type="experiment_tracker")
    assert not mlflow.is_custom and mlflow.integration == "mlflow"
    assert mlflow.source == "stackyard.experiment_trackers.mlflow.MLflowExperimentTrackerFlavor"
    assert {"tracking_uri", "tracking_password"} <= set(mlflow.config_schema["properties"])
    assert ("local_docker", "image_builder") in _flavors(url)
    store.close()

    # a custom flavor that took the name first keeps it; opening again changes nothing
    store = SqlStore(url.raw)
    with store.db.transaction() as tx:
        tx.execute(
            "UPDATE flavors SET source = ?, is_custom = ? WHERE name = ?",
            ["mine.Tracker", True, "mlflow"],
        )
    store.close()
    store = SqlStore(url.raw)
    kept = store.find("flavor", "mlflow", type="experiment_tracker")
    assert (kept.source, kept.is_custom) == ("mine.Tracker", True)
    assert sum(1 for f in _flavors(url) if f[0] == "mlflow") == 1
    store.close()
