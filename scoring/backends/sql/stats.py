"""What the compiler needs to know about a dataset's values, computed once.

A dataset is immutable, so each `number` column's scale (its most decimal
places) and each numeric column's largest magnitude, and each table's row
count, never change: they are computed by one SQL scan per table and cached
per dataset SHA-256 for the life of the process.
"""

from __future__ import annotations

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


def dataset_stats(db: Database, dataset_id: int, sha256: str, catalog: Catalog) -> DatasetStats:
    """The statistics of a stored dataset (cached per SHA-256 and table layout)."""
    layout = repr(sorted((n, sorted(t.columns.items())) for n, t in catalog.tables.items()))
    key = (sha256, layout)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    stats = _compute(db, dataset_id, catalog)
    with _LOCK:
        _CACHE[key] = stats
    return stats


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
