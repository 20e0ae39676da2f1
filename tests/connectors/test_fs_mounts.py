"""Storage options mounted per artifact store: longest root wins, `using` picks between
stores sharing a root, expiring options are fetched again before they expire."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from stackyard.artifacts import fs


@pytest.fixture(autouse=True)
def clean_mounts() -> Iterator[None]:
    yield
    for key in ("a", "b", "c", "expiring", "lasting"):
        fs.unmount(key)


def _fixed(options: dict[str, Any]) -> fs.OptionsProvider:
    return lambda: (options, None)


def test_each_uri_uses_the_mount_of_its_store() -> None:
    fs.mount("a", "s3://bucket", _fixed({"key": "A"}))
    fs.mount("b", "s3://bucket/team", _fixed({"key": "B"}))
    assert fs.storage_options("s3://bucket/x/data.npy") == {"key": "A"}
    assert fs.storage_options("s3://bucket/team/x") == {"key": "B"}
    assert fs.storage_options("s3://bucket-other/x") == {}  # a prefix of the name is not a root
    fs.mount("c", "s3://bucket", _fixed({"key": "C"}))  # same root, other credentials
    with fs.using("a"):
        assert fs.storage_options("s3://bucket/x") == {"key": "A"}
        assert fs.storage_options("s3://bucket/team/x") == {"key": "A"}  # the named store wins
    with fs.using("c"):
        assert fs.storage_options("s3://bucket/y") == {"key": "C"}
    fs.unmount("a")
    fs.unmount("c")
    assert fs.storage_options("s3://bucket/x") == {}


def test_expiring_options_are_fetched_again_before_they_expire() -> None:
    calls: list[int] = []

    def soon() -> tuple[dict[str, Any], datetime]:
        calls.append(1)
        return {"token": len(calls)}, datetime.now(UTC) + timedelta(seconds=60)

    fs.mount("expiring", "s3://soon", soon)
    assert fs.storage_options("s3://soon/a") == {"token": 2}  # within the refresh margin
    assert len(calls) == 2

    hours: list[int] = []

    def later() -> tuple[dict[str, Any], datetime]:
        hours.append(1)
        return {"token": "kept"}, datetime.now(UTC) + timedelta(hours=1)

    fs.mount("lasting", "s3://later", later)
    for _ in range(3):
        assert fs.storage_options("s3://later/a") == {"token": "kept"}
    assert len(hours) == 1
