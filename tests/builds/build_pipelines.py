"""Pipelines whose builds the tests compute (importable by path)."""

from __future__ import annotations

from stackyard import DockerSettings, pipeline, step


@step
def load() -> int:
    return 1


@step(
    settings={
        "docker": DockerSettings(
            requirements=["scikit-learn>=1.4"],
            apt_packages=["libgomp1"],
            environment={"OMP_NUM_THREADS": "1"},
        )
    }
)
def train(value: int) -> int:
    return value + 1


@pipeline(settings={"docker": {"requirements": ["numpy>=1.26"]}})
def training() -> None:
    train(load())
