"""The metadata store over HTTP: the same `Store` contract, served by a stackyard server.

One `httpx.Client` keeps connections alive across calls. Idempotent calls
(GET, PUT, DELETE) are retried on connection errors; a POST only when the
connection could not be made at all (so nothing was sent). Error bodies
`{"error": name, "detail": message}` become the very exception classes the SQL
store raises (`stackyard.exceptions.error_class`). Responses are validated into
the resource's response model and bound to this store, so relationships load
lazily over HTTP too; `list_rows` decodes the JSON through the resource's shape
instead, without pydantic.

The access token comes from the global config (`stackyard login` writes it);
a login by API key is renewed with the key when the token expires.
"""

from __future__ import annotations

import json
import os
import time
from copy import deepcopy
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import (
    AuthenticationError,
    InputError,
    StackyardError,
    StoreConnectionError,
    error_class,
)
from stackyard.models.spec import ResourceSpec, Shape, shape_for, spec_for
from stackyard.store.base import RowPage, RunClaim, Store, StoreHandoff, check_paging

if TYPE_CHECKING:
    import httpx
    from pydantic import BaseModel

    from stackyard.models.base import Page
    from stackyard.models.connectors import ConnectorCredentials, ServiceConnectorResources
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.models.users import APIKeyResponse, UserResponse

API = "/api/v1"
RETRIES = 3
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE"})


def _reveal(value: Any) -> Any:
    """Secret values travel in clear inside the request body (TLS protects them)."""
    from pydantic import SecretBytes, SecretStr

    if isinstance(value, SecretStr | SecretBytes):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_reveal(v) for v in value]
    return value


def request_body(value: BaseModel | dict[str, Any]) -> Any:
    """A request or update as JSON: only the fields that were set, secrets included."""
    from pydantic import BaseModel
    from pydantic_core import to_jsonable_python

    data = value.model_dump(exclude_unset=True) if isinstance(value, BaseModel) else value
    return to_jsonable_python(_reveal(data))


