"""Running pipelines: the API example, what a run records, DAG shapes and outputs."""

from __future__ import annotations

import re
from typing import Annotated

import pytest

from stackyard import ExecutionStatus, get_step_context, log_metadata, pipeline, step
from stackyard.client import Client
from stackyard.exceptions import InputError, StepFailedError

# -- API.md section 7, exactly as written ----------------------------------------------------


@step
def load() -> Annotated[list[int], "numbers"]:
    return [1, 2, 3]


@step(enable_cache=False)
def total(numbers: list[int], offset: int = 0) -> int:
    log_metadata({"count": len(numbers)})
    return sum(numbers) + offset


@pipeline
def first_pipeline(offset: int = 1):
    total(load(), offset=offset)


def test_api_section_7_example() -> None:
    run = first_pipeline(offset=2)  # runs on the active stack, returns PipelineRunResponse
    assert run.status == "completed"
    assert run.steps["total"].output.load() == 8
    assert run.steps["total"].run_metadata == {"count": 3}
    assert run.steps["load"].output.name == "numbers"
    assert run.steps["total"].inputs["numbers"].id == run.steps["load"].output.id


def test_run_records_pipeline_stack_user_snapshot_and_times() -> None:
    client = Client()
    run = first_pipeline(offset=5)
    assert re.fullmatch(r"first_pipeline-\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2}_\d{6}", run.name)
    assert run.pipeline_id == client.get_pipeline("first_pipeline").id
    assert run.stack_id == client.active_stack_model.id
    assert run.user_id == client.active_user.id
    assert run.snapshot is not None
    assert set(run.snapshot.pipeline_spec["steps"]) == {"load", "total"}
    assert run.snapshot.step_configurations["total"]["parameters"] == {"offset": 5}
    assert run.config["parameters"] == {"offset": 5}
    assert run.start_time is not None and run.end_time is not None
    assert run.start_time <= run.steps["load"].start_time <= run.end_time
    again = first_pipeline()
    assert client.get_pipeline("first_pipeline").id == again.pipeline_id  # reused, not duplicated
    assert len(client.list_pipelines(name="first_pipeline")) == 1


def test_api_section_1_example_lists_my_runs_newest_first() -> None:
    first = first_pipeline()
    second = first_pipeline()
    client = Client()
    my_runs_on_current_stack = client.list_pipeline_runs(
        stack_id=client.active_stack_model.id,  # on current stack
        user_id=client.active_user.id,  # ran by you
        sort_by="desc:start_time",  # last 10
        size=10,
    )
    assert [r.name for r in my_runs_on_current_stack] == [second.name, first.name]
    assert client.get_pipeline_run(first.name).id == first.id
    assert client.get_pipeline_run(str(second.id)).id == second.id


seen_statuses: list[str] = []


@step(enable_cache=False)
def observe() -> None:
    seen_statuses.append(get_step_context().pipeline_run.status)


@pipeline
def observing():
    observe()


def test_run_is_running_during_steps_and_completed_after() -> None:
    seen_statuses.clear()
    run = observing()
    assert seen_statuses == [ExecutionStatus.RUNNING]
    assert run.status == ExecutionStatus.COMPLETED
    assert run.steps["observe"].status == ExecutionStatus.COMPLETED
    assert run.steps["observe"].outputs == {}


# -- DAG shapes ------------------------------------------------------------------------------

order: list[str] = []


@step(enable_cache=False)
def source_value(value: int) -> int:
    order.append(f"source:{value}")
    return value


@step(enable_cache=False)
def add(a: int, b: int) -> int:
    order.append("add")
    return a + b


@step(enable_cache=False)
def split(value: int) -> tuple[Annotated[int, "half"], Annotated[int, "rest"]]:
    return value // 2, value - value // 2


@step(enable_cache=False)
def pair() -> tuple[int, str]:
    return 1, "one"


@step(enable_cache=False)
def marker(label: str) -> None:
    order.append(label)


@pipeline
def diamond():
    left = source_value(1)
    right = source_value(2)
    half, rest = split(add(left, right))
    add(half, rest)


