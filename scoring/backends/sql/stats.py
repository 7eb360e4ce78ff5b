"""What the compiler needs to know about a dataset's values, computed once.

A dataset is immutable, so each `number` column's scale (its most decimal
places) and each numeric column's largest magnitude, and each table's row
count, never change: they are computed by one SQL scan per table, cached
per dataset SHA-256 for the life of the process, and kept in the store
(`sql_dataset_stats`, keyed by that SHA-256 and the table layout) by the
first run that needs them, inside its transaction: a later process reads
them back instead of scanning every table again (at M, 2 s of CPU).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from threading import Lock

from sqlglot import exp
from sqlite_utils import Database

from scoring.catalog import Catalog
from scoring.ingest.tables import data_table

from .dialects import SQLITE

DEFAULT_SCALE = 6
"""The scale `pioneer sql` assumes for `number` columns when it has no dataset."""


@dataclass(frozen=True)
class ColumnStats:
    scale: int  # decimal places of a `number` column (0 for `int`)
    largest: int  # largest |value| × 10^scale


@dataclass(frozen=True)
class DatasetStats:
    """Row counts and numeric column statistics of one dataset."""

    rows: dict[str, int] = field(default_factory=dict)
    columns: dict[tuple[str, str], ColumnStats] = field(default_factory=dict)
    known: bool = True  # False: assumed (no dataset), bounds are not enforced

    def column(self, table: str, column: str) -> ColumnStats:
        found = self.columns.get((table, column))
        if found is not None:
            return found
        return ColumnStats(DEFAULT_SCALE, 0)

    def row_count(self, table: str) -> int:
        return self.rows.get(table, 0)


ASSUMED = DatasetStats(known=False)

_CACHE: dict[tuple[str, str], DatasetStats] = {}
_LOCK = Lock()
_KEPT: set[tuple[str, str, str]] = set()  # (store file, sha256, layout) kept by this process
# (a run that rolls back loses them: the next process computes and keeps them again)

STORED_DDL = """CREATE TABLE IF NOT EXISTS sql_dataset_stats (
    sha256 TEXT NOT NULL,
    layout TEXT NOT NULL,
    stats TEXT NOT NULL,
    PRIMARY KEY (sha256, layout)
)"""


def dataset_stats(db: Database, dataset_id: int, sha256: str, catalog: Catalog) -> DatasetStats:
    """The statistics of a stored dataset (cached per SHA-256 and table layout; read
    from the store when a run kept them there, kept there by a run that computes them)."""
    text = repr(sorted((n, sorted(t.columns.items())) for n, t in catalog.tables.items()))
    key = (sha256, hashlib.sha256(text.encode()).hexdigest())
    with _LOCK:
        stats = _CACHE.get(key)
    if stats is None:
        stats = _stored(db, key)
    if stats is None:
        stats = _compute(db, dataset_id, catalog)
    with _LOCK:
        _CACHE[key] = stats
    if db.conn.in_transaction:  # a run: keep them with it (nothing if it rolls back)
        _keep(db, key, stats)
    return stats


def _stored(db: Database, key: tuple[str, str]) -> DatasetStats | None:
    try:
        row = db.execute(
            "SELECT stats FROM sql_dataset_stats WHERE sha256 = ? AND layout = ?", list(key)
        ).fetchone()
    except sqlite3.OperationalError:  # no run has kept any yet
        return None
    if row is None:
        return None
    data = json.loads(row[0])
    columns = {(t, c): ColumnStats(scale, largest) for t, c, scale, largest in data["columns"]}
    return DatasetStats(rows=dict(data["rows"]), columns=columns)


def _keep(db: Database, key: tuple[str, str], stats: DatasetStats) -> None:
    store = str(db.conn.execute("PRAGMA database_list").fetchone()[2])
    if (store, *key) in _KEPT:
        return
    data = {
        "rows": stats.rows,
        "columns": [[t, c, s.scale, s.largest] for (t, c), s in sorted(stats.columns.items())],
    }
    db.execute(STORED_DDL)
    db.execute(
        "INSERT OR IGNORE INTO sql_dataset_stats (sha256, layout, stats) VALUES (?, ?, ?)",
        [*key, json.dumps(data, sort_keys=True)],
    )
    _KEPT.add((store, *key))


def _compute(db: Database, dataset_id: int, catalog: Catalog) -> DatasetStats:
    rows: dict[str, int] = {}
    columns: dict[tuple[str, str], ColumnStats] = {}
    for name, info in catalog.tables.items():
        table = exp.to_identifier(data_table(dataset_id, name), quoted=True).sql("sqlite")
        numeric = [c for c, t in info.columns.items() if t in ("int", "number")]
        scales: dict[str, int] = {}
        parts = ["COUNT(*)"]
        for c in numeric:
            col = exp.to_identifier(c, quoted=True).sql("sqlite")
            if info.columns[c] == "number":
                parts.append(
                    f"MAX(CASE WHEN instr({col}, '.') > 0"
                    f" THEN length({col}) - instr({col}, '.') ELSE 0 END)"
                )
        found = db.execute(f"SELECT {', '.join(parts)} FROM {table}").fetchone()
        rows[name] = int(found[0])
        number_cols = [c for c in numeric if info.columns[c] == "number"]
        for c, scale in zip(number_cols, found[1:], strict=True):
            scales[c] = int(scale or 0)
        if numeric:
            extremes = []
            for c in numeric:
                ref: exp.Expression = exp.column(c, quoted=True)
                value = SQLITE.scaled_number(ref, scales[c]) if c in scales else ref
                text = value.sql("sqlite")
                extremes += [f"MAX({text})", f"MIN({text})"]
            found = db.execute(f"SELECT {', '.join(extremes)} FROM {table}").fetchone()
            for i, c in enumerate(numeric):
                hi, lo = found[2 * i], found[2 * i + 1]
                largest = max(abs(int(hi or 0)), abs(int(lo or 0)))
                columns[(name, c)] = ColumnStats(scales.get(c, 0), largest)
    return DatasetStats(rows=rows, columns=columns)
