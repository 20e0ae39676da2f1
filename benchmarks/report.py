"""Tables, ratios and the chart of `benchmarks/run.py`'s results.

Kept apart from the runner so the figures can be re-rendered from a saved
JSON file: `python benchmarks/report.py benchmarks/results/<date>.json`
(add `--markdown` for the README's table).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

Row = dict[str, Any]
# The goals: at least this many times faster than ZenML (4 and 5 at 100,000 runs).
TARGETS = {1: 10.0, 2: 10.0, 3: 10.0, 4: 100.0, 5: 100.0}
TARGET_RUNS = 100_000


def ratios(rows: list[Row]) -> list[Row]:
    """stackyard / zenml per case where both sides have a median.

    `ratio` is literally stackyard's median over ZenML's; `times_better` turns
    it into "x times faster" (or, for req/s, "x times the throughput").
    `pairs` is stackyard's i-th sample over ZenML's i-th, taken in turns
    (min/median/max): how steady the ratio was while the machine's load moved.
    Rows marked `"compare": false` (an extra measured on one side only) get none.
    """
    by_case: dict[tuple[int, str], dict[str, Row]] = {}
    for row in rows:
        if row.get("compare", True):
            by_case.setdefault((row["workload"], row["case"]), {})[row["side"]] = row
    out = []
    for (workload, case), sides in by_case.items():
        ours, peer = sides.get("stackyard"), sides.get("zenml")
        if not ours or not peer or ours.get("median") is None or peer.get("median") is None:
            continue
        if not ours["median"] or not peer["median"]:
            continue
        ratio = ours["median"] / peer["median"]
        better = 1 / ratio if ours.get("better", "lower") == "lower" else ratio
        target = TARGETS.get(workload)
        if workload in (4, 5) and ours.get("extra", {}).get("runs") != TARGET_RUNS:
            target = None
        out.append(
            {
                "workload": workload,
                "case": case,
                "unit": ours["unit"],
                "stackyard": ours["median"],
                "zenml": peer["median"],
                "ratio": round(ratio, 5),
                "times_better": round(better, 2),
                "pairs": _pairs(ours, peer),
                "target_times": target,
                "met": None if target is None else better >= target,
            }
        )
    return out


def _pairs(ours: Row, peer: Row) -> Row | None:
    """min/median/max of the per-pair ratios (stackyard sample i / peer sample i), and the
    same pairs as "times better" (peer / stackyard for times, stackyard / peer for req/s)."""
    import statistics

    pairs = [
        a / b
        for a, b in zip(ours.get("samples", []), peer.get("samples", []), strict=False)
        if a and b
    ]
    if not pairs:
        return None
    lower = ours.get("better", "lower") == "lower"
    better = [1 / p if lower else p for p in pairs]
    return {
        "n": len(pairs),
        "median": round(statistics.median(pairs), 5),
        "min": round(min(pairs), 5),
        "max": round(max(pairs), 5),
        "times_better": {
            "median": round(statistics.median(better), 2),
            "min": round(min(better), 2),
            "max": round(max(better), 2),
        },
    }


def _figure(row: Row | None) -> str:
    if row is None:
        return "-"
    if row.get("error"):
        return "FAILED"
    unit = row["unit"]
    fmt = "{:.1f}" if unit in ("ms", "req/s") else "{:.2f}"
    text = f"{fmt.format(row['median'])} {unit} ({fmt.format(row['min'])}-{fmt.format(row['max'])})"
    extra = row.get("extra", {})
    if "ms_per_step" in extra:
        text += f", {extra['ms_per_step']:.1f} ms/step"
    if "errors" in extra and isinstance(extra["errors"], list):
        text += f", errors {sum(extra['errors'])}, runs {extra['runs_recorded']}"
    return text


def _goal(ratio: Row) -> str:
    if ratio["met"] is None:
        return ""
    return "  goal met" if ratio["met"] else f"  goal {ratio['target_times']:.0f}x missed"


def table(rows: list[Row], peer: str | None) -> str:
    """One line per case: each side's median (min-max) and peak memory, then the ratio."""
    sides = ["stackyard", *([peer] if peer else [])]
    found = {(r["workload"], r["case"], r["side"]): r for r in rows}
    cases = list(dict.fromkeys((r["workload"], r["name"], r["case"]) for r in rows))
    ratio_of = {(r["workload"], r["case"]): r for r in ratios(rows)}
    head = f"{'#':<2} {'case':<40}"
    for side in sides:
        head += f" {side + ' median (min-max)':<42} {'peak MB':>8}"
    if peer:
        head += f" {'sy/' + peer:>9} {'x better':>9}  {'x better per pair (min-max)':<30}"
    lines = [head, "-" * len(head)]
    errors = []
    for workload, _name, case in cases:
        line = f"{workload:<2} {case:<40}"
        for side in sides:
            row = found.get((workload, case, side))
            peak = row.get("peak_rss_mb") if row else None
            line += f" {_figure(row):<42} {peak if peak is not None else '-':>8}"
            if row and row.get("error"):
                errors.append(f"{side} / {case}: {row['error']}")
        ratio = ratio_of.get((workload, case))
        if peer and ratio:
            line += f" {ratio['ratio']:>9.4f} {ratio['times_better']:>8.1f}x"
            pairs = (ratio.get("pairs") or {}).get("times_better")
            if pairs:
                spread = f"{pairs['median']:.1f}x ({pairs['min']:.1f}-{pairs['max']:.1f})"
                line += f"  {spread:<30}"
            line += _goal(ratio)
        lines.append(line.rstrip())
    if errors:
        lines += ["", "failures:", *(f"  {e}" for e in errors)]
    return "\n".join(lines)