def _scalar(value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def query_value(value: Any) -> str:
    """A filter value as the server's query parser reads it; a list means one-of."""
    if isinstance(value, list | tuple | set | frozenset):
        return "oneof:" + json.dumps([_scalar(v) for v in value])
    return _scalar(value)


# JSON values of these column kinds → the Python types the SQL store's rows carry
_DECODERS: dict[str, Any] = {"uuid": UUID, "datetime": datetime.fromisoformat}


def _entity_id(value: UUID | str) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        raise InputError(
            f"invalid id {value!r}: expected a UUID such as 413cfb42-a52c-4bf1-a2fd-78af2f7f0101"
        ) from None


class RestStore(Store):
    """A store that talks to a stackyard server at `url`."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        api_key: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        import httpx

        self.url = url.rstrip("/")
        self._token_file: Path | None = None
        if token is None and api_key is None:
            token, self._token_file = _token_from_environment()
        if token is None and api_key is None:
            token, api_key = _saved_login(self.url)
        self._api_key = api_key
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            limits=httpx.Limits(max_keepalive_connections=16, keepalive_expiry=30),
            headers={"User-Agent": "stackyard-rest-store"},
        )
        self._token = token
        self._user: UserResponse | None = None

    # -- transport ---------------------------------------------------------------------
    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx

        if self._token is None and self._api_key is not None:
            self._renew()
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        for attempt in range(RETRIES + 1):
            try:
                return self._http.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                retry = method in IDEMPOTENT or isinstance(exc, httpx.ConnectError)
                if not retry or attempt == RETRIES:
                    raise StoreConnectionError(
                        f"cannot reach the stackyard server at {self.url}: {exc}"
                    ) from exc
                time.sleep(0.1 * 2**attempt)
        raise AssertionError("unreachable")

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        if response.status_code == 401 and self._api_key is not None:
            self._renew()  # an expired token from a key: log in again once
            response = self._send(method, path, **kwargs)
        elif response.status_code == 401 and self._token_file is not None:
            renewed = self._token_file.read_text().strip()  # another process of the run
            if renewed and renewed != self._token:  # renewed it meanwhile
                self._token = renewed
                response = self._send(method, path, **kwargs)
        if response.status_code >= 400:
            raise error_from_response(response, self.url)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def _renew(self) -> None:
        response = self._http.post(f"{API}/login", json={"api_key": self._api_key})
        if response.status_code >= 400:
            raise error_from_response(response, self.url)
        self._token = str(response.json()["access_token"])

    def _model(self, spec: ResourceSpec, data: dict[str, Any]) -> Any:
        model = spec.response.model_validate(data)
        model.bind(self)
        return model

    # -- the Store contract --------------------------------------------------------------
    def create(
        self, kind: str, request: BaseModel | dict[str, Any], *, respond: bool = True
    ) -> Any:
        spec = spec_for(kind)
        data = self._call("POST", f"{API}/{spec.plural}", json=request_body(request))
        return self._model(spec, data) if respond else UUID(str(data["id"]))

    def get(self, kind: str, entity_id: UUID) -> Any:
        spec = spec_for(kind)
        path = f"{API}/{spec.plural}/{_entity_id(entity_id)}"
        return self._model(spec, self._call("GET", path))

    def find(self, kind: str, name_id_or_prefix: str | UUID, /, **scope: Any) -> Any:
        spec = spec_for(kind)
        params = {k: query_value(v) for k, v in scope.items() if v is not None}
        params["q"] = str(name_id_or_prefix)
        return self._model(spec, self._call("GET", f"{API}/{spec.plural}/find", params=params))

    def _list_page(
        self,
        shape: Shape,
        /,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> dict[str, Any]:
        sort_by, page, size = check_paging(sort_by, page, size)
        params = {k: query_value(v) for k, v in filters.items() if v is not None}
        params.update(page=str(page), size=str(size), logical_operator=logical_operator)
        if sort_by is not None:
            params["sort_by"] = sort_by
        data: dict[str, Any] = self._call("GET", f"{API}/{shape.plural}", params=params)
        return data

    def list(self, kind: str, /, **query: Any) -> Page[Any]:
        from stackyard.models.base import Page

        spec = spec_for(kind)
        data = self._list_page(spec.shape, **query)
        data["items"] = [self._model(spec, item) for item in data["items"]]
        return Page(**data)

    def list_rows(self, kind: str, /, **query: Any) -> RowPage:
        shape = shape_for(kind)
        data = self._list_page(shape, **query)
        decoders = {
            name: _DECODERS[column.kind]
            for name, column in shape.columns.items()
            if column.kind in _DECODERS
        }
        rows = []
        for item in data["items"]:
            row = {
                f: item[f] if f in item else deepcopy(shape.defaults.get(f)) for f in shape.fields
            }
            for name, decode in decoders.items():
                if row.get(name) is not None:
                    row[name] = decode(row[name])
            rows.append(row)
        return RowPage(data["index"], data["max_size"], data["total"], rows)

    def update(
        self,
        kind: str,
        entity_id: UUID,
        update: BaseModel | dict[str, Any],
        *,
        respond: bool = True,
    ) -> Any:
        spec = spec_for(kind)
        path = f"{API}/{spec.plural}/{_entity_id(entity_id)}"
        data = self._call("PUT", path, json=request_body(update))
        return self._model(spec, data) if respond else None

    def delete(self, kind: str, entity_id: UUID, *, force: bool = False) -> None:
        spec = spec_for(kind)
        params = {"force": "true"} if force else None
        self._call("DELETE", f"{API}/{spec.plural}/{_entity_id(entity_id)}", params=params)

    def current_user(self) -> UserResponse:
        from stackyard.models.users import UserResponse

        if self._user is None:
            self._user = UserResponse.model_validate(self._call("GET", f"{API}/current-user"))
            self._user.bind(self)
        return self._user

    def page_url(self, path: str) -> str | None:
        return f"{self.url}/{path.lstrip('/')}"

    def info(self) -> dict[str, Any]:
        from stackyard import __version__

        server = self._call("GET", f"{API}/info")
        return {"type": "rest", "url": self.url, "version": __version__, "server": server}

    def close(self) -> None:
        self._http.close()

    def handoff(self) -> StoreHandoff:
        """An API key login hands over the key (workers renew their tokens with it);
        a password login hands over its token, which expires as the session does."""
        if self._api_key is not None:
            return StoreHandoff(self.url, api_key=self._api_key)
        if self._token is None:
            raise AuthenticationError(
                f"not logged in to {self.url}: run `stackyard login {self.url}`"
            )
        return StoreHandoff(self.url, token=self._token)

    # -- service connectors: the server unseals them ---------------------------------------
    def verify_service_connector(
        self, connector_id: UUID, resource_type: str | None = None, resource_id: str | None = None
    ) -> ServiceConnectorResources:
        from stackyard.models.connectors import ServiceConnectorResources

        path = f"{API}/service_connectors/{_entity_id(connector_id)}/verify"
        body = {"resource_type": resource_type, "resource_id": resource_id}
        return ServiceConnectorResources.model_validate(self._call("POST", path, json=body))

    def component_credentials(self, component_id: UUID, resource_type: str) -> ConnectorCredentials:
        from stackyard.models.connectors import ConnectorCredentials

        path = f"{API}/stack_components/{_entity_id(component_id)}/credentials"
        answer = self._call("POST", path, json={"resource_type": resource_type})
        return ConnectorCredentials.model_validate(answer)

    # -- runs beyond CRUD -------------------------------------------------------------------
    def start_template_run(
        self,
        template_id: UUID,
        run_configuration: dict[str, Any],
        *,
        schedule_id: UUID | None = None,
    ) -> PipelineRunResponse:
        params = {"schedule_id": str(schedule_id)} if schedule_id is not None else {}
        data = self._call(
            "POST",
            f"{API}/run_templates/{_entity_id(template_id)}/runs",
            json=run_configuration,
            params=params,
        )
        run: PipelineRunResponse = self._model(spec_for("pipeline_run"), data)
        return run

    def claim_run(self) -> RunClaim | None:
        data = self._call("POST", f"{API}/pipeline_runs/claim")
        if data is None:
            return None
        run = self._model(spec_for("pipeline_run"), data["run"])
        return RunClaim(run, self.url, str(data["token"]))

    def heartbeat(self, run_id: UUID, interval: float) -> bool:
        data = self._call(
            "POST",
            f"{API}/pipeline_runs/{_entity_id(run_id)}/heartbeat",
            json={"interval": interval},
        )
        if data.get("token"):  # a run's token, renewed while the run lives
            self._token = str(data["token"])
            if self._token_file is not None:
                _write_private(self._token_file, self._token)
        return bool(data["running"])

    def release_run(self, run_id: UUID) -> None:
        self._call("POST", f"{API}/pipeline_runs/{_entity_id(run_id)}/release")

    def stop_run(self, run_id: UUID) -> PipelineRunResponse:
        data = self._call("POST", f"{API}/pipeline_runs/{_entity_id(run_id)}/stop")
        run: PipelineRunResponse = self._model(spec_for("pipeline_run"), data)
        return run

    def claim_schedule(
        self,
        schedule_id: UUID,
        due: datetime,
        *,
        next_run: datetime | None,
        last_run: datetime | None,
        active: bool,
    ) -> bool:
        body = {
            "due": due.isoformat(),
            "next_run": next_run.isoformat() if next_run else None,
            "last_run": last_run.isoformat() if last_run else None,
            "active": active,
        }
        data = self._call("POST", f"{API}/schedules/{_entity_id(schedule_id)}/claim", json=body)
        return bool(data["claimed"])

    def settings(self) -> dict[str, Any]:
        data: dict[str, Any] = self._call("GET", f"{API}/settings")
        return data

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = self._call("PUT", f"{API}/settings", json=changes)
        return data

    def rotate_api_key(self, key_id: UUID) -> APIKeyResponse:
        data = self._call("POST", f"{API}/api_keys/{_entity_id(key_id)}/rotate")
        result: APIKeyResponse = self._model(spec_for("api_key"), data)
        return result


def error_from_response(response: httpx.Response, url: str) -> StackyardError:
    """The exception an error response stands for, with the server's message."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        cls = error_class(body.get("error"), response.status_code)
        detail = body["detail"]
    else:  # not from a stackyard server (a proxy, say)
        cls = error_class(None, response.status_code)
        detail = f"HTTP {response.status_code} from {url}: {response.text[:200]}"
    if issubclass(cls, AuthenticationError):
        detail += f" (server {url}: run `stackyard login {url}`)"
    return cls(detail)


TOKEN_ENV = "STACKYARD_ACCESS_TOKEN"
TOKEN_FILE_ENV = "STACKYARD_ACCESS_TOKEN_FILE"


def _token_from_environment() -> tuple[str | None, Path | None]:
    """A token handed to this process (a worker of a runner, a task on a cluster):
    `STACKYARD_ACCESS_TOKEN`, or the file `STACKYARD_ACCESS_TOKEN_FILE` names, which
    the run's heartbeats keep renewed for every process of the run."""
    path = os.environ.get(TOKEN_FILE_ENV)
    if path:
        file = Path(path)
        try:
            return file.read_text().strip() or None, file
        except OSError as exc:
            raise AuthenticationError(f"cannot read the access token file {path}: {exc}") from None
    return os.environ.get(TOKEN_ENV) or None, None


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _saved_login(url: str) -> tuple[str | None, str | None]:
    """The token (and API key, if the login used one) saved for this server URL."""
    from stackyard.config import GlobalConfig

    server = GlobalConfig.load().data.get("server")
    if not isinstance(server, dict) or str(server.get("url", "")).rstrip("/") != url:
        return None, None
    token, key = server.get("token"), server.get("api_key")
    return (str(token) if token else None), (str(key) if key else None)
