"""Every error leaves the server as `{"error": <class name>, "detail": <message>}`.

The status comes from the exception class (`stackyard.exceptions.STATUS_BY_NAME`
is the one table); the REST store maps the body back to the same class. Bad
input is always a 4xx whose message names the field and never echoes the
submitted value (it may be a password or a secret). Anything unexpected is a
500 with a generic message; the details go to the server log only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from stackyard.exceptions import InputError, StackyardError, error_class, error_name

logger = logging.getLogger("stackyard.server")

_WHERE = {"body": "request body", "query": "query parameter", "path": "path parameter"}


def error_response(status: int, name: str, detail: str, retry_after: int = 60) -> JSONResponse:
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    elif status == 429:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse({"error": name, "detail": detail}, status_code=status, headers=headers)


def describe(errors: Sequence[Any]) -> str:
    """pydantic/FastAPI errors as one line: where, what — without the input values."""
    parts = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        if err.get("type") == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "")
            parts.append(f"invalid JSON in the request body{': ' + reason if reason else ''}")
            continue
        where = _WHERE.get(loc[0], "") if loc else ""
        field = ".".join(loc[1:] if where else loc)
        label = f"{where} {field!r}".strip() if field else where or "request"
        parts.append(f"{label}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def _stackyard_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StackyardError)
    if exc.status_code >= 500:
        logger.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
    retry_after = getattr(exc, "retry_after", 60)
    return error_response(exc.status_code, error_name(exc), exc.message, retry_after)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    return error_response(422, InputError.__name__, describe(exc.errors()))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:  # a body Starlette could not read: bad input, as any other
        detail = "the request body is not valid JSON in UTF-8"
        return error_response(422, InputError.__name__, detail)
    cls = error_class(None, exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) else cls.__name__
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such endpoint: {request.method} {request.url.path}; see /docs"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}; see /docs"
    return error_response(exc.status_code, cls.__name__, detail)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        500, StackyardError.__name__, "internal server error; the server log has the details"
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(StackyardError, _stackyard_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


__all__ = ["describe", "error_response", "install"]
