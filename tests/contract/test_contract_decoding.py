"""The compiled row decoders and model builders (store/sql/decoding.py) against the
generic code they replace, for every resource on every SQL backend: the same Python
values from the same stored row, and models indistinguishable from
`model_construct(...)` followed by `bind(store)`."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from enum import Enum
from typing import Any

import pytest
from support import reset_backend
from test_contract_crud import FACTORIES, make_run

from stackyard.client import Client
from stackyard.models.spec import ResourceSpec, _unwrap, spec_for
from stackyard.store.sql.decoding import model_builder, row_decoder
from stackyard.store.sql.hooks.base import Row
from stackyard.store.sql.store import SqlStore


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def sql_client(request: pytest.FixtureRequest) -> Iterator[Client]:
    store = request.getfixturevalue(f"{request.param}_store")
    reset_backend(store)
    yield Client(store=store)


def generic_rows(store: SqlStore, spec: ResourceSpec, raws: list[Any]) -> list[Row]:
    """Rows as reads decoded them before: `Database.decode` per column."""
    columns = spec.shape.columns.values()
    return [
        {c.name: store.db.decode(c.kind, v) for c, v in zip(columns, raw, strict=True)}
        for raw in raws
    ]


def generic_model(spec: ResourceSpec, row: Row, store: SqlStore) -> Any:
    """A model as reads built it before: converted fields, `model_construct`, `bind`."""
    from pydantic import BaseModel

    data = {k: v for k, v in row.items() if k not in spec.private_columns}
    for name, info in spec.response.model_fields.items():
        core, _ = _unwrap(info.annotation)
        value = data.get(name)
        if value is None:
            continue
        if isinstance(core, type) and issubclass(core, Enum | BaseModel):
            data[name] = core.model_validate(value) if issubclass(core, BaseModel) else core(value)
        elif typing.get_origin(core) is list:
            (item,) = typing.get_args(core) or (Any,)
            if isinstance(item, type) and issubclass(item, BaseModel):
                data[name] = [item.model_validate(v) for v in value]
    model = spec.response.model_construct(**data)
    model.bind(store)
    return model


def shown(values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Names in order with each value's type and repr (repr tells time zones apart)."""
    return [(k, type(v).__name__, repr(v)) for k, v in values.items()]


def assert_same_model(fast: Any, slow: Any, store: SqlStore) -> None:
    assert type(fast) is type(slow)
    assert shown(fast.__dict__) == shown(slow.__dict__)
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_fields_set is not slow.model_fields_set
    assert fast.__pydantic_extra__ == slow.__pydantic_extra__
    assert fast.__pydantic_private__ == slow.__pydantic_private__
    assert fast._store is store and fast.store is store
    assert fast == slow
    assert repr(fast) == repr(slow)
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_dump_json() == slow.model_dump_json()
    for name in type(fast).model_fields:
        assert getattr(fast, name) == getattr(slow, name)
    copied = fast.model_copy()
    assert copied == slow and copied.__pydantic_private__ == slow.__pydantic_private__


def read_raw(store: SqlStore, spec: ResourceSpec, entity_id: Any) -> list[Any]:
    with store.db.transaction(write=False) as tx:
        return tx.fetchall(
            f"{store._select_sql(spec.shape)} WHERE {store.db.q('id')} = ?", [str(entity_id)]
        )


def check(store: SqlStore, kind: str, entity_id: Any) -> None:
    spec = spec_for(kind)
    raws = read_raw(store, spec, entity_id)
    decoder = row_decoder(store.db.dialect, spec.shape)
    rows = decoder.rows(raws)
    expected = generic_rows(store, spec, raws)
    assert [shown(r) for r in rows] == [shown(r) for r in expected]
    assert decoder.ids_as_stored(raws) == [str(r["id"]) for r in expected]
    for single in (True, False):
        with store.db.transaction(write=False) as tx:
            hydrated = [dict(r) for r in rows]
            store._hydrate(spec.shape, tx, hydrated, single)
        fast = model_builder(spec)([dict(r) for r in hydrated], store)
        for made, row in zip(fast, hydrated, strict=True):
            assert_same_model(made, generic_model(spec, row, store), store)
        # a row its hydration left without a computed field: the default, unset
        for name in spec.computed:
            short = [{k: v for k, v in row.items() if k != name} for row in hydrated]
            for made, row in zip(model_builder(spec)(short, store), short, strict=True):
                assert_same_model(made, generic_model(spec, row, store), store)
                assert name not in made.model_fields_set


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_decoder_and_builder_match_the_generic_path(sql_client: Client, kind: str) -> None:
    created = FACTORIES[kind][0](sql_client, f"{kind}-decoded")
    assert isinstance(sql_client.store, SqlStore)
    check(sql_client.store, kind, created.id)


def test_a_run_with_tags_metadata_and_a_status_matches(sql_client: Client) -> None:
    run = make_run(sql_client, "tagged", tags=["b", "a"], status="failed", config={"x": [1]})
    sql_client.log_metadata({"loss": 0.5, "nested": {"k": [1, 2]}}, run_id=run.id)
    assert isinstance(sql_client.store, SqlStore)
    check(sql_client.store, "pipeline_run", run.id)
    listed = sql_client.list_pipeline_runs(name="tagged")[0]
    assert listed.tags == ["a", "b"] and listed.run_metadata["nested"] == {"k": [1, 2]}
    assert listed.status.value == "failed" and listed.store is sql_client.store
