"""Caching: a step whose code, parameters and inputs were seen before is not run again."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from stackyard import ExecutionStatus, pipeline, step
from stackyard.client import Client

calls: list[str] = []


@step
def produce(size: int) -> list[int]:
    calls.append("produce")
    return list(range(size))


@step
def count(values: list[int], scale: int = 1) -> int:
    calls.append("count")
    return len(values) * scale


@pipeline
def counting(size: int = 3, scale: int = 1):
    count(produce(size), scale=scale)


def test_an_identical_run_is_cached_without_redoing_work() -> None:
    first = counting()
    calls.clear()
    second = counting()
    assert calls == []
    for name in ("produce", "count"):
        original, cached = first.steps[name], second.steps[name]
        assert cached.status == ExecutionStatus.CACHED
        assert cached.original_step_run_id == original.id
        assert cached.cache_key == original.cache_key
        assert cached.output.id == original.output.id
    assert second.status == ExecutionStatus.CACHED  # every step cached: the run too
    assert Client().get_pipeline_run(second.id).status == ExecutionStatus.CACHED
    assert second.steps["count"].output.load() == 3
    assert second.steps["count"].inputs["values"].id == first.steps["produce"].output.id


def test_a_changed_parameter_misses_only_where_it_applies() -> None:
    counting()
    calls.clear()
    run = counting(scale=2)
    assert calls == ["count"]
    assert run.steps["produce"].status == ExecutionStatus.CACHED
    assert run.steps["count"].status == ExecutionStatus.COMPLETED
    assert run.status == ExecutionStatus.COMPLETED  # partly cached: completed
    assert run.steps["count"].output.load() == 6


def test_a_changed_input_misses_downstream() -> None:
    counting()
    calls.clear()
    run = counting(size=4)
    assert calls == ["produce", "count"]
    assert run.steps["count"].output.load() == 4


@step(enable_cache=False)
def fresh_numbers() -> list[int]:
    calls.append("fresh")
    return [1, 2, 3]


@pipeline
def fresh_counting():
    count(fresh_numbers())


def test_equal_content_from_a_recomputed_input_still_hits() -> None:
    first = fresh_counting()
    calls.clear()
    second = fresh_counting()
    assert calls == ["fresh"]
    assert second.steps["count"].inputs["values"].id != first.steps["count"].inputs["values"].id
    assert second.steps["count"].status == ExecutionStatus.CACHED  # equal content hash
    assert second.steps["count"].original_step_run_id == first.steps["count"].id


def test_enable_cache_false_on_the_step_or_the_pipeline_always_runs() -> None:
    @step(enable_cache=False)
    def never_cached() -> int:
        calls.append("never")
        return 1

    @pipeline
    def mixed():
        never_cached()
        produce(2)

    mixed()
    calls.clear()
    run = mixed()
    assert calls == ["never"]
    assert run.steps["never_cached"].status == ExecutionStatus.COMPLETED
    assert run.steps["never_cached"].cache_key  # still recorded, for later runs

    calls.clear()
    mixed.with_options(enable_cache=False)()
    assert calls == ["never", "produce"]

    @pipeline(enable_cache=False)
    def uncached():
        produce(2)

    calls.clear()
    uncached()
    assert calls == ["produce"]


def test_a_deleted_output_is_recomputed() -> None:
    first = counting()
    Client().delete_artifact_version(first.steps["count"].output.id)
    calls.clear()
    run = counting()
    assert calls == ["count"]
    assert run.steps["count"].status == ExecutionStatus.COMPLETED


STEP_MODULE = """
from stackyard import pipeline, step

@step
def compute() -> int:
    return {body}

@pipeline
def edited():
    compute()
"""


def test_editing_the_step_code_misses(tmp_path: Path) -> None:
    module_file = tmp_path / "edited_steps.py"
    module_file.write_text(STEP_MODULE.format(body="1"))
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("edited_steps")
        first = module.edited()
        assert module.edited().steps["compute"].status == ExecutionStatus.CACHED
        module_file.write_text(STEP_MODULE.format(body="1 + 41"))
        module = importlib.reload(module)
        changed = module.edited()
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("edited_steps", None)
    assert changed.steps["compute"].status == ExecutionStatus.COMPLETED
    assert changed.steps["compute"].output.load() == 42
    assert changed.steps["compute"].cache_key != first.steps["compute"].cache_key
