"""Exact list totals without counting every matching row for every page.

A page's `total` is a COUNT(*) of the rows its filters match: at 100,000 runs the
seed query counts 60,000 index entries, nearly all of its time in SQL. Instead,
triggers (`schema.count_triggers`, migration 0006) count every write to every table
in `write_counts`, inside the writing transaction, whoever writes: any server
worker, a pipeline writing to the database directly, the reaper's raw SQL, a foreign
key action. A table's *version* is the sum of its counts. It only grows, and it grows
in the very commit that changes the table; an update counts only when it changes a
column a filter can read.

So a total counted while the tables its query reads were at version V is still
exact whenever they are at V again. `Totals` keeps (V, total) per query (table,
WHERE clause, parameters) and answers a page with one read of `write_counts`,
counting again only after a write to one of those tables. Under READ COMMITTED each
statement may see newer commits, so a total is kept only when the versions read just
before and just after counting agree: no commit to those tables fell in between.

Each connection counts in a row of its own, so writers never wait for each other's
counter. Rows pile up as connections come and go; a read that finds many folds them
into writer 0 afterwards (`fold`), in one transaction that leaves every sum as it was.
The counts must never be emptied or lowered by hand while servers run: a version
seen before could come back with other rows behind it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from stackyard.store.sql.db import Database, Transaction

logger = logging.getLogger(__name__)

WRITE_COUNTS = "write_counts"
MAX_KEPT = 4096  # totals kept per store, least recently used dropped first
FOLD_AFTER = 64  # counter rows of a query's tables worth folding into one per table
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Key = tuple[str, str, tuple[Any, ...]]


class Totals:
    """Totals of list queries, kept while the tables they read are unchanged."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._kept: OrderedDict[Key, tuple[int, int]] = OrderedDict()
        self._reads: dict[tuple[str, str], tuple[str, ...]] = {}
        self._lock = threading.Lock()
        self._to_fold: set[str] = set()

    def count(self, tx: Transaction, table: str, where_sql: str, params: Sequence[Any]) -> int:
        """COUNT(*) of `table` rows matching `where_sql` (" WHERE ..." or ""), exactly as
        the query would count them now. `tx` must be a read transaction: a total seen
        through uncommitted writes could be kept under a version that never commits."""
        reads = self._tables_read(table, where_sql)
        version, writers = self._version(tx, reads)
        key: Key = (table, where_sql, (*params, *map(type, params)))
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] == version:
                self._kept.move_to_end(key)
                return kept[1]
        total = int(tx.scalar(f"SELECT COUNT(*) FROM {self.db.q(table)}{where_sql}", params))
        if self._version(tx, reads)[0] == version:
            with self._lock:
                self._kept[key] = (version, total)
                self._kept.move_to_end(key)
                if len(self._kept) > MAX_KEPT:
                    self._kept.popitem(last=False)
        if writers > FOLD_AFTER and self.db.dialect != "sqlite":
            with self._lock:
                self._to_fold.update(reads)
        return total

    def _tables_read(self, table: str, where_sql: str) -> tuple[str, ...]:
        """Every table the query may read: its own and any named in the WHERE clause
        (subqueries of relation, tag and hook filters). Words that name no table only
        cost a lookup that finds nothing."""
        found = self._reads.get((table, where_sql))
        if found is None:
            found = tuple(sorted({table, *_WORD.findall(where_sql)}))
            if len(self._reads) >= MAX_KEPT:
                self._reads.clear()
            self._reads[(table, where_sql)] = found
        return found

    def _version(self, tx: Transaction, tables: tuple[str, ...]) -> tuple[int, int]:
        """The tables' summed write counts, and how many counter rows hold them."""
        q = self.db.q
        row = tx.fetchone(
            f"SELECT COALESCE(SUM({q('writes')}), 0), COUNT(*) FROM {q(WRITE_COUNTS)} "
            f"WHERE {q('table_name')} IN ({', '.join('?' * len(tables))})",
            tables,
        )
        assert row is not None
        return int(row[0]), int(row[1])

    def fold(self) -> None:
        """Fold the counter rows of the tables a read found many of into writer 0; call
        outside any transaction. Rows a writer holds are skipped (SKIP LOCKED): writers
        never wait for this, and it never waits for them. Housekeeping only: the sums
        are exact either way, so a failure is logged and left for a later read."""
        if not self._to_fold:  # the usual case, read without the lock
            return
        with self._lock:
            tables, self._to_fold = sorted(self._to_fold), set()
        if not tables:
            return
        q = self.db.q
        try:
            with self.db.transaction() as tx:
                rows = tx.fetchall(
                    f"SELECT {q('table_name')}, {q('writer')}, {q('writes')} "
                    f"FROM {q(WRITE_COUNTS)} WHERE {q('table_name')} IN "
                    f"({', '.join('?' * len(tables))}) AND {q('writer')} <> 0 "
                    f"ORDER BY {q('table_name')}, {q('writer')} FOR UPDATE SKIP LOCKED",
                    tables,
                )
                for table in tables:
                    writers = [(w, n) for t, w, n in rows if t == table]
                    if writers:
                        self._fold_table(tx, table, writers)
        except Exception:
            logger.warning("folding write counts of %s failed", ", ".join(tables), exc_info=True)

    def _fold_table(self, tx: Transaction, table: str, writers: list[tuple[int, int]]) -> None:
        q = self.db.q
        tx.execute(
            f"DELETE FROM {q(WRITE_COUNTS)} WHERE {q('table_name')} = ? AND {q('writer')} IN "
            f"({', '.join('?' * len(writers))})",
            [table, *(w for w, _ in writers)],
        )
        insert = (
            f"INSERT INTO {q(WRITE_COUNTS)} ({q('table_name')}, {q('writer')}, {q('writes')}) "
            "VALUES (?, 0, ?) "
        )
        if self.db.dialect == "mysql":
            writes = q("writes")
            insert += f"ON DUPLICATE KEY UPDATE {writes} = {writes} + VALUES({writes})"
        else:
            insert += (
                f"ON CONFLICT ({q('table_name')}, {q('writer')}) DO UPDATE SET {q('writes')} = "
                f"{q(WRITE_COUNTS)}.{q('writes')} + EXCLUDED.{q('writes')}"
            )
        tx.execute(insert, [table, sum(int(n) for _, n in writers)])
