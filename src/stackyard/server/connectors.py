"""Routes where the server unseals service connectors for a caller: verifying one,
and handing a linked component its credentials.

    app.include_router(stackyard.server.connectors.router)

The store acts as the caller (`ServerContext.store_for`), so only a user who may
read the connector (and the component) gets anything; an `iam-role` connector
hands out role sessions of an hour, never its own keys. Credentials are answered
with `Cache-Control: no-store`.
"""

# No `from __future__ import annotations`: FastAPI reads the body types from the annotations.

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi import Response as HTTPResponse
from pydantic import BaseModel, ConfigDict

from stackyard.models.connectors import ConnectorCredentials, ServiceConnectorResources
from stackyard.server.context import ServerContext
from stackyard.server.routes import json_response

router = APIRouter()


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resource_type: str | None = None
    resource_id: str | None = None


class CredentialsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resource_type: str


def _context(request: Request) -> ServerContext:
    context: ServerContext = request.app.state.context
    return context


@router.post(
    "/api/v1/service_connectors/{connector_id}/verify",
    tags=["service_connectors"],
    response_model=ServiceConnectorResources,
    summary="Check a connector's credentials with its provider; the resources they reach",
)
def verify_connector(request: Request, connector_id: UUID, body: VerifyRequest) -> HTTPResponse:
    store = _context(request).store_for(request)
    found = store.verify_service_connector(connector_id, body.resource_type, body.resource_id)
    return json_response(found)


@router.post(
    "/api/v1/stack_components/{component_id}/credentials",
    tags=["stack_components"],
    response_model=ConnectorCredentials,
    summary="Credentials from the connector linked to a component, for one resource type",
)
def component_credentials(
    request: Request, component_id: UUID, body: CredentialsRequest
) -> HTTPResponse:
    store = _context(request).store_for(request)
    response = json_response(store.component_credentials(component_id, body.resource_type))
    response.headers["Cache-Control"] = "no-store"
    return response
