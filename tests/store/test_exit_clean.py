"""A command on a new, empty database exits without noise on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import temporary_database

STACKYARD = Path(sys.executable).with_name("stackyard")


@pytest.mark.parametrize("dialect", ["mysql", "postgresql"])
def test_first_command_on_an_empty_database_exits_cleanly(dialect: str) -> None:
    with temporary_database(dialect) as url:
        done = subprocess.run(
            [str(STACKYARD), "stack", "list"],
            capture_output=True,
            text=True,
            env={**os.environ, "STACKYARD_STORE_URL": url},
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert "default" in done.stdout
    assert done.stderr == ""  # no "Exception ignored in: <function Connection._force_close"
