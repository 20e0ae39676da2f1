"""The parts of the dashboard with logic of their own: DAG layout, safe previews,
masking, and the store's grouped counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stackyard.dashboard import dag, preview
from stackyard.dashboard.views import MASK, masked


@pytest.fixture(autouse=True)
def isolated_config() -> None:
    """No config directory needed here (overrides the package's module-wide one)."""


def _links(edges: str) -> list[tuple[str, str, str]]:
    return [(a, b, "") for a, b in (e.split(">") for e in edges.split())]


@pytest.mark.parametrize(
    ("names", "edges"),
    [
        ("a b c d", "a>b a>c b>d c>d"),  # diamond
        ("a b c d e f", "a>b a>c b>d b>e c>f"),  # tree
        ("a b c d e", "a>b b>c c>d d>e"),  # chain
        ("a b c d e f g", "a>b a>c a>d a>e b>f c>f d>g e>g"),  # fan out, two joins
        ("s x y z t", "s>x s>t x>y y>z z>t"),  # a long edge beside a chain
    ],
)
def test_layered_layouts_have_no_crossings(names: str, edges: str) -> None:
    result = dag.layout(names.split(), _links(edges))
    assert dag.crossings(result) == 0
    for a, b, _ in _links(edges):
        assert result.nodes[a].layer < result.nodes[b].layer
    positions = {(n.x, n.y) for n in result.nodes.values()}
    assert len(positions) == len(result.nodes)  # no two nodes on top of each other


def test_crossings_are_counted_when_they_exist() -> None:
    # a deliberately tangled pair of layers: the barycenter sweep untangles it
    result = dag.layout(list("abcd"), _links("a>d b>c"))
    assert dag.crossings(result) == 0
    crossed = dag.Layout(
        {},
        [
            dag.Edge("a", "d", points=[(0, 0), (10, 10)]),
            dag.Edge("b", "c", points=[(10, 0), (0, 10)]),
        ],
        10,
        10,
    )
    assert dag.crossings(crossed) == 1


def test_a_hundred_step_chain_lays_out_fast_enough_to_render() -> None:
    names = [f"s{i}" for i in range(100)]
    result = dag.layout(names, [(names[i], names[i + 1], "out") for i in range(99)])
    assert result.nodes["s99"].layer == 99 and dag.crossings(result) == 0


def test_a_thousand_step_chain_lays_out_deep_in_the_stack() -> None:
    """As a request calls it (a recursive layout, like grandalf's, fails here)."""
    names = [f"s{i}" for i in range(1000)]
    links = [(names[i], names[i + 1], "") for i in range(999)]

    def nested(depth: int) -> dag.Layout:
        return nested(depth - 1) if depth else dag.layout(names, links)

    result = nested(200)
    assert result.nodes["s999"].layer == 999


def test_inside_refuses_paths_outside_the_store(tmp_path: Path) -> None:
    root = tmp_path / "store"
    (root / "a").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "link").symlink_to(tmp_path / "elsewhere")
    assert preview.inside(str(root / "a"), str(root))
    assert not preview.inside(str(root / "a" / ".." / ".." / "elsewhere"), str(root))
    assert not preview.inside(str(root / "link"), str(root))  # a symlink that leads out
    assert not preview.inside(str(root), str(root))
    assert not preview.inside("/etc/passwd", str(root))
    assert preview.inside("s3://bucket/store/x/1", "s3://bucket/store")
    assert not preview.inside("s3://bucket/store/../other", "s3://bucket/store")
    assert not preview.inside("s3://bucket/storeroom/x", "s3://bucket/store")
    assert not preview.inside(str(root / "a"), "s3://bucket/store")


def _version(uri: Path, materializer: str) -> dict[str, Any]:
    return {"uri": str(uri), "materializer": materializer, "data_type": "x"}


def test_pickles_and_unknown_materializers_are_never_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cloudpickle

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the server unpickled an artifact")

    monkeypatch.setattr(cloudpickle, "load", refuse)
    monkeypatch.setattr("pickle.load", refuse)
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "data.pkl").write_bytes(cloudpickle.dumps({1, 2}))
    shown = preview.preview(
        _version(tmp_path / "v", preview.BUILTIN + "BuiltinMaterializer"), [str(tmp_path)]
    )
    assert shown.kind == "none" and "pickle" in shown.reason
    custom = preview.preview(_version(tmp_path / "v", "my_pkg.Evil"), [str(tmp_path)])
    assert custom.kind == "none" and "my_pkg.Evil" in custom.reason
    outside = preview.preview(
        _version(tmp_path / "v", preview.BUILTIN + "BuiltinMaterializer"), [str(tmp_path / "other")]
    )
    assert outside.kind == "none" and "outside the artifact store" in outside.reason


