"""The FastAPI application: generic resource routes, sessions, health and docs.

`create_app(store_url)` builds a server for one metadata store. Deployments run
it through `python -m stackyard.server` (see `runner`), whose workers build the
app from `STACKYARD_SERVER_*` environment variables with `app_from_env`.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel

from stackyard.models.spec import all_specs
from stackyard.server import errors
from stackyard.server import openapi as openapi_docs
from stackyard.server.auth import Authenticator, LoginLimiter
from stackyard.server.connectors import router as connector_routes
from stackyard.server.context import DEFAULT_MAX_BODY, ServerContext
from stackyard.server.files import ServerFiles
from stackyard.server.gate import PUBLIC_PATHS, Gate
from stackyard.server.login import add_session_routes
from stackyard.server.routes import add_resource_routes
from stackyard.server.runs import router as run_routes
from stackyard.server.tokens import DEFAULT_TTL, server_secret
from stackyard.store.sql.store import SqlStore

ENV_PREFIX = "STACKYARD_SERVER_"
logger = logging.getLogger("stackyard.server")

# Declared in the OpenAPI document so /docs can "Authorize" through the password form;
# the gate does the checking (a per-route dependency would cost every request).
_SECURITY_SCHEME = {
    "type": "oauth2",
    "flows": {"password": {"tokenUrl": "/api/v1/login", "scopes": {}}},
}


def create_app(
    store_url: str,
    *,
    secret: bytes | None = None,
    token_ttl: int = DEFAULT_TTL,
    max_body: int = DEFAULT_MAX_BODY,
    login_limit: int = 10,
    seed_user: str | None = None,
    run_scheduler: bool = True,
    artifact_roots: Sequence[str] | None = None,
) -> FastAPI:
    """A server for the store at `store_url`; pending migrations are applied first.

    `seed_user=None` (the default) never creates a passwordless user: the first
    admin comes from `python -m stackyard.server --admin-user` or `POST /api/v1/setup`.
    With `run_scheduler`, each worker process polls for due schedules; a due run is
    claimed in the database, so several workers still start it once.
    `artifact_roots`: where the dashboard may read artifact files and step logs (see
    `stackyard.server.files`); by default the store's default artifact store.
    """
    from stackyard import __version__

    # no launcher: template runs wait for a runner, the server never runs user code
    store = SqlStore(store_url, seed_user=seed_user)
    auth = Authenticator(
        store, secret or server_secret(), token_ttl, LoginLimiter(store, limit=login_limit)
    )
    files = ServerFiles.of(store_url, artifact_roots)
    ctx = ServerContext(store, auth, files, max_body)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        system = store.as_system()  # background work acts as no user
        stops = [start_reaper(system)]
        if run_scheduler:
            from stackyard.scheduler import start_background_scheduler

            stops.append(start_background_scheduler(system))
        # what exists now (modules, routes, templates) lives as long as the server: out
        # of the collector's sight, full collections stay short (fewer long page stalls)
        gc.collect()
        gc.freeze()
        yield
        for stop in stops:
            stop()
        store.close()

    def authenticated(request: Request) -> None:
        """Every API route but the public ones: a valid, unrevoked token is checked
        before anything of the request is read, so a revoked token never gets a 422."""
        path = request.url.path
        if path.startswith("/api/") and path not in PUBLIC_PATHS:
            ctx.user(request)

    app = FastAPI(
        lifespan=lifespan,
        dependencies=[Depends(authenticated)],
        title="stackyard",
        version=__version__,
        description="The stackyard metadata store over HTTP. Log in with POST /api/v1/login.",
        docs_url="/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.context = ctx
    errors.install(app)

    @app.get("/health", tags=["server"], summary="Liveness: answers without a token")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/info", tags=["server"], summary="Version and store of this server")
    def info() -> ServerInfo:
        details = store.info()
        return ServerInfo(
            version=__version__,
            store_type=details["type"],
            dialect=details["dialect"],
            token_ttl=token_ttl,
        )

    add_session_routes(app, ctx)
    for spec in all_specs():
        add_resource_routes(app, spec, ctx)

    app.include_router(run_routes)
    app.include_router(connector_routes)
    from stackyard.dashboard import mount as mount_dashboard

    mount_dashboard(app, ctx)
    app.add_middleware(Gate, verify=auth.claims, max_body=max_body)
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build_openapi()
        openapi_docs.finish(schema, PUBLIC_PATHS, _SECURITY_SCHEME)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


class ServerInfo(BaseModel):
    version: str
    store_type: str
    dialect: str
    token_ttl: int


def start_reaper(store: SqlStore, poll_seconds: float = 0.25) -> Callable[[], None]:
    """Fail runs whose process missed its heartbeat, every `poll_seconds`, in a daemon
    thread; returns the function that stops it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(poll_seconds):
            try:
                for run_id in store.reap():
                    logger.warning("run %s failed: its process stopped sending heartbeats", run_id)
            except Exception:
                logger.exception("reaping runs without heartbeats failed; retrying")

    thread = threading.Thread(target=loop, name="stackyard-reaper", daemon=True)
    thread.start()

    def stop_reaper() -> None:
        stop.set()
        thread.join(timeout=5)

    return stop_reaper


def app_from_env() -> FastAPI:
    """The app a uvicorn worker builds (factory=True), configured by environment variables."""
    url = os.environ.get(ENV_PREFIX + "STORE_URL")
    if not url:
        raise RuntimeError(f"{ENV_PREFIX}STORE_URL is not set")
    roots = os.environ.get(ENV_PREFIX + "ARTIFACT_ROOTS")
    return create_app(
        url,
        token_ttl=int(os.environ.get(ENV_PREFIX + "TOKEN_TTL", DEFAULT_TTL)),
        max_body=int(os.environ.get(ENV_PREFIX + "MAX_BODY", DEFAULT_MAX_BODY)),
        artifact_roots=roots.splitlines() if roots else None,  # one per line (serve)
    )
