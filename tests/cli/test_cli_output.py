"""Rendering: tables fit the terminal, machine formats are stable and parse back."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID

import yaml

from stackyard.cli.output import cell, jsonable, machine, table, to_csv


class Colour(StrEnum):
    RED = "red"


ROWS = [
    {"id": "1234abcd", "name": "a-rather-long-pipeline-run-name-2026_01_01", "note": "x" * 80},
    {"id": "9876fedc", "name": "short", "note": "multi\nline"},
]


def test_table_fits_the_width_and_truncates_the_widest_cells() -> None:
    out = table(ROWS, ("id", "name", "note"), width=70)
    lines = out.splitlines()
    assert all(len(line) <= 70 for line in lines)
    assert lines[0].split() == ["ID", "NAME", "NOTE"]
    assert "a-rather-long-pipeline-run-name-2026_01_01" in lines[1]  # name is kept whole
    assert lines[1].endswith("…") and "multi line" in lines[2]


def test_table_shrinks_everything_when_it_must() -> None:
    lines = table(ROWS, ("id", "name", "note"), width=30).splitlines()
    assert all(len(line) <= 30 for line in lines)
    assert "…" in lines[1]


def test_table_follows_the_terminal_size(monkeypatch) -> None:
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # as in a terminal
    monkeypatch.setenv("COLUMNS", "50")
    assert max(len(line) for line in table(ROWS, ("id", "name", "note")).splitlines()) <= 50
    monkeypatch.setenv("COLUMNS", "300")
    assert "x" * 80 in table(ROWS, ("id", "name", "note"))


def test_tables_off_a_terminal_are_never_cut(monkeypatch) -> None:
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)  # a pipe or a file
    monkeypatch.setenv("COLUMNS", "50")
    out = table(ROWS, ("id", "name", "note"))
    assert "x" * 80 in out and "…" not in out


def test_cells_are_human() -> None:
    assert cell(True) == "yes" and cell(None) == ""
    assert cell(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "2026-01-02 03:04:05"
    assert cell(timedelta(seconds=0.25)) == "0.25s"
    assert cell(timedelta(seconds=3725)) == "1h02m05s"
    assert cell(["a", "b"]) == "a, b" and cell({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
    assert cell(Colour.RED) == "red"


def test_jsonable_spells_types_stably() -> None:
    value = {
        "when": datetime(2026, 1, 2, tzinfo=UTC),
        "id": UUID(int=1),
        "colour": Colour.RED,
        "took": timedelta(seconds=1.5),
        "tags": {"b", "a"},
    }
    assert jsonable(value) == {
        "when": "2026-01-02T00:00:00+00:00",
        "id": "00000000-0000-0000-0000-000000000001",
        "colour": "red",
        "took": 1.5,
        "tags": ["a", "b"],
    }
    assert type(jsonable(Colour.RED)) is str
    assert yaml.safe_load(machine([value], "yaml"))[0]["colour"] == "red"
    assert json.loads(machine(value, "json"))["id"] == str(UUID(int=1))


def test_csv_quotes_and_flattens() -> None:
    text = to_csv([{"name": "a,b", "config": {"k": [1]}, "ok": True, "none": None}])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row == {"name": "a,b", "config": '{"k": [1]}', "ok": "true", "none": ""}


def test_empty_csv_still_has_the_header(run_cli) -> None:
    out = run_cli("pipeline", "list", "-o", "csv").stdout
    assert out.splitlines() == ["id,created,updated,user_id,name,description"]
    assert json.loads(run_cli("pipeline", "list", "-o", "json").stdout) == []
    assert run_cli("pipeline", "list").stdout == "No pipelines found.\n"
