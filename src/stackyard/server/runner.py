"""Running the server with uvicorn, with TCP_NODELAY on every accepted socket.

uvicorn with several workers shares a listening socket created without an
explicit protocol number, so asyncio's own TCP_NODELAY setting (which checks
`sock.proto == IPPROTO_TCP`) is skipped and Nagle's algorithm holds back the
body written after the headers: ~40 ms per kept-alive request (uvicorn issue
3149). Our protocol classes set TCP_NODELAY in `connection_made`, whatever
socket they are handed, one worker or many. With httptools and uvloop installed
(the `server` extra) uvicorn uses its C parser and event loop: ~1.5x the
requests/s of h11 on asyncio.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import os
import socket
from collections.abc import Sequence
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger("stackyard.server")


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):  # the peer may already be gone
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)


try:  # the faster parser, when uvicorn[standard] is installed
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class NoDelayHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            set_nodelay(transport)
            super().connection_made(transport)

    HTTP_PROTOCOL = f"{__name__}:NoDelayHttpToolsProtocol"
except ImportError:
    HTTP_PROTOCOL = f"{__name__}:NoDelayH11Protocol"


def prepare_store(store_url: str, admin_user: str | None, admin_password: str | None) -> None:
    """Migrate the store and create the first admin, once, before any worker starts."""
    from stackyard.store.sql import accounts
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(store_url, seed_user=None)
    try:
        if admin_user and admin_password:
            if accounts.has_users(store):
                logger.info("the store has users already; --admin-user %r is ignored", admin_user)
            else:
                accounts.create_first_admin(store, admin_user, admin_password)
                logger.info("created the first admin %r", admin_user)
        elif not accounts.has_users(store):
            logger.warning(
                "the store has no users: create the first admin with POST /api/v1/setup "
                "or restart with --admin-user/--admin-password"
            )
    finally:
        store.close()


def log_config() -> dict[str, Any]:
    """uvicorn's logging setup plus our loggers, in every worker process."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["stackyard"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(
    store_url: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8237,
    workers: int = 1,
    token_ttl: int | None = None,
    max_body: int | None = None,
    access_log: bool = True,
    log_level: str = "info",
    artifact_roots: Sequence[str] | None = None,
) -> None:
    """Run the server until stopped; workers build the app from the environment."""
    import uvicorn

    from stackyard.server.app import ENV_PREFIX
    from stackyard.server.files import ServerFiles
    from stackyard.server.tokens import server_secret

    server_secret()  # create the shared secret file before the workers race for it
    os.environ[ENV_PREFIX + "STORE_URL"] = store_url
    if token_ttl is not None:
        os.environ[ENV_PREFIX + "TOKEN_TTL"] = str(token_ttl)
    if max_body is not None:
        os.environ[ENV_PREFIX + "MAX_BODY"] = str(max_body)
    if artifact_roots:
        ServerFiles.of(store_url, artifact_roots)  # a refused root stops us here, once
        os.environ[ENV_PREFIX + "ARTIFACT_ROOTS"] = "\n".join(artifact_roots)
    uvicorn.run(
        "stackyard.server.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HTTP_PROTOCOL,
        access_log=access_log,
        log_level=log_level,
        log_config=log_config(),
        timeout_graceful_shutdown=5,
    )
