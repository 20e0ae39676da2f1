"""Where stackyard keeps its state, and which store and stack to use.

The global config lives in `$STACKYARD_CONFIG_PATH` (default
`~/.config/stackyard`): `config.yaml` (store URL, active stack, server login)
and the default SQLite store `stackyard.db`. A project directory initialised
with `stackyard init` has `.stackyard/config.yaml` with its own active stack.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_ENV = "STACKYARD_CONFIG_PATH"
STORE_URL_ENV = "STACKYARD_STORE_URL"
PROJECT_DIR = ".stackyard"


def config_dir() -> Path:
    raw = os.environ.get(CONFIG_ENV)
    return Path(raw).expanduser() if raw else Path.home() / ".config" / "stackyard"


def _read_yaml(path: Path) -> dict[str, Any]:
    """Read a config file. We write JSON (which is YAML), so the fast parser usually
    suffices and every command skips importing PyYAML; hand-edited YAML still loads."""
    if not path.exists():
        return {}
    text = path.read_text()
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        import yaml

        data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # owner-only: the file may hold a server login token
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def find_project_root(start: Path | None = None) -> Path | None:
    """The nearest directory upwards holding a `.stackyard/` folder."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / PROJECT_DIR).is_dir():
            return candidate
    return None


@dataclass
class GlobalConfig:
    """The contents of `config.yaml`; saved back with `save()`."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls) -> GlobalConfig:
        path = config_dir() / "config.yaml"
        return cls(path, _read_yaml(path))

    def save(self) -> None:
        _write_yaml(self.path, self.data)

    @property
    def store_url(self) -> str:
        """The env var wins, then a server login, then the config file, then SQLite."""
        env = os.environ.get(STORE_URL_ENV)
        if env:
            return env
        server = self.data.get("server")
        if isinstance(server, dict) and server.get("url"):
            return str(server["url"])
        configured = self.data.get("store_url")
        if configured:
            return str(configured)
        return f"sqlite:///{config_dir() / 'stackyard.db'}"

    def active_stack_id(self, store_url: str) -> str | None:
        stacks = self.data.get("active_stacks") or {}
        value = stacks.get(store_url)
        return str(value) if value else None

    def set_active_stack_id(self, store_url: str, stack_id: str) -> None:
        self.data.setdefault("active_stacks", {})[store_url] = stack_id
        self.save()


@dataclass
class ProjectConfig:
    """`.stackyard/config.yaml` of a project: an active stack of its own."""

    root: Path
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> ProjectConfig:
        return cls(root, _read_yaml(root / PROJECT_DIR / "config.yaml"))

    def save(self) -> None:
        _write_yaml(self.root / PROJECT_DIR / "config.yaml", self.data)
