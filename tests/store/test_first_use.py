"""First use seeds the defaults exactly once, even when processes race."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import temporary_database

from stackyard.store.sql.store import SqlStore

RACER = """
import sys
from stackyard.store.sql.store import SqlStore
store = SqlStore(sys.argv[1])
print(store.current_user().name, store.find("stack", "default").name)
"""


def _race(url: str, processes: int = 4) -> list[str]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(out.strip())
    return outputs


def _assert_seeded_once(url: str) -> None:
    store = SqlStore(url)
    try:
        assert [u.name for u in store.list("user")] == ["default"]
        assert [s.name for s in store.list("stack")] == ["default"]
        assert store.list("stack_component").total == 2
    finally:
        store.close()


def test_sqlite_processes_racing_on_a_new_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    assert _race(url) == ["default default"] * 4
    _assert_seeded_once(url)


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_server_databases_racing_on_a_new_store(backend: str) -> None:
    with temporary_database(backend) as url:
        assert _race(url) == ["default default"] * 4
        _assert_seeded_once(url)


def test_bad_store_urls_are_clear() -> None:
    from stackyard.exceptions import InputError, StoreConnectionError

    with pytest.raises(InputError, match="unsupported store URL 'mongodb://x'"):
        SqlStore("mongodb://x")
    with pytest.raises(StoreConnectionError, match="cannot connect to the store"):
        SqlStore("postgresql://postgres@127.0.0.1:1/none")
