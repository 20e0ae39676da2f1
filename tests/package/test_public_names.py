"""The top-level package: every public name resolves, and importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import stackyard


def test_all_matches_the_lazy_table_and_every_name_resolves() -> None:
    assert sorted(stackyard.__all__) == sorted([*stackyard._LAZY, "__version__"])
    for name in stackyard.__all__:
        assert getattr(stackyard, name) is not None


def test_import_pulls_in_nothing_heavy() -> None:
    heavy = ["pydantic", "sqlalchemy", "alembic", "httpx", "fastapi", "numpy", "pandas", "yaml"]
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, stackyard; print(','.join(m for m in {heavy!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == ""
