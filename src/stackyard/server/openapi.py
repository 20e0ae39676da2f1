"""The OpenAPI document says what the server really sends, errors included.

FastAPI documents a 422 body of its own on every operation; this server answers
every error as `{"error": <class name>, "detail": <message>}` (see `errors`). So
each operation's error responses are rewritten to that one schema, for every
status it can answer with, and bearer auth is declared where it is needed.
"""

from __future__ import annotations

from typing import Any

from stackyard.exceptions import STATUS_BY_NAME

ERROR_BODY = {
    "title": "ErrorBody",
    "type": "object",
    "properties": {
        "error": {"type": "string", "enum": sorted(STATUS_BY_NAME)},
        "detail": {"type": "string"},
    },
    "required": ["error", "detail"],
}
_REASONS = {
    "401": "Missing, invalid, expired or revoked credentials",
    "403": "The caller may not do this",
    "404": "No such entity (or no such endpoint)",
    "409": "A duplicate name, an ambiguous prefix, or a refused state change",
    "413": "The request body is too large",
    "422": "A malformed or unknown value (the message names it and the choices)",
    "429": "Too many failed logins; see Retry-After",
    "503": "The metadata store cannot be reached",
}
_AUTHENTICATED = ("401", "403", "404", "409", "413", "422", "429", "503")
_PUBLIC: dict[str, tuple[str, ...]] = {
    "/api/v1/login": ("401", "413", "422", "429", "503"),
    "/api/v1/setup": ("409", "413", "422", "503"),
}


def finish(schema: dict[str, Any], public: frozenset[str], security_scheme: dict[str, Any]) -> None:
    components = schema.setdefault("components", {})
    components["securitySchemes"] = {"bearer": security_scheme}
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["ErrorBody"] = ERROR_BODY
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for path, operations in schema["paths"].items():
        statuses = _PUBLIC.get(path, () if path in public else _AUTHENTICATED)
        for operation in operations.values():
            if path not in public:
                operation["security"] = [{"bearer": []}]
            responses = operation.setdefault("responses", {})
            for status in list(responses):
                if status.startswith(("4", "5")):
                    del responses[status]
            for status in statuses:
                responses[status] = {"description": _REASONS[status], "content": body}