def chart(rows: list[Row], path: Path) -> str | None:
    """ms per step vs chain length, and list latency vs runs, for every side.

    Returns why there is no chart (matplotlib missing, nothing to plot), or None.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return (
            "matplotlib is not installed in this venv, so no chart was drawn: "
            ".venv/bin/pip install -r benchmarks/requirements.txt"
        )
    ok = [r for r in rows if r.get("median") is not None]
    steps = [r for r in ok if r["workload"] == 3]
    lists = [r for r in ok if r["workload"] in (4, 5) and "seed query" in r["case"]]
    if not steps and not lists:
        return "no pipeline or list-query results to chart"
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5))
    for side in dict.fromkeys(r["side"] for r in ok):
        for checkout in dict.fromkeys(r["extra"].get("checkout", "") for r in steps):
            mine = sorted(
                (
                    r
                    for r in steps
                    if r["side"] == side and r["extra"].get("checkout", "") == checkout
                ),
                key=lambda r: r["extra"]["steps"],
            )
            points = [(r["extra"]["steps"], r["extra"]["ms_per_step"]) for r in mine]
            _line(left, side, checkout, points)
        for workload, where in ((4, "in-process"), (5, "REST")):
            mine = [r for r in lists if r["side"] == side and r["workload"] == workload]
            points = sorted((r["extra"]["runs"], r["median"]) for r in mine)
            _line(right, side, where, points)
    _axes(
        left,
        "Pipeline overhead (local orchestrator, cache off)",
        "steps in the chain",
        "ms per step (median)",
    )
    _axes(
        right,
        "Seed list query (API.md section 1)",
        "pipeline runs in the store",
        "ms per query (median)",
    )
    fig.suptitle("stackyard vs ZenML: lower is faster (medians; see the JSON for min/max)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


COLORS = {"stackyard": "tab:blue", "zenml": "tab:orange"}


def _line(axes: Any, side: str, where: str, points: list[tuple[float, float]]) -> None:
    """One side's series, each point labelled with its value (log axes hide exact figures)."""
    if not points:
        return
    xs, ys = zip(*points, strict=True)
    style = {"REST": "--", "dirty git": "--", "no git": ":"}.get(where, "-")
    label = f"{side}, {where}" if where else side
    axes.plot(xs, ys, style, marker="o", color=COLORS.get(side), label=label)
    if where in ("dirty git", "no git"):
        return  # values only on the clean-git line: three sets of labels would overlap
    for x, y in points:
        axes.annotate(
            f"{y:,.0f}" if y >= 100 else f"{y:.3g}",
            (x, y),
            textcoords="offset points",
            xytext=(6, 5) if where == "REST" else (6, -12),  # REST sits above: labels apart
            fontsize=8,
            color=COLORS.get(side),
        )


