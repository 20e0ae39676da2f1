"""Loading an artifact calls nothing a record names before checking it: the
materializer must be a materializer class, the data type a class that materializer
handles, and neither is imported unless its module's source shows that class.

Each case would have run a command (and created the canary file) before the fix.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel

from stackyard.artifacts import load_value, save_value
from stackyard.exceptions import IllegalOperationError

BUILTIN = "stackyard.artifacts.materializers_builtin."
BYTES = BUILTIN + "BytesMaterializer"


class Point(BaseModel):
    x: int


@pytest.fixture
def canary(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "owned"
    yield path
    assert not path.exists(), "a command named by a record ran"


def stored_command(tmp_path: Path, canary: Path) -> Path:
    """A version directory whose data.bin is a shell command (bob's bytes)."""
    uri = tmp_path / "store" / uuid.uuid4().hex
    uri.mkdir(parents=True)
    (uri / "data.bin").write_bytes(f"touch {canary}".encode())
    return uri


@pytest.mark.parametrize(
    "data_type",
    ["os.system", "builtins.eval", "subprocess.Popen", "subprocess.getoutput",
     "posix.system", "builtins.exec", "pty.spawn"],
)  # fmt: skip
def test_a_data_type_that_is_no_class_the_materializer_handles_is_refused(
    tmp_path: Path, canary: Path, data_type: str
) -> None:
    """The audit's poc_datatype: the genuine BytesMaterializer with data_type os.system
    ran `data_type(file.read())`, i.e. the stored command."""
    uri = stored_command(tmp_path, canary)
    with pytest.raises(IllegalOperationError, match="refusing to load data type"):
        load_value(str(uri), BYTES, data_type, root=str(tmp_path / "store"))


def test_a_class_the_materializer_does_not_handle_is_refused(tmp_path: Path, canary: Path) -> None:
    uri = stored_command(tmp_path, canary)
    for data_type in ("builtins.str", f"{__name__}.Point", "collections.OrderedDict"):
        with pytest.raises(
            IllegalOperationError, match="does not handle it; it loads builtins.bytes"
        ):
            load_value(str(uri), BYTES, data_type, root=str(tmp_path / "store"))
    saved = save_value(Point(x=1), str(tmp_path / "store" / "p"))
    with pytest.raises(IllegalOperationError, match="does not handle it"):
        load_value(saved.uri, saved.materializer, "builtins.dict", root=str(tmp_path / "store"))


def test_what_a_materializer_handles_still_loads(tmp_path: Path) -> None:
    root = str(tmp_path)
    saved = save_value(b"raw", f"{root}/b")
    assert load_value(saved.uri, saved.materializer, saved.data_type, root=root) == b"raw"
    saved = save_value((1, 2), f"{root}/t")
    assert load_value(saved.uri, saved.materializer, saved.data_type, root=root) == (1, 2)
    saved = save_value(Point(x=3), f"{root}/p")
    assert load_value(saved.uri, saved.materializer, saved.data_type, root=root) == Point(x=3)
    saved = save_value(None, f"{root}/n")
    assert saved.data_type == "types.NoneType"
    assert load_value(saved.uri, saved.materializer, saved.data_type, root=root) is None


MODULE = """
from pathlib import Path
Path({canary!r}).touch()  # what importing this module does


class Harmless:
    pass


class Looks(bytes):
    pass
"""


def test_a_module_is_imported_only_when_its_source_shows_that_class(
    tmp_path: Path, canary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A materializer or data type from a module not imported yet: its source is read,
    not run, and a module defining no such class is never imported."""
    name = f"sidefx_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(MODULE.format(canary=str(canary)))
    monkeypatch.syspath_prepend(str(tmp_path))
    uri = stored_command(tmp_path, tmp_path / "never")
    root = str(tmp_path / "store")
    cases = [
        (f"{name}.Harmless", BUILTIN + "BuiltinMaterializer", "not a materializer class"),
        (f"{name}.Missing", BUILTIN + "BuiltinMaterializer", "defines no class Missing"),
        (BYTES, f"{name}.Harmless", "does not derive from one by name"),
        (BYTES, f"{name}.Missing", "defines no class Missing"),
    ]
    for materializer, data_type, reason in cases:
        with pytest.raises(IllegalOperationError, match=reason):
            load_value(str(uri), materializer, data_type, root=root)
        assert name not in sys.modules
    # a class that derives from one the materializer handles, by name: imported, checked
    assert (
        load_value(str(uri), BYTES, f"{name}.Looks", root=root)
        == b"touch " + str(tmp_path / "never").encode()
    )
    canary.unlink()  # that import was the one allowed


def test_the_standard_library_is_never_imported_for_a_record(tmp_path: Path, canary: Path) -> None:
    uri = stored_command(tmp_path, canary)
    for module in ("antigravity", "this", "idlelib.idle"):
        sys.modules.pop(module, None)
        with pytest.raises(IllegalOperationError, match="standard library"):
            load_value(str(uri), f"{module}.X", "builtins.bytes", root=str(tmp_path / "store"))
        with pytest.raises(IllegalOperationError, match="standard library"):
            load_value(str(uri), BYTES, f"{module}.X", root=str(tmp_path / "store"))
        assert module not in sys.modules


class Planted:
    """Unpickling this runs a command: what someone with write access to the storage
    could leave beside another user's version."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        import os

        return os.system, (self.command,)


@pytest.mark.parametrize(
    ("value", "format_file"),
    [
        ({"a": 1}, "data.json"),
        (np.arange(3), "data.npy"),
        (pd.DataFrame({"a": [1]}), "data.parquet"),
    ],
)
def test_a_pickle_planted_beside_another_format_is_never_unpickled(
    tmp_path: Path, canary: Path, value: Any, format_file: str
) -> None:
    """Only a version recorded as a pickle is unpickled: one saved as JSON, .npy or
    parquet whose file was swapped for a pickle fails to load instead."""
    import cloudpickle

    uri = tmp_path / "store" / uuid.uuid4().hex
    saved = save_value(value, str(uri))
    assert "Cloudpickle" not in saved.materializer
    (uri / format_file).unlink()
    (uri / "data.pkl").write_bytes(cloudpickle.dumps(Planted(f"touch {canary}")))
    with pytest.raises(FileNotFoundError):
        load_value(str(uri), saved.materializer, saved.data_type, root=str(tmp_path / "store"))


def test_a_value_that_had_to_be_pickled_is_recorded_as_a_pickle(tmp_path: Path) -> None:
    uri = tmp_path / "store" / "nested"
    saved = save_value({(1, 2): "tuple keys do not fit JSON"}, str(uri))
    assert saved.materializer.endswith("CloudpickleMaterializer")
    assert load_value(
        str(uri), saved.materializer, saved.data_type, root=str(tmp_path / "store")
    ) == {(1, 2): "tuple keys do not fit JSON"}
