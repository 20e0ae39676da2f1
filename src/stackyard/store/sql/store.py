"""The SQL store: one generic create / get / find / list / update / delete for
every resource, driven by its `ResourceSpec`, with its own rules in hooks
(reading in `reads`, writing in `writes`), and the operations beyond CRUD of the
`Store` contract, whose SQL sides live in `runs` and `connectors`.
"""

from __future__ import annotations

import builtins
import re
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.models.binding import utcnow
from stackyard.store.base import (
    RunClaim,
    Store,
    StoreHandoff,
)
from stackyard.store.sql import runs
from stackyard.store.sql.db import Database, DatabaseURL
from stackyard.store.sql.reads import SqlReads
from stackyard.store.sql.totals import Totals
from stackyard.store.sql.writes import SqlWrites

if TYPE_CHECKING:
    from datetime import datetime

    from stackyard.models.connectors import ConnectorCredentials, ServiceConnectorResources
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.models.users import APIKeyResponse, UserResponse
    from stackyard.store.sql.launch import Launcher

_ID_PREFIX = re.compile(r"^[0-9a-fA-F-]{4,36}$")
_TOP = "\U0010ffff"
SYSTEM_USER_ID = UUID(int=0)
MAX_OFFSET = 2**62  # every database takes a 64-bit OFFSET


class SqlStore(SqlReads, SqlWrites, Store):
    """A metadata store in SQLite, PostgreSQL or MySQL/MariaDB."""

    def __init__(
        self,
        url: str,
        *,
        actor: UserResponse | None = None,
        migrate: bool = True,
        seed_user: str | None = "default",
        launcher: Launcher | None = None,
    ):
        """`seed_user=None` seeds no passwordless user (a deployed server's store).
        `launcher` starts the workers of template runs (see `stackyard.store.sql.launch`);
        without one they wait for a runner."""
        self.url = DatabaseURL.parse(url)
        self.db = Database(self.url)
        self.totals = Totals(self.db)
        self.actor = actor
        self.launcher = launcher
        if migrate:
            from stackyard.store.sql.bootstrap import prepare

            prepare(self, seed_user)

    def as_user(self, user: UserResponse) -> SqlStore:
        """The same store (and pool) acting for another user, as the server does."""
        clone = object.__new__(SqlStore)
        clone.__dict__.update(self.__dict__)
        clone.actor = user
        return clone

    def as_system(self) -> SqlStore:
        """The same store acting for no user, with an admin's view: what a server's own
        background work (scheduler, reaper) uses, whatever users are called."""
        from stackyard.models.users import UserResponse

        now = utcnow()
        system = UserResponse.model_construct(
            id=SYSTEM_USER_ID, created=now, updated=now, name="(system)", is_admin=True
        )
        return self.as_user(system)

    # -- who and what -----------------------------------------------------------------
    def current_user(self) -> UserResponse:
        if self.actor is None:
            from stackyard.store.sql.bootstrap import default_user

            self.actor = default_user(self)
        return self.actor

    def info(self) -> dict[str, Any]:
        from stackyard import __version__

        return {
            "type": "sql",
            "dialect": self.url.dialect,
            "url": self.url.redacted,
            "version": __version__,
        }

    def rotate_api_key(self, key_id: UUID) -> APIKeyResponse:
        from stackyard.security import hash_api_key, new_api_key
        from stackyard.store.sql.hooks.users import check_key_manager

        check_key_manager(self, self.get("api_key", key_id).service_account_id)
        key = new_api_key()
        q = self.db.q
        with self.db.transaction() as tx:
            tx.execute(
                f"UPDATE {q('api_keys')} SET {q('key_hash')} = ?, {q('key_prefix')} = ? "
                f"WHERE {q('id')} = ?",
                [hash_api_key(key), key[:10], str(key_id)],
            )
        response: APIKeyResponse = self.get("api_key", key_id)
        response.key = key  # shown this once; only its hash is stored
        return response

    def close(self) -> None:
        self.db.close()

    def handoff(self) -> StoreHandoff:
        from pathlib import Path

        from stackyard.config import config_dir

        url = self.url.raw
        if self.url.dialect == "sqlite":  # a relative path means the same file elsewhere too
            url = f"sqlite:///{Path(self.url.path).resolve()}"
        actor = self.actor.id if self.actor is not None else None
        return StoreHandoff(url, actor_id=actor, config_dir=str(config_dir().resolve()))

    # -- service connectors (store/sql/connectors.py) ------------------------------------------
    def verify_service_connector(
        self, connector_id: UUID, resource_type: str | None = None, resource_id: str | None = None
    ) -> ServiceConnectorResources:
        from stackyard.store.sql import connectors

        return connectors.verify(self, connector_id, resource_type, resource_id)

    def component_credentials(self, component_id: UUID, resource_type: str) -> ConnectorCredentials:
        from stackyard.store.sql import connectors

        return connectors.component_credentials(self, component_id, resource_type)

    # -- runs beyond CRUD (see `stackyard.store.sql.runs`) -----------------------------------
    def start_template_run(
        self,
        template_id: UUID,
        run_configuration: dict[str, Any],
        *,
        schedule_id: UUID | None = None,
    ) -> PipelineRunResponse:
        return runs.start_template_run(self, template_id, run_configuration, schedule_id)

    def claim_run(self) -> RunClaim | None:
        return runs.claim_run(self)

    def heartbeat(self, run_id: UUID, interval: float) -> bool:
        return runs.heartbeat(self, run_id, interval)

    def release_run(self, run_id: UUID) -> None:
        runs.release(self, run_id)

    def stop_run(self, run_id: UUID) -> PipelineRunResponse:
        return runs.stop_run(self, run_id)

    def claim_schedule(
        self,
        schedule_id: UUID,
        due: datetime,
        *,
        next_run: datetime | None,
        last_run: datetime | None,
        active: bool,
    ) -> bool:
        return runs.claim_schedule(
            self, schedule_id, due, next_run=next_run, last_run=last_run, active=active
        )

    def settings(self) -> dict[str, Any]:
        return runs.settings(self)

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        return runs.update_settings(self, changes)

    def reap(self) -> builtins.list[UUID]:
        """Fail the unfinished runs whose process missed its heartbeat (the server's
        reaper calls this; reads do it too when they meet such a run)."""
        return runs.reap(self)
