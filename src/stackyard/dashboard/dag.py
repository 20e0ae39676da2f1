"""Laying out a run's DAG in layers, top to bottom, for an SVG drawing.

The classic layered (Sugiyama) recipe, kept as our own after measuring the
libraries that offer it (README, Dashboard; `benchmarks/bench_dag_layout.py`):
grandalf fails on a 1,000-step chain inside a request and is 5 to 20 times slower,
igraph (GPL) returns no bend points for long edges. Each step goes one
layer below its deepest upstream step; an edge spanning several layers gets a
waypoint in each layer it crosses, so it is ordered like a node; then a few
sweeps of the barycenter heuristic order each layer by the mean position of its
neighbours in the layer above (then below). That leaves trees, chains, fans and
diamonds without crossings, and keeps crossings rare elsewhere. Coordinates are
plain numbers; the template draws them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise

NODE_W, NODE_H = 190, 46
GAP_X, GAP_Y = 36, 52
MARGIN = 12
SWEEPS = 6


@dataclass
class Node:
    name: str
    layer: int = 0
    x: float = 0.0
    y: float = 0.0


@dataclass
class Edge:
    source: str
    target: str
    label: str = ""
    points: list[tuple[float, float]] = field(default_factory=list)

    @property
    def path(self) -> str:
        """An SVG path through the points, curving vertically between layers."""
        (x0, y0), rest = self.points[0], self.points[1:]
        parts = [f"M{x0:.1f},{y0:.1f}"]
        for x1, y1 in rest:
            mid = (y0 + y1) / 2
            parts.append(f"C{x0:.1f},{mid:.1f} {x1:.1f},{mid:.1f} {x1:.1f},{y1:.1f}")
            x0, y0 = x1, y1
        return " ".join(parts)

    @property
    def label_at(self) -> tuple[float, float]:
        (x0, y0), (x1, y1) = self.points[0], self.points[1]
        return (x0 + x1) / 2, (y0 + y1) / 2


@dataclass
class Layout:
    nodes: dict[str, Node]
    edges: list[Edge]
    width: float
    height: float


def _layers(names: Sequence[str], upstream: dict[str, list[str]]) -> dict[str, int]:
    """Longest-path layering; names in an upstream cycle (never in a valid DAG) go last."""
    layer: dict[str, int] = {}
    pending = list(names)
    while pending:
        progressed = False
        for name in list(pending):
            ups = [u for u in upstream.get(name, []) if u in upstream or u in names]
            if all(u in layer for u in ups):
                layer[name] = 1 + max((layer[u] for u in ups), default=-1)
                pending.remove(name)
                progressed = True
        if not progressed:  # a cycle: place what is left below everything else
            bottom = 1 + max(layer.values(), default=-1)
            for name in pending:
                layer[name] = bottom
            break
    return layer


def layout(names: Sequence[str], links: Iterable[tuple[str, str, str]]) -> Layout:
    """Place `names` (in execution order) joined by `(source, target, label)` links."""
    known = set(names)
    edges = [Edge(s, t, label) for s, t, label in links if s in known and t in known and s != t]
    upstream: dict[str, list[str]] = {n: [] for n in names}
    for edge in edges:
        if edge.source not in upstream[edge.target]:
            upstream[edge.target].append(edge.source)
    layer_of = _layers(names, upstream)
    depth = 1 + max(layer_of.values(), default=0)
    rows: list[list[str]] = [[] for _ in range(depth)]
    for name in names:
        rows[layer_of[name]].append(name)
    # waypoints: one per layer an edge passes through, keyed by (edge index, layer)
    below: dict[str, list[str]] = {}
    above: dict[str, list[str]] = {}
    routes: list[list[str]] = []
    for index, edge in enumerate(edges):
        start, end = layer_of[edge.source], layer_of[edge.target]
        chain = [edge.source]
        for level in range(start + 1, end):
            waypoint = f"\0{index}:{level}"
            rows[level].append(waypoint)
            chain.append(waypoint)
        chain.append(edge.target)
        routes.append(chain)
        for a, b in pairwise(chain):
            below.setdefault(a, []).append(b)
            above.setdefault(b, []).append(a)
    _order(rows, above, below)
    width_units = max((len(r) for r in rows), default=1)
    span = width_units * (NODE_W + GAP_X) - GAP_X
    position: dict[str, tuple[float, float]] = {}
    for level, row in enumerate(rows):
        row_span = len(row) * (NODE_W + GAP_X) - GAP_X
        left = MARGIN + (span - row_span) / 2
        for index, name in enumerate(row):
            position[name] = (left + index * (NODE_W + GAP_X), MARGIN + level * (NODE_H + GAP_Y))
    nodes = {n: Node(n, layer_of[n], *position[n]) for n in names}
    for edge, chain in zip(edges, routes, strict=True):
        points = []
        for i, name in enumerate(chain):
            x, y = position[name]
            cx = x + NODE_W / 2
            if i == 0:
                points.append((cx, y + NODE_H))
            elif i == len(chain) - 1:
                points.append((cx, y))
            else:
                points.append((cx, y + NODE_H / 2))
        edge.points = points
    height = MARGIN * 2 + depth * (NODE_H + GAP_Y) - GAP_Y
    return Layout(nodes, edges, span + 2 * MARGIN, height)


def _order(rows: list[list[str]], above: dict[str, list[str]], below: dict[str, list[str]]) -> None:
    """Barycenter sweeps, down then up; stable, so ties keep execution order."""

    def sweep(levels: Iterable[int], neighbours: dict[str, list[str]], ref_offset: int) -> None:
        for level in levels:
            if len(rows[level]) < 2:
                continue  # nothing to order
            ref = {name: i for i, name in enumerate(rows[level + ref_offset])}
            current = {name: i for i, name in enumerate(rows[level])}
            weight = partial(_weight, neighbours=neighbours, ref=ref, current=current)
            rows[level].sort(key=weight)

    for _ in range(SWEEPS):
        sweep(range(1, len(rows)), above, -1)
        sweep(range(len(rows) - 2, -1, -1), below, 1)


def _weight(
    name: str, neighbours: dict[str, list[str]], ref: dict[str, int], current: dict[str, int]
) -> float:
    """The mean position of a name's neighbours in the reference layer (else its own)."""
    linked = [ref[n] for n in neighbours.get(name, []) if n in ref]
    return sum(linked) / len(linked) if linked else float(current[name])


def crossings(result: Layout) -> int:
    """How many pairs of edge segments cross (for tests and a layout's quality)."""
    segments = [
        (a, b) for edge in result.edges for a, b in zip(edge.points, edge.points[1:], strict=False)
    ]
    count = 0
    for i, (p1, p2) in enumerate(segments):
        for p3, p4 in segments[i + 1 :]:
            if {p1, p2} & {p3, p4}:
                continue  # segments meeting at a node or waypoint do not cross
            if _intersect(p1, p2, p3, p4):
                count += 1
    return count


def _intersect(
    p1: tuple[float, float],
    p2: tuple[float, float],
    p3: tuple[float, float],
    p4: tuple[float, float],
) -> bool:
    def side(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = side(p3, p4, p1), side(p3, p4, p2)
    d3, d4 = side(p1, p2, p3), side(p1, p2, p4)
    return d1 * d2 < 0 and d3 * d4 < 0


__all__ = ["NODE_H", "NODE_W", "Edge", "Layout", "Node", "crossings", "layout"]