def test_steps_run_in_dependency_order_and_repeat_as_name_2() -> None:
    order.clear()
    run = diamond()
    assert list(run.steps) == ["source_value", "source_value_2", "add", "split", "add_2"]
    assert order == ["source:1", "source:2", "add", "add"]
    assert run.steps["add_2"].output.load() == 3
    assert set(run.steps["split"].outputs) == {"half", "rest"}
    assert run.steps["add_2"].inputs["a"].id == run.steps["split"].outputs["half"].id


@pipeline
def unnamed_tuple():
    pair()


def test_tuple_outputs_without_names_are_output_0_and_output_1() -> None:
    run = unnamed_tuple()
    outputs = run.steps["pair"].outputs
    assert {k: v.load() for k, v in outputs.items()} == {"output_0": 1, "output_1": "one"}
    assert outputs["output_0"].name == "unnamed_tuple::pair::output_0"
    with pytest.raises(ValueError, match="2 outputs"):
        _ = run.steps["pair"].output


@pipeline
def ordered_without_data():
    marker("second")
    marker.after(marker)
    marker("third")
    first = source_value(0)
    marker.after(first)
    marker("fourth")


def test_after_orders_steps_without_data_dependencies() -> None:
    order.clear()
    run = ordered_without_data()
    assert order == ["second", "third", "source:0", "fourth"]
    spec = run.snapshot.pipeline_spec["steps"]
    assert spec["marker_2"]["upstream"] == ["marker"]
    assert spec["marker_3"]["upstream"] == ["source_value"]


def test_after_on_a_step_not_yet_called_is_a_clear_error() -> None:
    @pipeline
    def wrong():
        marker.after(source_value)
        marker("x")

    with pytest.raises(InputError, match="'source_value' has not been called yet"):
        wrong()


# -- calling and typing ------------------------------------------------------------------------


def test_a_step_outside_a_pipeline_is_the_plain_function() -> None:
    assert add(2, 3) == 5


def test_bad_arguments_name_the_step_and_its_parameters() -> None:
    @pipeline
    def missing_argument():
        add(1)

    with pytest.raises(InputError, match=r"calling step 'add'.*b.*its parameters: a, b"):
        missing_argument()
    with pytest.raises(InputError, match=r"no parameter\(s\) nope; its parameters: offset"):
        first_pipeline.with_options(parameters={"nope": 1})()


@step(enable_cache=False)
def lies() -> int:
    return "not a number"  # type: ignore[return-value]


@step(enable_cache=False)
def after_lies(value: int) -> int:
    return value


@pipeline
def lying():
    after_lies(lies())


def test_an_output_not_matching_its_annotation_fails_the_step() -> None:
    with pytest.raises(StepFailedError, match="step 'lies'") as caught:
        lying()
    assert "returned builtins.str for output 'output'" in str(caught.value)
    run = Client().list_pipeline_runs(pipeline_name="lying")[0]
    assert run.status == ExecutionStatus.FAILED
    assert "return annotation says int" in run.steps["lies"].error
    assert "after_lies" not in run.steps


@step(enable_cache=False)
def widened() -> float:
    return 3


@step(enable_cache=False)
def optional(flag: bool) -> int | None:
    return 1 if flag else None


@pipeline
def loose_types():
    widened()
    optional(True)
    optional(False)


def test_int_for_float_and_optional_annotations_are_accepted() -> None:
    run = loose_types()
    assert run.steps["widened"].output.load() == 3.0
    assert isinstance(run.steps["widened"].output.load(), float)
    assert run.steps["optional"].output.load() == 1
    assert run.steps["optional_2"].output.load() is None


def test_placeholders_misused_in_the_pipeline_function_are_explained() -> None:
    @pipeline
    def collects():
        add([source_value(1), source_value(2)], 1)

    @pipeline
    def unpacks_single():
        _first, _second = source_value(1)

    @pipeline
    def passes_whole_tuple():
        add(split(4), 1)

    @pipeline
    def branches():
        if source_value(1):
            marker("never")

    with pytest.raises(InputError, match="collection holding step outputs"):
        collects()
    with pytest.raises(TypeError, match="'source_value' has a single output"):
        unpacks_single()
    with pytest.raises(InputError, match="gets all 2 outputs of step 'split'; unpack them"):
        passes_whole_tuple()
    with pytest.raises(TypeError, match="has no value while the pipeline is being defined"):
        branches()
    assert Client().list_pipeline_runs().total == 0  # nothing was recorded
