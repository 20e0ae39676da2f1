"""Reaching a Ray cluster and asking it only for what it can give.

One connection per process (Ray allows one): joining again with the same
address and namespace reuses it, another address or namespace replaces it. No
address means a Ray of this process's own (`ray.init(address="local")`, shut
down when the process ends), never a cluster found in `RAY_ADDRESS` or left by
`ray start`: that is what `"auto"` asks for. A Ray this process initialized
itself is used as it is. Before Ray is asked to join, the address is checked to
answer as Ray does, within seconds: Ray itself retries for many minutes when
some other service listens there. A step's resource request is checked against
the nodes before any step starts: Ray would otherwise queue a task no node can
take forever.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from typing import TYPE_CHECKING, Any

from stackyard.exceptions import InputError

if TYPE_CHECKING:
    from types import ModuleType

ACCEPTED = (
    "unset (a new local Ray), 'auto' (the cluster this machine belongs to: RAY_ADDRESS, "
    "else the last `ray start` here), 'ray://host:10001' (Ray client) or 'host:6379' "
    "(the head's GCS address)"
)
CONNECT_TIMEOUT = 5.0  # for the TCP connection
ANSWER_TIMEOUT = 10.0  # for Ray's answer over it
_CLIENT = "ray://"
# gRPC calls every Ray head's GCS and every Ray client server answer, with their requests
_GCS_CALL = ("/ray.rpc.NodeInfoGcsService/GetClusterId", b"")
_CLIENT_CALL = ("/ray.rpc.RayletDriver/ClusterInfo", b"\x08\x06")  # a PING, as Ray's client
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


def _host_port(address: str, given: str) -> tuple[str, int]:
    target = address.removeprefix(_CLIENT)
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise InputError(f"invalid Ray address {given!r}; accepted: {ACCEPTED}")
    return host.strip("[]"), int(port)


def _answer(target: str, call: tuple[str, bytes]) -> str | None:
    """How gRPC `call` (method, serialized request) at `target` is answered: None when
    it is (or refused only for want of Ray's token), else the status's name, waiting at
    most `ANSWER_TIMEOUT` for the other side to speak gRPC at all."""
    import grpc  # type: ignore[import-untyped,unused-ignore]

    method, request = call
    channel = grpc.insecure_channel(target)
    try:
        channel.unary_unary(method)(request, timeout=ANSWER_TIMEOUT, wait_for_ready=True)
        return None
    except grpc.RpcError as exc:
        code = exc.code()
        return None if code == grpc.StatusCode.UNAUTHENTICATED else str(code.name)
    finally:
        channel.close()


def _check_answers(address: str, given: str) -> None:
    """Fail within seconds unless what `address` names (a head's GCS, or a Ray client
    server with `ray://`) answers there; when the other kind answers, say so."""
    host, port = _host_port(address, given)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        raise InputError(
            f"cannot reach the Ray cluster at {given!r} ({exc}); start it or fix the "
            f"orchestrator's address; accepted: {ACCEPTED}"
        ) from None
    if os.environ.get("RAY_USE_TLS", "0").lower() in ("1", "true"):
        return  # a TLS channel needs Ray's certificates: Ray checks it when joining
    target = address.removeprefix(_CLIENT)
    client = address.startswith(_CLIENT)
    wanted, other = (_CLIENT_CALL, _GCS_CALL) if client else (_GCS_CALL, _CLIENT_CALL)
    status = _answer(target, wanted)
    if status is None:
        return
    if status == "UNIMPLEMENTED" and _answer(target, other) is None:
        kind, right = (
            ("a head's GCS", target) if client else ("a Ray client server", _CLIENT + target)
        )
        raise InputError(
            f"Ray address {given!r} answers as {kind}: write {right!r}; accepted: {ACCEPTED}"
        )
    raise InputError(
        f"no Ray cluster answers at {given!r} (something listens there, but not Ray: "
        f"{status} within {ANSWER_TIMEOUT:g}s); start it or fix the orchestrator's address; "
        f"accepted: {ACCEPTED}"
    )


def connect(address: str | None, namespace: str | None, runtime_env: dict[str, Any]) -> None:
    """Join the cluster at `address` (or start a local Ray), once per process."""
    import json

    global _joined
    ray = ray_module()
    wanted = (address, namespace, json.dumps(runtime_env, sort_keys=True, default=str))
    with _lock:
        if ray.is_initialized() and (_joined == wanted or (_joined is None and address is None)):
            return  # joined already, or Ray was started in this process by its own code
        if address == "auto":
            found = os.environ.get("RAY_ADDRESS")  # else the address file `ray start` wrote
            if found:
                _check_answers(found, f"auto (RAY_ADDRESS={found})")
        elif address not in (None, "local"):
            _check_answers(address, address)
        if ray.is_initialized():
            ray.shutdown()
        options: dict[str, Any] = {"namespace": namespace, "runtime_env": runtime_env or None}
        if address in (None, "local"):
            options["include_dashboard"] = False
        try:
            ray.init(address=address or "local", **options)
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
