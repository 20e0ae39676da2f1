"""Inside a step: its context, metadata it logs, and everything it prints or logs."""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Any

import pytest

from stackyard import get_step_context, log_metadata, pipeline, step
from stackyard.client import Client
from stackyard.exceptions import IllegalOperationError, InputError

seen: dict[str, Any] = {}


@step(enable_cache=False)
def introspect(label: str) -> tuple[Annotated[int, "left"], Annotated[int, "right"]]:
    context = get_step_context()
    seen.update(
        pipeline=context.pipeline_name,
        run=context.run_name,
        run_id=context.run_id,
        step=context.step_name,
        step_run_id=context.step_run_id,
        parameters=context.parameters,
        stack=context.stack.name,
        artifact_store=context.stack.artifact_store.path,
        uris=dict(context.output_uris),
        left_uri=context.get_output_uri("left"),
    )
    return 1, 2


@pipeline
def introspecting():
    introspect("hello")


def test_step_context_describes_the_running_step() -> None:
    seen.clear()
    run = introspecting()
    step_run = run.steps["introspect"]
    assert seen["pipeline"] == "introspecting"
    assert seen["run"] == run.name and seen["run_id"] == run.id
    assert seen["step"] == "introspect" and seen["step_run_id"] == step_run.id
    assert seen["parameters"] == {"label": "hello"}
    assert seen["stack"] == "default"
    assert set(seen["uris"]) == {"left", "right"}
    assert seen["left_uri"] == step_run.outputs["left"].uri
    assert seen["left_uri"].startswith(seen["artifact_store"])
    assert seen["uris"]["right"] == step_run.outputs["right"].uri


def test_get_step_context_outside_a_step_is_an_error() -> None:
    with pytest.raises(IllegalOperationError, match="only works while a step runs"):
        get_step_context()


@step(enable_cache=False)
def measured() -> int:
    context = get_step_context()
    log_metadata({"loss": 0.25, "epochs": 3})
    log_metadata({"dataset": "iris"}, run_id=context.run_id)
    return 7


@pipeline
def measuring():
    measured()


def test_log_metadata_attaches_to_the_step_or_the_given_records() -> None:
    run = measuring()
    step_run = run.steps["measured"]
    assert step_run.run_metadata == {"loss": 0.25, "epochs": 3}
    assert Client().get_pipeline_run(run.id).run_metadata == {"dataset": "iris"}
    output = step_run.output
    log_metadata({"checked": True}, artifact_version_id=output.id)
    log_metadata({"by_name": 1}, artifact_version_id=output.name)  # its latest version
    recorded = Client().get_artifact_version(output.id).run_metadata
    assert recorded["checked"] is True and recorded["by_name"] == 1
    with pytest.raises(InputError, match="outside a step needs run_id, step_id"):
        log_metadata({"orphan": 1})
    with pytest.raises(InputError, match="must be JSON-serialisable"):
        log_metadata({"bad": object()}, run_id=run.id)


@step(enable_cache=False)
def chatty() -> int:
    print("to stdout")
    sys.stderr.write("to stderr\n")
    logging.getLogger("chatty.model").warning("a warning record")
    logging.info("a root info record")
    logging.getLogger("chatty.model").info("a module info record")
    logging.getLogger("chatty.model").debug("a record below the configured level")
    # what stackyard's own HTTP transport says of its requests is no part of the step
    logging.getLogger("httpx").info("HTTP Request: POST /heartbeat")
    logging.getLogger("httpcore.connection").info("connect_tcp.started")
    logging.getLogger("urllib3.connectionpool").info("Starting new HTTPS connection")
    logging.getLogger("httpx").warning("a transport warning")
    return 0


@step(enable_cache=False)
def silent() -> int:
    return 0


@pipeline
def talking():
    chatty()
    silent()


def test_logs_capture_prints_stderr_and_log_records(capsys: pytest.CaptureFixture[str]) -> None:
    run = talking()
    logs = run.steps["chatty"].logs
    assert "to stdout\n" in logs and "to stderr\n" in logs
    assert "WARNING chatty.model: a warning record" in logs
    assert "INFO root: a root info record" in logs  # Python's default shows warnings only
    assert "INFO chatty.model: a module info record" in logs
    assert "below the configured level" not in logs
    assert "HTTP Request" not in logs and "connect_tcp" not in logs and "Starting new" not in logs
    assert "WARNING httpx: a transport warning" in logs  # its warnings still count
    assert logging.getLogger().level == logging.WARNING  # put back after the step
    assert run.steps["chatty"].logs_uri.endswith("chatty.log")
    assert run.steps["silent"].logs == "" and run.steps["silent"].logs_uri is None
    printed = capsys.readouterr()
    assert "to stdout" in printed.out  # still shown on the console
    assert "to stderr" in printed.err
    assert "info record" not in printed.err  # ... at the threshold it had
