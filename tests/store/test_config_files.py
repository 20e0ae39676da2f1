"""Config files: written owner-only, read back fast, hand-edited YAML still accepted."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from stackyard.client import Client
from stackyard.config import GlobalConfig


def test_config_round_trip_and_permissions(isolated_config: Path) -> None:
    client = Client()
    other = client.create_stack("other", {"orchestrator": "default", "artifact_store": "default"})
    client.activate_stack("other")
    path = isolated_config / "config.yaml"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert GlobalConfig.load().active_stack_id(client.store_url) == str(other.id)
    assert Client().active_stack_model.name == "other"


def test_hand_written_yaml_is_read(isolated_config: Path, tmp_path: Path) -> None:
    isolated_config.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "elsewhere.db"
    (isolated_config / "config.yaml").write_text(f"# my store\nstore_url: sqlite:///{db}\n")
    assert GlobalConfig.load().store_url == f"sqlite:///{db}"
    Client().list_stacks()
    assert db.exists()
