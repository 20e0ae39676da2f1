"""Pages, sizes and sorting: stable order with ties, no overlap between pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stackyard.client import Client, depaginate
from stackyard.exceptions import InputError
from stackyard.models.binding import utcnow
from stackyard.models.spec import spec_for


@pytest.fixture
def many_runs(client: Client) -> list:
    pipeline = client.store.create("pipeline", {"name": "p"})
    start = utcnow()
    return [
        client.store.create(
            "pipeline_run",
            {
                "name": f"run-{i:02d}",
                "pipeline_id": pipeline.id,
                "status": ["completed", "failed"][i % 2],
                # ties: three runs share each start time
                "start_time": start + timedelta(seconds=i // 3),
            },
        )
        for i in range(23)
    ]


def test_empty_page(client: Client) -> None:
    page = client.list_pipeline_runs()
    assert (len(page), page.total, page.total_pages, page.index, page.max_size) == (0, 0, 1, 1, 50)
    assert not page and list(page) == []


def test_pages_partial_and_past_the_end(client: Client, many_runs: list) -> None:
    first = client.list_pipeline_runs(size=10)
    last = client.list_pipeline_runs(size=10, page=3)
    beyond = client.list_pipeline_runs(size=10, page=9)
    assert (first.total, first.total_pages, len(first), len(last), len(beyond)) == (23, 3, 10, 3, 0)
    assert last.index == 3 and beyond.total == 23
    assert first[0] in first and first[1:3] == first.items[1:3]


@pytest.mark.parametrize("size", [0, -1, 10_001])
def test_size_out_of_range(client: Client, size: int) -> None:
    with pytest.raises(InputError, match=f"page size {size} is out of range: use 1 to 10000"):
        client.list_pipeline_runs(size=size)


def test_runs_default_newest_first_and_others_oldest_first(client: Client, many_runs: list) -> None:
    runs = client.list_pipeline_runs(size=100)
    assert [r.id for r in runs] == [r.id for r in reversed(many_runs)]
    for i in range(3):
        client.create_tag(f"t{i}")
    assert [t.name for t in client.list_tags()] == ["t0", "t1", "t2"]


@pytest.mark.parametrize("field", spec_for("pipeline_run").sort_fields)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_every_sort_field_pages_without_overlap(
    client: Client, many_runs: list, field: str, direction: str
) -> None:
    seen: list = []
    for page in range(1, 6):
        seen += [
            r.id
            for r in client.list_pipeline_runs(sort_by=f"{direction}:{field}", size=5, page=page)
        ]
    assert len(seen) == len(set(seen)) == 23


def test_sort_ties_break_on_id(client: Client, many_runs: list) -> None:
    runs = client.list_pipeline_runs(sort_by="start_time", size=100).items
    keys = [(r.start_time, str(r.id)) for r in runs]
    assert keys == sorted(keys)
    runs = client.list_pipeline_runs(sort_by="desc:start_time", size=100).items
    keys = [(r.start_time, str(r.id)) for r in runs]
    assert keys == sorted(keys, reverse=True)


def test_bad_sort(client: Client) -> None:
    with pytest.raises(InputError, match="cannot sort pipeline_runs by 'colour'; sortable"):
        client.list_pipeline_runs(sort_by="desc:colour")
    with pytest.raises(InputError, match="invalid sort direction 'up'"):
        client.list_pipeline_runs(sort_by="up:name")


def test_depaginate_yields_everything(client: Client, many_runs: list) -> None:
    names = [r.name for r in depaginate(client.list_pipeline_runs, size=4, status="failed")]
    assert sorted(names) == sorted(r.name for r in many_runs if r.status == "failed")
