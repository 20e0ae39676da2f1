"""Pipelines that train, promote and use a model (imported by spawned processes too)."""

from __future__ import annotations

from typing import Annotated, Any

from stackyard import ArtifactConfig, Model, get_step_context, pipeline, step


@step(enable_cache=False)
def load_data(rows: int = 4) -> Annotated[list[float], "iris_data"]:
    return [float(i) for i in range(rows)]


@step(enable_cache=False)
def train(
    data: list[float],
) -> Annotated[dict[str, float], ArtifactConfig(name="clf", is_model_artifact=True)]:
    model = get_step_context().model
    model.log_metadata({"accuracy": 0.5 + len(data) / 100})
    return {"weight": sum(data)}


@step(enable_cache=False)
def package(
    clf: dict[str, float],
) -> Annotated[str, ArtifactConfig(name="service", is_deployment_artifact=True)]:
    return f"serve weight={clf['weight']}"


@pipeline(model=Model(name="iris", license="Apache-2.0", tags=["flowers"]))
def training(rows: int = 4) -> None:
    clf = train(load_data(rows=rows))
    package(clf)


@step(enable_cache=False)
def predict() -> Annotated[float, "prediction"]:
    clf: dict[str, Any] = get_step_context().model.load_artifact("clf")
    return float(clf["weight"]) * 2


@pipeline(model=Model(name="iris", version="production"))
def inference() -> None:
    predict()


@step
def cached_train() -> Annotated[int, ArtifactConfig(name="cached_clf", is_model_artifact=True)]:
    return 7


@step(model=Model(name="step-model"))
def uses_step_model(value: int) -> Annotated[int, "scored"]:
    return value + get_step_context().model.number


@pipeline
def step_level() -> None:
    uses_step_model(cached_train())


@pipeline(model=Model(name="cached"))
def cached_models() -> None:
    cached_train()


@step(enable_cache=False)
def no_model() -> int:
    get_step_context().model  # noqa: B018 - the error is the point
    return 1


@pipeline
def without_model() -> None:
    no_model()


@pipeline(model=Model(name="race"), enable_cache=False)
def racing() -> None:
    train(load_data())


def run_racing(barrier: Any) -> str:
    """One of several processes training at once (for the numbering race)."""
    barrier.wait()
    return str(racing().id)
