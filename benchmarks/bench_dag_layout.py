"""Our DAG layout (`stackyard.dashboard.dag`) against the layered layouts of libraries.

For each library that is installed (`pip install grandalf igraph`; neither is a
dependency of stackyard), it prints the edge crossings on the shapes the dashboard
must draw cleanly (diamond, tree, chain, fan out and in, a long edge beside a chain)
and on random pipelines where each step reads one or two of the ten steps before it,
and the median time to lay out 100, 300 and 1,000 such steps and a 1,000-step chain.
Layouts run 60 frames deep in the stack, about where a dashboard request calls them.

    python benchmarks/bench_dag_layout.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from stackyard.dashboard import dag

Links = list[tuple[str, str, str]]
SHAPES = {
    "diamond": ("a b c d", "a>b a>c b>d c>d"),
    "tree": ("a b c d e f", "a>b a>c b>d b>e c>f"),
    "chain": ("a b c d e", "a>b b>c c>d d>e"),
    "fan": ("a b c d e f g", "a>b a>c a>d a>e b>f c>f d>g e>g"),
    "long edge": ("s x y z t", "s>x s>t x>y y>z z>t"),
}
REQUEST_DEPTH = 60


def links_of(edges: str) -> Links:
    return [(a, b, "") for a, b in (e.split(">") for e in edges.split())]


def chain(steps: int) -> tuple[list[str], Links]:
    names = [f"s{i}" for i in range(steps)]
    return names, [(names[i], names[i + 1], "") for i in range(steps - 1)]


def pipeline(steps: int, seed: int = 1) -> tuple[list[str], Links]:
    rnd = random.Random(seed)
    names = [f"s{i}" for i in range(steps)]
    links: Links = []
    for i in range(1, steps):
        for j in rnd.sample(range(max(0, i - 10), i), min(i, rnd.choice([1, 1, 2]))):
            links.append((names[j], names[i], ""))
    return names, links


def ours(names: list[str], links: Links) -> dag.Layout:
    return dag.layout(names, links)


def grandalf_layout(names: list[str], links: Links) -> dag.Layout:
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout

    class View:
        w, h = dag.NODE_W, dag.NODE_H

    class EdgeView:
        points: list[Any]

        def setpath(self, points: list[Any]) -> None:
            self.points = points

    vertices = {n: Vertex(n) for n in names}
    for vertex in vertices.values():
        vertex.view = View()
    edges = [Edge(vertices[a], vertices[b]) for a, b, _ in links]
    for edge in edges:
        edge.view = EdgeView()
    graph = Graph(list(vertices.values()), edges)
    routed = []
    for component in graph.C:
        sugiyama = SugiyamaLayout(component)
        sugiyama.xspace, sugiyama.yspace = dag.GAP_X, dag.GAP_Y
        sugiyama.init_all()
        sugiyama.draw(3)
        for edge in component.sE:
            points = [tuple(p) for p in edge.view.points]
            routed.append(dag.Edge(edge.v[0].data, edge.v[1].data, "", points))
    return dag.Layout({}, routed, 0, 0)


def igraph_layout(names: list[str], links: Links) -> dag.Layout:
    """igraph's Python binding returns node positions only: long edges run straight."""
    import igraph

    index = {n: i for i, n in enumerate(names)}
    edges = [(index[a], index[b]) for a, b, _ in links]
    graph = igraph.Graph(n=len(names), edges=edges, directed=True)
    coords = graph.layout_sugiyama().coords
    routed = [
        dag.Edge(a, b, "", [tuple(c * 100 for c in coords[index[n]]) for n in (a, b)])
        for a, b, _ in links
    ]
    return dag.Layout({}, routed, 0, 0)


def deep(depth: int, call: Callable[[], Any]) -> Any:
    return deep(depth - 1, call) if depth else call()


def measure(layout: Callable[[list[str], Links], dag.Layout]) -> None:
    shapes = []
    for name, (names, edges) in SHAPES.items():
        shapes.append(f"{name} {dag.crossings(layout(names.split(), links_of(edges)))}")
    print("  crossings:", ", ".join(shapes))
    for steps, (names, links) in [(n, pipeline(n)) for n in (100, 300, 1000)] + [
        (1000, chain(1000))
    ]:
        times = []
        try:
            for _ in range(3):
                started = time.perf_counter()
                result = deep(REQUEST_DEPTH, lambda n=names, li=links: layout(n, li))
                times.append((time.perf_counter() - started) * 1000)
        except RecursionError:
            print(f"  {steps:>5} {'steps' if len(links) >= steps else 'chain'}: RecursionError")
            continue
        crossed = dag.crossings(result) if steps <= 300 else "not counted"
        what = "steps" if len(links) >= steps else "chain"
        print(f"  {steps:>5} {what}: {statistics.median(times):8.1f} ms, crossings {crossed}")


def main() -> None:
    candidates: list[tuple[str, str | None, Callable[[list[str], Links], dag.Layout]]] = [
        ("stackyard.dashboard.dag", None, ours),
        ("grandalf", "grandalf", grandalf_layout),
        ("igraph", "igraph", igraph_layout),
    ]
    for label, module, layout in candidates:
        if module is not None:
            try:
                from importlib.metadata import version as version_of

                __import__(module)
                version = version_of(module)
            except ImportError:
                print(f"{label}: not installed (pip install {module})")
                continue
            label = f"{label} {version}"
        print(label)
        measure(layout)


if __name__ == "__main__":
    main()
