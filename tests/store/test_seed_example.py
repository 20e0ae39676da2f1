"""API.md section 1, run as written against the default embedded store."""

from __future__ import annotations

import re
from datetime import timedelta

from stackyard.client import Client
from stackyard.models.binding import utcnow


def test_seed_example_runs_as_written(capsys) -> None:  # type: ignore[no-untyped-def]
    setup = Client()
    pipeline = setup.store.create("pipeline", {"name": "first_pipeline"})
    other = setup.create_stack("other", {"orchestrator": "default", "artifact_store": "default"})
    start = utcnow()
    for i in range(12):
        setup.store.create(
            "pipeline_run",
            {
                "name": f"first_pipeline-2023_06_20-16_20_{i:02d}_274466",
                "pipeline_id": pipeline.id,
                "status": "completed",
                "stack_id": (other.id if i == 5 else setup.active_stack_model.id),
                "start_time": start + timedelta(minutes=i),
            },
        )

    # --- as written in API.md ---
    client = Client()

    my_runs_on_current_stack = client.list_pipeline_runs(
        stack_id=client.active_stack_model.id,  # on current stack
        user_id=client.active_user.id,  # ran by you
        sort_by="desc:start_time",  # last 10
        size=10,
    )

    for pipeline_run in my_runs_on_current_stack:
        print(pipeline_run.name)
    # ---

    printed = capsys.readouterr().out.split()
    expected = [
        f"first_pipeline-2023_06_20-16_20_{i:02d}_274466" for i in (11, 10, 9, 8, 7, 6, 4, 3, 2, 1)
    ]
    assert printed == expected
    assert client.get_pipeline_run("first_pipeline-2023_06_20-16_20_07_274466").name == printed[4]
    assert client.get_pipeline_run("first_pipeline-2023_06_20-16_20_11").name == printed[0]
    run = client.get_pipeline_run(str(my_runs_on_current_stack[0].id))
    assert re.match(r"first_pipeline-\d{4}_\d\d_\d\d-\d\d_\d\d_\d\d_\d{6}$", run.name)