def _axes(axes: Any, title: str, xlabel: str, ylabel: str) -> None:
    from matplotlib.ticker import FuncFormatter

    axes.set(title=title, xlabel=xlabel, ylabel=f"{ylabel}, log scale", xscale="log", yscale="log")
    plain = FuncFormatter(lambda value, _: f"{value:,.6g}")
    axes.xaxis.set_major_formatter(plain)
    axes.yaxis.set_major_formatter(plain)
    axes.margins(x=0.15, y=0.15)
    axes.grid(True, which="both", alpha=0.3)
    if axes.lines:
        axes.legend()


def _md_figure(row: Row | None) -> str:
    if row is None:
        return "\u2014"
    if row.get("error"):
        return "failed: " + row["error"].split(": ")[-1][:80]
    unit = row["unit"]
    fmt = (lambda v: f"{v:,.1f}") if unit in ("ms", "req/s") else (lambda v: f"{v:,.2f}")
    text = f"{fmt(row['median'])} {unit} ({fmt(row['min'])}\u2013{fmt(row['max'])})"
    extra = row.get("extra", {})
    if "ms_per_step" in extra and extra.get("steps", 1) > 1:
        text += f", {extra['ms_per_step']:.1f} ms/step"
    if isinstance(extra.get("errors"), list):
        text += f", {sum(extra['errors'])} errors"
    return text


def markdown(rows: list[Row], peer: str) -> str:
    """The README's table: medians (min-max) per side, times better by medians and per pair."""
    found = {(r["workload"], r["case"], r["side"]): r for r in rows}
    ratio_of = {(r["workload"], r["case"]): r for r in ratios(rows)}
    lines = [
        f"| # | case | stackyard median (min\u2013max) | {peer} median (min\u2013max) "
        "| times better (of the medians) | times better per pair, median (min\u2013max) |",
        "|---|---|---|---|---|---|",
    ]
    for workload, case in dict.fromkeys((r["workload"], r["case"]) for r in rows):
        ours, theirs = found.get((workload, case, "stackyard")), found.get((workload, case, peer))
        ratio = ratio_of.get((workload, case))
        better = f"{ratio['times_better']:,.1f}\u00d7" if ratio else "\u2014"
        pairs = (ratio.get("pairs") or {}).get("times_better") if ratio else None
        spread = (
            f"{pairs['median']:,.1f}\u00d7 ({pairs['min']:,.1f}\u2013{pairs['max']:,.1f})"
            if pairs
            else "\u2014"
        )
        name = case.replace("|", "\\|")
        lines.append(
            f"| {workload} | {name} | {_md_figure(ours)} | {_md_figure(theirs)} "
            f"| {better} | {spread} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Re-render the table and chart of a saved results file (`--markdown`: README table)."""
    path = Path(sys.argv[1])
    data = json.loads(path.read_text())
    if "--markdown" in sys.argv[2:]:
        print(markdown(data["results"], data["options"].get("peer") or "zenml"))
        return
    print(table(data["results"], data["options"].get("peer")))
    why = chart(data["results"], path.with_suffix(".png"))
    print(why or f"chart: {path.with_suffix('.png')}")


if __name__ == "__main__":
    main()
