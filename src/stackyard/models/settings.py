"""Settings of a store that admins change at run time (stored in the store itself)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ServerSettings(BaseModel):
    """`allow_runs`: whether run templates and schedules may start runs through this
    store (on a server: runs that runners execute). Unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    allow_runs: bool = True
