"""Quickstart: train and evaluate a logistic regression as a stackyard pipeline.

Everything is plain numpy: a synthetic, deterministic classification dataset,
a train/test split, gradient descent, and accuracy on the held-out part. Each
step's outputs are stored as artifacts and every run is recorded, so the
second run (another learning rate) reuses the cached dataset and split.

    python examples/quickstart.py
"""

from __future__ import annotations

from typing import Annotated

import numpy as np

from stackyard import log_metadata, pipeline, step
from stackyard.client import Client


def with_bias(features: np.ndarray) -> np.ndarray:
    """Append a column of ones so the last weight acts as the intercept."""
    return np.hstack([features, np.ones((len(features), 1))])


@step
def make_dataset(
    n_samples: int = 600, n_features: int = 5, seed: int = 7
) -> tuple[Annotated[np.ndarray, "features"], Annotated[np.ndarray, "labels"]]:
    """Points labelled by a hidden linear rule plus noise, so a linear model can learn it."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n_samples, n_features))
    hidden_weights = rng.normal(size=n_features)
    logits = features @ hidden_weights + 0.3 + rng.normal(scale=0.5, size=n_samples)
    return features, (logits > 0).astype(np.int64)


@step
def split(
    features: np.ndarray, labels: np.ndarray, test_fraction: float = 0.25, seed: int = 7
) -> tuple[
    Annotated[np.ndarray, "train_features"],
    Annotated[np.ndarray, "train_labels"],
    Annotated[np.ndarray, "test_features"],
    Annotated[np.ndarray, "test_labels"],
]:
    order = np.random.default_rng(seed).permutation(len(labels))
    cut = int(len(labels) * (1 - test_fraction))
    train, test = order[:cut], order[cut:]
    return features[train], labels[train], features[test], labels[test]


@step
def train(
    features: np.ndarray, labels: np.ndarray, learning_rate: float = 0.1, epochs: int = 300
) -> Annotated[np.ndarray, "weights"]:
    """Full-batch gradient descent on the mean log-loss."""
    x = with_bias(features)
    weights = np.zeros(x.shape[1])
    for _ in range(epochs):
        predicted = 1 / (1 + np.exp(-(x @ weights)))
        weights -= learning_rate * x.T @ (predicted - labels) / len(labels)
    predicted = np.clip(1 / (1 + np.exp(-(x @ weights))), 1e-12, 1 - 1e-12)
    loss = -np.mean(labels * np.log(predicted) + (1 - labels) * np.log(1 - predicted))
    log_metadata({"train_loss": round(float(loss), 4), "learning_rate": learning_rate})
    return weights


@step
def evaluate(
    weights: np.ndarray, features: np.ndarray, labels: np.ndarray
) -> Annotated[float, "accuracy"]:
    accuracy = float(np.mean((with_bias(features) @ weights > 0) == labels))
    log_metadata({"accuracy": accuracy})
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


@pipeline
def training(learning_rate: float = 0.1, epochs: int = 300) -> None:
    features, labels = make_dataset()
    train_x, train_y, test_x, test_y = split(features, labels)
    weights = train(train_x, train_y, learning_rate=learning_rate, epochs=epochs)
    evaluate(weights, test_x, test_y)


def main() -> None:
    for learning_rate in (0.1, 0.5):
        run = training(learning_rate=learning_rate)
        steps = ", ".join(f"{name}: {s.status}" for name, s in run.steps.items())
        accuracy = run.steps["evaluate"].output.load()
        print(f"{run.name} [{run.status}] lr={learning_rate} accuracy={accuracy:.3f} ({steps})")

    # API.md section 1: my last 10 runs on the current stack.
    client = Client()

    my_runs_on_current_stack = client.list_pipeline_runs(
        stack_id=client.active_stack_model.id,  # on current stack
        user_id=client.active_user.id,  # ran by you
        sort_by="desc:start_time",  # last 10
        size=10,
    )

    for pipeline_run in my_runs_on_current_stack:
        print(pipeline_run.name, pipeline_run.status)


if __name__ == "__main__":
    main()
