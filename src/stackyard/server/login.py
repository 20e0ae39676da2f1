"""Routes of the session itself: login, first setup, logout, who am I, key rotation."""

from __future__ import annotations

import json
from enum import Enum
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi import Response as HTTPResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from stackyard.exceptions import InputError
from stackyard.models.users import APIKeyResponse, UserResponse
from stackyard.server.context import ServerContext
from stackyard.server.routes import json_response
from stackyard.store.sql import accounts


class Credentials(BaseModel):
    """A user name and password (JSON or an OAuth2 password form), or an API key."""

    username: str | None = None
    password: str | None = Field(default=None, repr=False)
    api_key: str | None = Field(default=None, repr=False)


class SetupRequest(BaseModel):
    username: str = Field(min_length=1, max_length=255)
    password: str = Field(repr=False)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    user: UserResponse | None = None


SESSION: list[str | Enum] = ["session"]


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _credentials(request: Request) -> Credentials:
    """JSON or form-encoded credentials, read without python-multipart."""
    body = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            data: Any = {k: v[0] for k, v in form.items() if k in Credentials.model_fields}
        else:
            data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InputError("login needs a JSON or form body with username and password") from None
    if not isinstance(data, dict):
        raise InputError("login needs a JSON object with username and password, or api_key")
    credentials = Credentials.model_validate(
        {k: v for k, v in data.items() if k in Credentials.model_fields}
    )
    if credentials.api_key is None and (not credentials.username or credentials.password is None):
        raise InputError("login needs username and password, or api_key")
    return credentials


def add_session_routes(app: FastAPI, ctx: ServerContext) -> None:
    """Login, setup, logout, current user and key rotation."""
    auth = ctx.auth

    @app.post(
        "/api/v1/login",
        tags=SESSION,
        response_model=TokenResponse,
        summary="Exchange a user name and password, or an API key, for an access token",
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/json": {"schema": Credentials.model_json_schema()},
                    "application/x-www-form-urlencoded": {
                        "schema": Credentials.model_json_schema()
                    },
                },
                "required": True,
            }
        },
    )
    async def login(request: Request) -> HTTPResponse:
        credentials = await _credentials(request)
        address = _address(request)
        if credentials.api_key is not None:
            token = await run_in_threadpool(auth.login_api_key, credentials.api_key, address)
        else:
            assert credentials.username is not None and credentials.password is not None
            token = await run_in_threadpool(
                auth.login_password, credentials.username, credentials.password, address
            )
        return json_response(TokenResponse(access_token=token, expires_in=auth.ttl))

    @app.post(
        "/api/v1/setup",
        tags=SESSION,
        response_model=TokenResponse,
        status_code=201,
        summary="Create the first admin of an empty server (works once)",
    )
    def setup(body: SetupRequest) -> HTTPResponse:
        user = accounts.create_first_admin(ctx.store, body.username, body.password)
        token = auth.token_for(user.id)
        return json_response(TokenResponse(access_token=token, expires_in=auth.ttl, user=user), 201)

    @app.post(
        "/api/v1/logout",
        tags=SESSION,
        status_code=204,
        summary="Revoke the caller's access tokens",
    )
    def logout(request: Request) -> HTTPResponse:
        claims = ctx.claims(request)
        auth.user(claims)  # an already revoked token cannot log out again
        auth.logout(claims)
        return HTTPResponse(status_code=204)

    @app.get(
        "/api/v1/current-user", response_model=UserResponse, tags=SESSION, summary="The caller"
    )
    def current_user(request: Request) -> HTTPResponse:
        return json_response(ctx.store_for(request).current_user())

    @app.post(
        "/api/v1/api_keys/{key_id}/rotate",
        response_model=APIKeyResponse,
        tags=["api_keys"],
        summary="Give an API key a new secret (shown once); the old one stops working",
    )
    def rotate(request: Request, key_id: UUID) -> HTTPResponse:
        return json_response(ctx.store_for(request).rotate_api_key(key_id))
