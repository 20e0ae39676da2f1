"""One route factory for every resource, driven by its `ResourceSpec`.

For a spec with plural `runs` it serves `GET /api/v1/runs` (list, any filter
as a query parameter), `GET /api/v1/runs/find?q=` (id, name or prefix),
`GET|PUT|DELETE /api/v1/runs/{id}` and `POST /api/v1/runs` — the last two only
when the spec has request / update models. Query filters are passed straight
to the store, whose one parser accepts and refuses exactly what the Client does.

Endpoints are sync (the store is): FastAPI runs them in its threadpool. They
return ready JSON, so responses are serialised once; `response_model` is there
for the OpenAPI docs only.
"""

# No `from __future__ import annotations`: FastAPI reads each endpoint's body
# type from its annotation, which here is a variable of the factory.

from enum import Enum
from typing import Any
from uuid import UUID

from fastapi import FastAPI, Query, Request
from fastapi import Response as HTTPResponse
from pydantic import BaseModel

from stackyard.models.base import Page
from stackyard.models.spec import ResourceSpec
from stackyard.server.context import ServerContext

LIST_PARAMETERS = frozenset({"sort_by", "page", "size", "logical_operator"})
JSON = "application/json"


def json_response(value: BaseModel, status_code: int = 200) -> HTTPResponse:
    return HTTPResponse(value.model_dump_json(), status_code=status_code, media_type=JSON)


def query_filters(request: Request, skip: frozenset[str]) -> dict[str, Any]:
    """Query parameters as store filters; a repeated parameter means one-of."""
    filters: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in skip:
            continue
        if key in filters:
            previous = filters[key]
            filters[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            filters[key] = value
    return filters


def _eager(model: type[BaseModel]) -> type[BaseModel]:
    """The same model, built now: FastAPI warns on models that build lazily (defer_build).

    A subclass, so the store still sees an instance of the resource's own request class.
    """
    config = {**model.model_config, "defer_build": False}
    return type(model.__name__, (model,), {"model_config": config, "__module__": model.__module__})


def _filter_docs(spec: ResourceSpec) -> dict[str, Any]:
    """List every filter in the OpenAPI docs (they are read from the query string)."""
    return {
        "parameters": [
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "a value, optionally with an operator: gte:2026-01-01, "
                'contains:train, oneof:["a","b"]',
            }
            for name in spec.filter_fields
        ]
    }


def add_resource_routes(app: FastAPI, spec: ResourceSpec, ctx: ServerContext) -> None:
    """The routes of one resource, added to the app itself (an included router per
    resource would make every request walk the routers)."""
    prefix = f"/api/v1/{spec.plural}"
    tags: list[str | Enum] = [spec.plural]
    kind, label = spec.name, spec.name.replace("_", " ")

    # the page as its resource's own `Page`: serialised without looking at each item's type
    page_model = Page[spec.response]  # type: ignore[name-defined]

    def list_entities(
        request: Request,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
    ) -> HTTPResponse:
        filters = query_filters(request, LIST_PARAMETERS)
        result = ctx.store_for(request).list(
            kind,
            sort_by=sort_by,
            page=page,
            size=size,
            logical_operator=logical_operator,
            **filters,
        )
        typed = page_model.model_construct(
            index=result.index,
            max_size=result.max_size,
            total=result.total,
            total_pages=result.total_pages,
            items=result.items,
        )
        return json_response(typed)

    def find_entity(
        request: Request, q: str = Query(description="an id, a name or a unique prefix")
    ) -> HTTPResponse:
        scope = query_filters(request, frozenset({"q"}))
        return json_response(ctx.store_for(request).find(kind, q, **scope))

    def get_entity(request: Request, entity_id: UUID) -> HTTPResponse:
        return json_response(ctx.store_for(request).get(kind, entity_id))

    def delete_entity(request: Request, entity_id: UUID, force: bool = False) -> HTTPResponse:
        ctx.store_for(request).delete(kind, entity_id, force=force)
        return HTTPResponse(status_code=204)

    app.add_api_route(
        prefix,
        list_entities,
        tags=tags,
        methods=["GET"],
        response_model=page_model,
        summary=f"List {spec.plural.replace('_', ' ')}",
        openapi_extra=_filter_docs(spec),
    )
    app.add_api_route(
        f"{prefix}/find",
        find_entity,
        tags=tags,
        methods=["GET"],
        response_model=spec.response,
        summary=f"Find a {label} by id, name or prefix",
    )
    app.add_api_route(
        f"{prefix}/{{entity_id}}",
        get_entity,
        tags=tags,
        methods=["GET"],
        response_model=spec.response,
        summary=f"Get a {label}",
    )
    app.add_api_route(
        f"{prefix}/{{entity_id}}",
        delete_entity,
        tags=tags,
        methods=["DELETE"],
        status_code=204,
        summary=f"Delete a {label}",
    )
    if spec.request is not None:
        request_model = _eager(spec.request)

        def create_entity(request: Request, body: request_model) -> HTTPResponse:  # type: ignore[valid-type]
            return json_response(ctx.store_for(request).create(kind, body), 201)

        app.add_api_route(
            prefix,
            create_entity,
            tags=tags,
            methods=["POST"],
            status_code=201,
            response_model=spec.response,
            summary=f"Create a {label}",
        )
    if spec.update is not None:
        update_model = _eager(spec.update)

        def update_entity(
            request: Request,
            entity_id: UUID,
            body: update_model,  # type: ignore[valid-type]
        ) -> HTTPResponse:
            return json_response(ctx.store_for(request).update(kind, entity_id, body))

        app.add_api_route(
            f"{prefix}/{{entity_id}}",
            update_entity,
            tags=tags,
            methods=["PUT"],
            response_model=spec.response,
            summary=f"Update a {label}",
        )
