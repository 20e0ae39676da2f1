"""The REST store: exact exception classes, secrets on the wire, retries, key renewal,
and the dashboard page a run through a server points at."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from serving import SECRET, Running, Users

from stackyard import pipeline, step
from stackyard.client import Client, depaginate
from stackyard.exceptions import (
    AmbiguousMatchError,
    AuthenticationError,
    AuthorizationError,
    EntityExistsError,
    EntityNotFoundError,
    InputError,
    StoreConnectionError,
)
from stackyard.models.enums import ExecutionStatus
from stackyard.models.secrets import SecretRequest, SecretUpdate
from stackyard.server.tokens import issue
from stackyard.store.rest import RestStore, query_value, request_body


def test_errors_come_back_as_the_same_classes(server: Running, users: Users) -> None:
    alice = Client(store=server.rest(users.alice))
    bob = Client(store=server.rest(users.bob))
    first = alice.store.create("pipeline", {"name": "amb-one"})
    alice.store.create("pipeline", {"name": "amb-two"})
    cases: list[tuple[type[Exception], Any]] = [
        (EntityNotFoundError, lambda: alice.get_pipeline("no-such-pipeline")),
        (AmbiguousMatchError, lambda: alice.get_pipeline("amb-")),
        (EntityExistsError, lambda: alice.store.create("pipeline", {"name": "amb-one"})),
        (InputError, lambda: alice.list_pipelines(bogus="x")),
        (InputError, lambda: alice.list_pipelines(size=10_001)),
        (InputError, lambda: alice.store.get("pipeline", "../users")),
        (AuthorizationError, lambda: bob.store.update("pipeline", first.id, {"description": "x"})),
        (AuthenticationError, lambda: RestStore(server.url, token="bad").current_user()),
    ]
    for cls, call in cases:
        with pytest.raises(cls) as info:
            call()
        assert type(info.value) is cls, (cls, info.value)
    with pytest.raises(KeyError):  # EntityNotFoundError is a KeyError, over REST too
        alice.get_pipeline("still-missing")


def test_secret_values_travel_in_clear_and_only_to_get(server: Running, users: Users) -> None:
    client = Client(store=server.rest(users.alice))
    client.create_secret("wire", {"user": "u", "pass": "p@ss"}, private=True)
    assert client.get_secret("wire").secret_values == {"user": "u", "pass": "p@ss"}
    client.update_secret("wire", add_or_update_values={"pass": "new"}, remove_values=["user"])
    assert client.get_secret("wire").values == {"pass": "new"}
    listed = [s for s in client.list_secrets(name="wire")]
    assert listed[0].secret_values is None and listed[0].keys == ["pass"]


def test_request_body_reveals_secrets_and_keeps_unset_fields_out() -> None:
    body = request_body(SecretRequest(name="s", values={"k": "v"}))  # type: ignore[dict-item]
    assert body == {"name": "s", "values": {"k": "v"}}
    update = request_body(SecretUpdate(add_or_update_values={"a": "b"}))  # type: ignore[dict-item]
    assert update == {"add_or_update_values": {"a": "b"}}
    stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert request_body({"when": stamp, "id": uuid.UUID(int=1)}) == {
        "when": "2026-01-02T03:04:05Z",
        "id": "00000000-0000-0000-0000-000000000001",
    }


def test_query_values_match_the_server_parser() -> None:
    assert query_value(["a", "b"]) == 'oneof:["a", "b"]'
    assert query_value(ExecutionStatus.RUNNING) == "running"
    assert query_value(True) == "true"
    assert query_value("gte:2026-01-01") == "gte:2026-01-01"
    assert query_value([uuid.UUID(int=2)]) == 'oneof:["00000000-0000-0000-0000-000000000002"]'


def test_lists_filters_and_depaginate_over_rest(server: Running, users: Users) -> None:
    client = Client(store=server.rest(users.bob))
    names = [f"bob-page-{i}" for i in range(7)]
    for name in names:
        client.store.create("pipeline", {"name": name})
    page = client.list_pipelines(name="startswith:bob-page", size=3, page=2, sort_by="name")
    assert [p.name for p in page] == names[3:6] and page.total_pages == 3 and page.index == 2
    some = client.list_pipelines(name=[names[0], names[6]])
    assert sorted(p.name for p in some) == [names[0], names[6]]
    either = client.list_pipelines(name=names[1], description="nothing", logical_operator="or")
    assert [p.name for p in either] == [names[1]]
    assert len(list(depaginate(client.list_pipelines, name="startswith:bob-page", size=2))) == 7


class Flaky(httpx.BaseTransport):
    """A real transport that first drops `failures` requests like a dead connection."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.seen: list[str] = []
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.method)
        if self.failures:
            self.failures -= 1
            raise httpx.ReadError("connection reset", request=request)
        return self.real.handle_request(request)


def _flaky_store(server: Running, token: str, failures: int) -> tuple[RestStore, Flaky]:
    store = server.rest(token)
    transport = Flaky(failures)
    store._http = httpx.Client(base_url=server.url, transport=transport)
    return store, transport


def test_idempotent_calls_are_retried_posts_are_not(server: Running, users: Users) -> None:
    store, transport = _flaky_store(server, users.alice, failures=2)
    assert store.current_user().name == "alice"
    assert transport.seen == ["GET", "GET", "GET"]
    store, transport = _flaky_store(server, users.alice, failures=1)
    with pytest.raises(StoreConnectionError):
        store.create("pipeline", {"name": "never-twice"})
    assert transport.seen == ["POST"]


def test_unreachable_server_is_a_clear_connection_error(server: Running) -> None:
    with pytest.raises(StoreConnectionError, match="cannot reach the stackyard server"):
        RestStore("http://127.0.0.1:9", token="t").list("pipeline")


def test_api_key_logins_renew_expired_tokens(server: Running, users: Users) -> None:
    admin = Client(store=server.rest(users.admin))
    account = admin.create_user(f"svc-{uuid.uuid4().hex[:6]}", is_service_account=True)
    key = admin.store.create("api_key", {"name": "k", "service_account_id": account.id}).key
    expired = issue(SECRET, account.id, 0, ttl=-1)
    store = RestStore(server.url, token=expired, api_key=key)
    assert store.current_user().name == account.name  # 401, renewed with the key, retried
    by_key_only = RestStore(server.url, api_key=key)
    assert by_key_only.list("pipeline").total >= 0


@step(enable_cache=False)
def served_step() -> int:
    return 1


@pipeline
def served():
    served_step()


def test_a_run_through_a_server_ends_with_its_dashboard_page(
    server: Running, users: Users, capsys: pytest.CaptureFixture[str]
) -> None:
    from stackyard.client.core import reset_stores
    from stackyard.config import GlobalConfig

    config = GlobalConfig.load()  # logged in as alice, as `stackyard login` leaves it
    config.data["server"] = {"url": server.url, "token": users.alice}
    config.save()
    reset_stores()
    run = served()
    page = f"{server.url}/runs/{run.id}"
    assert f"Inspect it: {page} or stackyard pipeline run describe {run.name}" in (
        capsys.readouterr().err
    )
    with httpx.Client(base_url=server.url) as browser:  # the page is there, and is this run's
        form = browser.get("/login")
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        signed_in = browser.post("/login/token", data={"token": users.alice, "csrf": csrf})
        assert signed_in.status_code == 303, signed_in.text
        shown = browser.get(page)
        assert shown.status_code == 200 and run.name in shown.text
