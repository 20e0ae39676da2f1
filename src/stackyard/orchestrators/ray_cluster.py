"""Reaching a Ray cluster and asking it only for what it can give.

One connection per process (Ray allows one): joining again with the same
address and namespace reuses it, another address or namespace replaces it; with
no address, a Ray the process started itself (`ray.init()`) is used as it is. An
address that does not answer fails fast with a one-line error, instead of Ray's
own retries. A step's resource request is checked against the nodes before any
step starts: Ray would otherwise queue a task no node can take forever.
"""

from __future__ import annotations

import re
import socket
import threading
from typing import TYPE_CHECKING, Any

from stackyard.exceptions import InputError

if TYPE_CHECKING:
    from types import ModuleType

ACCEPTED = (
    "unset (start a local Ray), 'auto' (a cluster running on this machine), "
    "'ray://host:10001' (Ray client) or 'host:6379' (the head's GCS address)"
)
CONNECT_TIMEOUT = 5.0
_UNITS = {"": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_UNITS.update({"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40})
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B)?\s*$", re.IGNORECASE)

_lock = threading.Lock()
_joined: tuple[str | None, str | None, str] | None = None  # address, namespace, runtime env


def ray_module() -> ModuleType:
    try:
        import ray
    except ImportError:
        raise InputError("the ray orchestrator needs Ray: pip install 'stackyard[ray]'") from None
    return ray


def _reachable(address: str) -> None:
    """A TCP connect to host:port of `address` (`ray://host:port` or `host:port`)."""
    target = address[len("ray://") :] if address.startswith("ray://") else address
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise InputError(f"invalid Ray address {address!r}; accepted: {ACCEPTED}")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        raise InputError(
            f"cannot reach the Ray cluster at {address!r} ({exc}); start it or fix the "
            f"orchestrator's address; accepted: {ACCEPTED}"
        ) from None


def connect(address: str | None, namespace: str | None, runtime_env: dict[str, Any]) -> None:
    """Join the cluster at `address` (or start a local Ray), once per process."""
    import json

    global _joined
    ray = ray_module()
    wanted = (address, namespace, json.dumps(runtime_env, sort_keys=True, default=str))
    with _lock:
        if ray.is_initialized() and (_joined == wanted or (_joined is None and address is None)):
            return  # joined already, or Ray was started in this process by its own code
        if address not in (None, "auto", "local"):
            _reachable(address)
        if ray.is_initialized():
            ray.shutdown()
        options: dict[str, Any] = {"namespace": namespace, "runtime_env": runtime_env or None}
        if address is None:
            options["include_dashboard"] = False
        try:
            ray.init(address=address, **options)
        except Exception as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(
                f"cannot join the Ray cluster at {address or 'a new local Ray'!r}: {message}; "
                f"accepted addresses: {ACCEPTED}"
            ) from None
        _joined = wanted


def memory_bytes(value: str) -> int:
    match = _MEMORY.match(value)
    if match is None:
        raise InputError(f"memory {value!r} is not a size such as 512MB, 4GiB or 1000000")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "").upper()])


def step_options(settings: dict[str, Any]) -> dict[str, Any]:
    """A step's `resources` settings as Ray task options (Ray's defaults for the rest)."""
    resources = settings.get("resources") or {}
    options: dict[str, Any] = {}
    if resources.get("cpu_count") is not None:
        options["num_cpus"] = float(resources["cpu_count"])
    if resources.get("gpu_count") is not None:
        options["num_gpus"] = float(resources["gpu_count"])
    if resources.get("memory") is not None:
        options["memory"] = memory_bytes(str(resources["memory"]))
    return options


def _request(options: dict[str, Any]) -> dict[str, float]:
    """What a task with `options` takes from one node, in Ray's resource names."""
    return {
        "CPU": float(options.get("num_cpus", 1)),
        "GPU": float(options.get("num_gpus", 0)),
        "memory": float(options.get("memory", 0)),
    }


def _shown(resources: dict[str, float]) -> str:
    parts = []
    for key in ("CPU", "GPU", "memory"):
        value = resources.get(key, 0.0)
        parts.append(f"{key}={value / 2**30:.1f}GiB" if key == "memory" else f"{key}={value:g}")
    return ", ".join(parts)


def check_capacity(requests: dict[str, dict[str, Any]], address: str | None) -> None:
    """Refuse steps that no node of the cluster could ever run, naming the request and
    what the nodes have."""
    ray = ray_module()
    nodes = [n["Resources"] for n in ray.nodes() if n.get("Alive")]
    for name, options in requests.items():
        wanted = _request(options)
        if any(all(node.get(k, 0.0) >= v for k, v in wanted.items() if v) for node in nodes):
            continue
        offered = "; ".join(f"node {i + 1}: {_shown(node)}" for i, node in enumerate(nodes))
        raise InputError(
            f"step {name!r} asks for {_shown(wanted)}, which no node of the Ray cluster at "
            f"{address or 'this process'!r} can ever offer ({offered or 'no live nodes'}); "
            "lower its ResourceSettings or add such a node"
        )
