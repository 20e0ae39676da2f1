"""Run options: with_options, YAML run configuration, settings, run names and schedules."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from stackyard import ExecutionStatus, ResourceSettings, Schedule, pipeline, step
from stackyard.client import Client
from stackyard.exceptions import InputError
from stackyard.models.automation import ScheduleResponse

calls: list[str] = []


@step(settings={"resources": ResourceSettings(cpu_count=2, memory="4GB")})
def scaled(value: int, factor: int = 1) -> int:
    calls.append("scaled")
    return value * factor


@step
def plus(value: int, amount: int = 0) -> int:
    calls.append("plus")
    return value + amount


@pipeline(settings={"resources": {"gpu_count": 1}})
def configurable(value: int = 1, factor: int = 2):
    plus(scaled(value, factor=factor))


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_with_options_sets_run_name_caching_and_parameters() -> None:
    configurable()
    calls.clear()
    run = configurable.with_options(
        run_name="nightly-{date}-{time}", enable_cache=False, parameters={"value": 5}
    )()
    assert re.fullmatch(r"nightly-\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2}_\d{6}", run.name)
    assert calls == ["scaled", "plus"]  # caching off
    assert run.steps["plus"].output.load() == 10
    assert run.config["parameters"] == {"value": 5, "factor": 2}
    assert run.config["enable_cache"] is False
    assert configurable.with_options(parameters={"value": 5})(value=3).config["parameters"] == {
        "value": 3,
        "factor": 2,
    }  # call arguments win over options


def test_yaml_run_configuration(tmp_path: Path) -> None:
    config = write(
        tmp_path / "run.yaml",
        """
run_name: from-yaml-{date}
enable_cache: false
parameters:
  value: 4
settings:
  resources: {gpu_count: 2}
steps:
  plus:
    parameters: {amount: 100}
    settings:
      resources: {cpu_count: 8}
""",
    )
    calls.clear()
    run = configurable.with_options(config_path=config)()
    assert run.name.startswith("from-yaml-")
    assert calls == ["scaled", "plus"]
    assert run.steps["plus"].output.load() == 4 * 2 + 100
    assert run.steps["plus"].parameters == {"amount": 100}
    assert run.steps["plus"].config["settings"]["resources"] == {
        "cpu_count": 8.0,
        "gpu_count": None,
        "memory": None,
    }
    scaled_resources = run.steps["scaled"].config["settings"]["resources"]
    assert scaled_resources == {"cpu_count": 2.0, "gpu_count": None, "memory": "4GB"}
    assert run.config["settings"]["resources"]["gpu_count"] == 2
    assert run.config["config_path"] == config


def test_yaml_mistakes_name_the_key_and_the_choices(tmp_path: Path) -> None:
    cases = {
        "paramters: {value: 1}": r"paramters.*accepted keys: run_name, enable_cache",
        "steps: {nope: {}}": r"names step 'nope'.*its steps: scaled, plus",
        "steps: {plus: {parameters: {value: 1}}}": r"'value' of step 'plus' is an input artifact",
        "steps: {plus: {parameters: {amout: 1}}}": r"no parameter 'amout'; its parameters: value",
        "steps: {plus: {retry: 3}}": r"steps.plus.retry.*accepted keys: parameters",
        "settings: {resources: {cpus: 3}}": r"invalid 'resources' settings.*cpu_count",
    }
    for text, expected in cases.items():
        path = write(tmp_path / "bad.yaml", text)
        with pytest.raises(InputError, match=expected):
            configurable.with_options(config_path=path)()
    with pytest.raises(InputError, match="does not exist"):
        configurable.with_options(config_path=tmp_path / "missing.yaml")()


def test_unknown_run_name_placeholders_are_refused() -> None:
    with pytest.raises(InputError, match=r"unknown or malformed placeholder.*\{date\}, \{time\}"):
        configurable.with_options(run_name="run-{day}")()
    assert Client().list_snapshots().total == 0  # refused before anything was recorded


def test_a_schedule_is_recorded_instead_of_running() -> None:
    calls.clear()
    scheduled = configurable.with_options(
        schedule=Schedule(name="every-five", cron_expression="*/5 * * * *")
    )
    result = scheduled(value=9)
    assert isinstance(result, ScheduleResponse)
    assert calls == []
    client = Client()
    assert client.list_pipeline_runs(pipeline_name="configurable").total == 0
    schedule = client.get_schedule("every-five")
    assert schedule.cron_expression == "*/5 * * * *"
    assert schedule.pipeline_id == client.get_pipeline("configurable").id
    assert schedule.active and schedule.next_run_time is not None
    snapshot = client.list_snapshots(schedule_id=schedule.id)[0]
    assert snapshot.pipeline_configuration["parameters"] == {"value": 9, "factor": 2}
    assert snapshot.source == "test_run_config:configurable"
    interval = configurable.with_options(schedule=Schedule(interval_second=timedelta(hours=1)))()
    assert interval.interval_second == 3600
    assert interval.name.startswith("configurable-schedule-")


def test_schedule_and_resource_settings_validate_their_values() -> None:
    with pytest.raises(ValidationError, match="exactly one of cron_expression"):
        Schedule(cron_expression="* * * * *", interval_second=5)
    with pytest.raises(ValidationError, match="exactly one of"):
        Schedule()
    with pytest.raises(ValidationError, match="memory"):
        ResourceSettings(memory="lots")
    with pytest.raises(InputError, match="invalid cron expression"):
        configurable.with_options(schedule=Schedule(cron_expression="every minute"))()


def test_disabled_caching_via_yaml_for_one_step(tmp_path: Path) -> None:
    configurable()
    config = write(tmp_path / "run.yaml", "steps: {plus: {enable_cache: false}}")
    calls.clear()
    run = configurable.with_options(config_path=config)()
    assert calls == ["plus"]
    assert run.steps["scaled"].status == ExecutionStatus.CACHED
    assert run.steps["plus"].config["enable_cache"] is False
