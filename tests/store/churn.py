"""A writer process for tests/store/test_list_totals.py: on each line `go <n>` read from
stdin it makes `n` random writes that change what list filters match, then prints
`done`. Every way a row can change is there: the store's own creates, updates and
deletes, tags, renames seen through a relation filter, foreign key actions (a deleted
pipeline's runs lose it, a deleted run's steps go), and raw SQL the store does not
route through its generic writes (a status set directly, the reaper's failing runs).

    python churn.py STORE_URL USER_NAME SEED
"""

from __future__ import annotations

import contextlib
import random
import sys
from datetime import timedelta
from typing import Any

from stackyard.exceptions import EntityExistsError, EntityNotFoundError
from stackyard.models.binding import utcnow
from stackyard.store.sql.store import SqlStore

STATUSES = ("running", "completed", "failed")
TAGS = ("red", "blue")


class Churn:
    def __init__(self, url: str, user: str, seed: int) -> None:
        store = SqlStore(url, seed_user=None)
        self.store = store.as_user(store.find("user", user))
        self.random = random.Random(seed)
        self.seed = seed
        self.made = 0

    def pick(self, kind: str) -> Any:
        rows = self.store.list_rows(kind, size=30, sort_by="desc:created").items
        return self.random.choice(rows) if rows else None

    def pipeline(self) -> Any:
        found = self.pick("pipeline")
        if found is not None and self.random.random() < 0.8:
            return found["id"]
        return self.new_pipeline()

    def new_pipeline(self) -> Any:
        self.made += 1
        flavor = self.random.choice(("alpha", "beta"))
        name = f"churn-{self.seed}-{self.made}-{flavor}"
        return self.store.create("pipeline", {"name": name}).id

    def create_run(self, status: str | None = None) -> Any:
        self.made += 1
        tags = [t for t in TAGS if self.random.random() < 0.5]
        return self.store.create(
            "pipeline_run",
            {
                "name": f"run-{self.seed}-{self.made}",
                "pipeline_id": self.pipeline(),
                "status": status or self.random.choice(STATUSES),
                "start_time": utcnow(),
                "tags": tags,
            },
        ).id

    def step(self) -> None:
        run = self.pick("pipeline_run")
        if run is not None:
            self.made += 1
            status = self.random.choice(STATUSES)
            self.store.create(
                "run_step",
                {"name": f"s{self.made}", "pipeline_run_id": run["id"], "status": status},
            )

    def update_run(self) -> None:
        run = self.pick("pipeline_run")
        if run is None:
            return
        change: dict[str, Any] = self.random.choice(
            [
                {"status": self.random.choice(STATUSES)},
                {"add_tags": [self.random.choice(TAGS)]},
                {"remove_tags": [self.random.choice(TAGS)]},
            ]
        )
        self.store.update("pipeline_run", run["id"], change)

    def raw_status(self) -> None:
        """A status written by raw SQL, `updated` left alone."""
        run = self.pick("pipeline_run")
        if run is not None:
            q = self.store.db.q
            with self.store.db.transaction() as tx:
                tx.execute(
                    f"UPDATE {q('pipeline_runs')} SET {q('status')} = ? WHERE {q('id')} = ?",
                    [self.random.choice(STATUSES), str(run["id"])],
                )

    def reaped(self) -> None:
        """A running run whose heartbeat is overdue, failed by the reaper's raw SQL."""
        run_id = self.create_run("running")
        q, db = self.store.db.q, self.store.db
        with db.transaction() as tx:
            tx.execute(
                f"UPDATE {q('pipeline_runs')} SET {q('heartbeat_deadline')} = ? "
                f"WHERE {q('id')} = ?",
                [db.encode("datetime", utcnow() - timedelta(seconds=5)), str(run_id)],
            )
        self.store.reap()

    def rename(self) -> None:
        """A pipeline renamed (by raw SQL), which moves its runs in or out of
        `pipeline_name` filters."""
        pipeline = self.pick("pipeline")
        if pipeline is not None:
            self.made += 1
            flavor = "beta" if "alpha" in pipeline["name"] else "alpha"
            q = self.store.db.q
            with self.store.db.transaction() as tx:
                tx.execute(
                    f"UPDATE {q('pipelines')} SET {q('name')} = ? WHERE {q('id')} = ?",
                    [f"churn-{self.seed}-{self.made}-{flavor}", str(pipeline["id"])],
                )

    def delete(self, kind: str) -> None:
        found = self.pick(kind)
        if found is not None:
            self.store.delete(kind, found["id"])

    def once(self) -> None:
        action = self.random.choices(
            [
                self.create_run,
                self.step,
                self.update_run,
                self.raw_status,
                self.reaped,
                self.rename,
                lambda: self.delete("pipeline_run"),
                lambda: self.delete("pipeline"),
            ],
            weights=[6, 3, 4, 2, 1, 1, 3, 1],
        )[0]
        # another writer may have deleted or taken it first
        with contextlib.suppress(EntityNotFoundError, EntityExistsError):
            action()


def main() -> None:
    url, user, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    churn = Churn(url, user, seed)
    print("ready", flush=True)
    for line in sys.stdin:
        for _ in range(int(line.split()[1])):
            churn.once()
        print("done", flush=True)


if __name__ == "__main__":
    main()
