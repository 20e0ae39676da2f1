"""Run metadata: facts attached to entities of the resources that carry them, written
only by the owner of what they describe."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stackyard.exceptions import InputError
from stackyard.models.spec import resource_names, shape_for
from stackyard.store.sql.db import Transaction
from stackyard.store.sql.hooks.base import Hooks, Row
from stackyard.store.sql.store import SqlStore

if TYPE_CHECKING:
    from pydantic import BaseModel


class RunMetadataHooks(Hooks):
    """One request may carry several keys: the first is the row, the rest follow it."""

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        resource_type = values["resource_type"]
        if resource_type not in resource_names() or not shape_for(resource_type).has_metadata:
            choices = [n for n in resource_names() if shape_for(n).has_metadata]
            raise InputError(
                f"metadata cannot be attached to {resource_type!r}; choose one of: "
                + ", ".join(choices)
            )
        # only the owner of what the metadata describes (or an admin) may add to it
        store.check_writable(tx, resource_type, values["resource_id"], "add metadata to")
        items: dict[str, Any] = getattr(request, "values", {})
        if not items:
            raise InputError("log_metadata needs at least one key and value")
        first, *rest = items.items()
        values["key"], values["value"] = first
        values["_rest"] = rest

    def after_create(self, store: SqlStore, tx: Transaction, row: Row, request: BaseModel) -> None:
        from uuid import uuid4

        for key, value in row.pop("_rest", []):
            store.insert_row(
                tx,
                shape_for("run_metadata"),
                {
                    **{k: v for k, v in row.items() if not k.startswith("_")},
                    "id": uuid4(),
                    "key": key,
                    "value": value,
                },
            )


HOOKS = {"run_metadata": RunMetadataHooks()}
