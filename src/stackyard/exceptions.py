"""Every error stackyard raises on purpose, in one flat hierarchy.

Each class carries the HTTP status the server answers with, so the server maps
exceptions to responses and the REST store maps responses back to the very same
classes from this one table (`STATUS_BY_NAME`).
"""

from __future__ import annotations


class StackyardError(Exception):
    """Base of every stackyard error: catch this to catch them all."""

    status_code: int = 500

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__

    def __str__(self) -> str:
        return self.message


class InputError(StackyardError, ValueError):
    """A value given by the user is malformed or not among the accepted choices."""

    status_code = 422


class EntityNotFoundError(StackyardError, KeyError):
    """Nothing matches the given id, name or prefix."""

    status_code = 404

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return self.message


class AmbiguousMatchError(StackyardError, ValueError):
    """A name or id prefix matches several entities; the message lists them."""

    status_code = 409


class EntityExistsError(StackyardError, ValueError):
    """An entity with the same unique name already exists."""

    status_code = 409


class IllegalOperationError(StackyardError, ValueError):
    """The operation is refused in the current state (an entity in use, ...)."""

    status_code = 409


class RunDuringImportError(IllegalOperationError):
    """A pipeline was called by module-level code while stackyard imported that module to
    load something defined in it (a script without an `if __name__ == "__main__":` guard):
    loading must never run the pipeline again, so the call is refused. Never sent over
    HTTP (it travels as its parent, `IllegalOperationError`), so it stays out of the table."""

    def __init__(self, message: str, *, module: str, pipeline: str, file: str, line: int) -> None:
        super().__init__(message)
        self.module, self.pipeline, self.file, self.line = module, pipeline, file, line


class StepFailedError(StackyardError, RuntimeError):
    """A step of a pipeline run raised; the run is marked failed."""

    status_code = 500


class RunStoppedError(StackyardError):
    """A pipeline run was stopped (or failed by the store) before all its steps finished."""

    status_code = 409


class AuthorizationError(StackyardError, PermissionError):
    """The caller may not do this (403), or is not known at all (401)."""

    status_code = 403


class AuthenticationError(AuthorizationError):
    """Missing, wrong or expired credentials."""

    status_code = 401


class RateLimitError(AuthorizationError):
    """Too many failed attempts; try again after `retry_after` seconds."""

    status_code = 429

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceConnectorError(InputError):
    """A service connector's credentials were refused by its provider, or cannot serve
    the resource asked for; the message carries the provider's own words."""


class StoreConnectionError(StackyardError, ConnectionError):
    """The metadata store or server cannot be reached."""

    status_code = 503


STATUS_BY_NAME: dict[str, type[StackyardError]] = {
    cls.__name__: cls
    for cls in (
        StackyardError,
        InputError,
        EntityNotFoundError,
        AmbiguousMatchError,
        EntityExistsError,
        IllegalOperationError,
        StepFailedError,
        RunStoppedError,
        AuthorizationError,
        AuthenticationError,
        RateLimitError,
        ServiceConnectorError,
        StoreConnectionError,
    )
}


def error_name(exc: StackyardError) -> str:
    """The name an error travels under: its own, or its nearest ancestor's in the table."""
    return next(c.__name__ for c in type(exc).__mro__ if STATUS_BY_NAME.get(c.__name__) is c)


def error_class(name: str | None, status: int) -> type[StackyardError]:
    """The class an error body names; else the first in the table with that status."""
    if name is not None and name in STATUS_BY_NAME:
        return STATUS_BY_NAME[name]
    for cls in STATUS_BY_NAME.values():
        if cls.status_code == status:
            return cls
    return InputError if 400 <= status < 500 else StackyardError


__all__ = [
    "STATUS_BY_NAME",
    "AmbiguousMatchError",
    "AuthenticationError",
    "AuthorizationError",
    "EntityExistsError",
    "EntityNotFoundError",
    "IllegalOperationError",
    "InputError",
    "RateLimitError",
    "RunDuringImportError",
    "RunStoppedError",
    "ServiceConnectorError",
    "StackyardError",
    "StepFailedError",
    "StoreConnectionError",
    "error_class",
    "error_name",
]