def test_numpy_object_arrays_are_refused_without_unpickling(tmp_path: Path) -> None:
    import numpy as np

    (tmp_path / "v").mkdir()
    np.save(tmp_path / "v" / "data.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    shown = preview.preview(
        _version(tmp_path / "v", "stackyard.artifacts.materializers_numpy.NumpyMaterializer"),
        [str(tmp_path)],
    )
    assert shown.kind == "none" and "pickle" in shown.reason.lower()


def test_html_is_sanitised_and_json_lists_are_plotted(tmp_path: Path) -> None:
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "data.html").write_text(
        '<p onclick="x()">hi <a href="javascript:alert(1)">link</a></p><script>alert(1)</script>'
    )
    html = preview.preview(
        _version(tmp_path / "h", "stackyard.artifacts.materializers_text.TextMaterializer"),
        [str(tmp_path)],
    )
    assert html.kind == "html" and "<p>hi" in html.html
    assert (
        "script" not in html.html and "onclick" not in html.html and "javascript" not in html.html
    )
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "data.json").write_text(json.dumps([1, 4, 2, 8]))
    series = preview.preview(
        _version(tmp_path / "j", preview.BUILTIN + "BuiltinMaterializer"), [str(tmp_path)]
    )
    assert series.kind == "json" and len(series.plot.split()) == 4 and series.plot_range == (1, 8)


def test_secret_looking_configuration_is_masked_but_references_are_shown() -> None:
    schema = {"properties": {"key": {"type": "string", "writeOnly": True, "format": "password"}}}
    shown = masked(
        {
            "key": "k",
            "password": "p",
            "nested": {"api_token": "t"},
            "path": "/x",
            "secret_ref": "{{aws.key}}",
        },
        schema,
    )
    assert shown == {
        "key": MASK,
        "password": MASK,
        "nested": {"api_token": MASK},
        "path": "/x",
        "secret_ref": "{{aws.key}}",
    }


def test_summarize_counts_groups_in_one_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stackyard.exceptions import InputError
    from stackyard.store.sql.store import SqlStore

    monkeypatch.setenv("STACKYARD_CONFIG_PATH", str(tmp_path / "config"))
    store = SqlStore(f"sqlite:///{tmp_path / 's.db'}")
    try:
        pipeline = store.create("pipeline", {"name": "p"})
        for i, status in enumerate(["completed", "failed", "completed"]):
            store.create(
                "pipeline_run", {"name": f"r{i}", "pipeline_id": pipeline.id, "status": status}
            )
        groups = store.summarize(
            "pipeline_run", ["pipeline_id", "status"], pipeline_id=[pipeline.id]
        )
        counts = {g["status"]: g["count"] for g in groups}
        assert counts == {"completed": 2, "failed": 1}
        assert all(g["pipeline_id"] == pipeline.id and g["last_created"] for g in groups)
        with pytest.raises(InputError, match="cannot group"):
            store.summarize("pipeline_run", ["config"])
        model = store.create("model", {"name": "m"})
        for _ in range(3):
            store.create("model_version", {"model_id": model.id})
        (versions,) = store.summarize("model_version", ["model_id"], highest=["number"])
        assert versions["count"] == 3 and versions["highest_number"] == 3
        with pytest.raises(InputError, match="cannot group or rank"):
            store.summarize("model_version", ["model_id"], highest=["stage_history"])
    finally:
        store.close()


def test_step_logs_are_written_while_the_step_runs(tmp_path: Path) -> None:
    from stackyard.pipelines.logs import StepLogs

    uri = str(tmp_path / "logs" / "step.log")
    logs = StepLogs(uri, interval=3600)
    logs.write("first line\n")  # the first output is written at once
    assert Path(uri).read_text() == "first line\n"
    logs.write("second line\n")  # later ones wait for the interval (or the end)
    assert Path(uri).read_text() == "first line\n"
    assert logs.save(uri) == uri
    assert Path(uri).read_text() == "first line\nsecond line\n"
    silent = StepLogs(str(tmp_path / "silent.log"))
    assert silent.save(str(tmp_path / "silent.log")) is None
    assert not (tmp_path / "silent.log").exists()
