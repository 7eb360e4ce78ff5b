"""Reading a stored dataset back for scoring: subjects in key order, in
batches, and the rows linked to a batch of subjects.

Nothing here holds a whole table in memory: the engine asks for one batch of
subjects at a time and the records linked to that batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

from sqlite_utils import Database

from scoring.backend import DatasetRef
from scoring.catalog import Catalog, TableInfo
from scoring.errors import PioneerError
from scoring.ingest.tables import data_table as table_name
from scoring.numbers import Value
from scoring.store import quote_identifier

Row = dict[str, Value]
BATCH = 500


_quote = quote_identifier


def _to_date(stored: Any) -> Value:
    return dt.date.fromisoformat(str(stored))


def _to_number(stored: Any) -> Value:
    """A stored canonical decimal ('0.95', '-12.5', '1234') as an exact number."""
    text = str(stored)
    whole, dot, frac = text.partition(".")
    if not dot:
        return int(whole)
    return Fraction(int(whole + frac), 10 ** len(frac))


_CONVERT: dict[str, Callable[[Any], Value]] = {
    "number": _to_number,
    "int": int,
    "bool": bool,
    "date": _to_date,
    "text": str,
}
"""Stored cell -> Python value, per declared type (the inverse of ingest's to_db)."""


class DatasetReader:
    """Typed access to one dataset's tables."""

    def __init__(self, db: Database, dataset_id: int, catalog: Catalog) -> None:
        self.db = db
        self.dataset_id = dataset_id
        self.catalog = catalog

    def _select(
        self, info: TableInfo, where: str, params: Sequence[Any], order: str
    ) -> Iterator[Row]:
        cols = list(info.columns)
        convert = [_CONVERT[info.columns[c]] for c in cols]
        sql = (
            f"SELECT {', '.join(_quote(c) for c in cols)}"
            f" FROM {_quote(table_name(self.dataset_id, info.name))} {where} {order}"
        )
        for raw in self.db.execute(sql, list(params)).fetchall():
            yield {
                c: None if v is None else f(v) for c, f, v in zip(cols, convert, raw, strict=True)
            }

    def subject_batches(self, table: str, size: int = BATCH) -> Iterator[list[Row]]:
        """Subjects of `table` ordered by key, `size` at a time."""
        info = self.catalog.tables[table]
        assert info.key is not None
        key = _quote(info.key)
        last: Any = None
        while True:
            where, params = (f"WHERE {key} > ?", [last]) if last is not None else ("", [])
            batch = list(self._select(info, where, params, f"ORDER BY {key} LIMIT {size}"))
            if not batch:
                return
            yield batch
            last = batch[-1][info.key]
            if len(batch) < size:
                return

    def count(self, table: str) -> int:
        sql = f"SELECT COUNT(*) FROM {_quote(table_name(self.dataset_id, table))}"
        return int(self.db.execute(sql).fetchone()[0])

    def linked(
        self, table: str, subject_table: str, keys: Sequence[Value], period: tuple[dt.date, dt.date]
    ) -> dict[Value, list[Row]]:
        """Rows of `table` whose link column points at one of `keys`, grouped by key.

        Record tables keep only rows dated inside the period (bounds inclusive);
        subject tables are not filtered by date.
        """
        info = self.catalog.tables[table]
        link = info.links[subject_table]
        out: dict[Value, list[Row]] = {k: [] for k in keys}
        if not keys:
            return out
        marks = ", ".join("?" for _ in keys)
        where = f"WHERE {_quote(link)} IN ({marks})"
        params: list[Any] = list(keys)
        if info.kind == "record" and info.date is not None:
            where += f" AND {_quote(info.date)} BETWEEN ? AND ?"
            params += [period[0].isoformat(), period[1].isoformat()]
        for row in self._select(info, where, params, "ORDER BY rowid"):
            out[row[link]].append(row)
        return out

    def outside_period(self, table: str, period: tuple[dt.date, dt.date]) -> int:
        """How many records of a record table fall outside the period."""
        info = self.catalog.tables[table]
        assert info.date is not None
        sql = (
            f"SELECT COUNT(*) FROM {_quote(table_name(self.dataset_id, table))}"
            f" WHERE {_quote(info.date)} < ? OR {_quote(info.date)} > ?"
        )
        found = self.db.execute(sql, [period[0].isoformat(), period[1].isoformat()]).fetchone()
        return int(found[0])

    def subject(self, table: str, key: Value) -> Row | None:
        info = self.catalog.tables[table]
        assert info.key is not None
        rows = list(self._select(info, f"WHERE {_quote(info.key)} = ?", [key], ""))
        return rows[0] if rows else None

    def evidence(
        self, table: str, subject_table: str, key: Value, period: tuple[dt.date, dt.date]
    ) -> list[Row]:
        """The rows of `table` behind a subject's metrics (explain)."""
        return self.linked(table, subject_table, [key], period)[key]


def cell_text(value: Value) -> str | None:
    """A cell as text, the way results store names, units and `per` groups:
    dates in ISO form, null stays null."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def key_value(info: TableInfo, text: str) -> Value:
    """A subject key given on the command line, as stored."""
    assert info.key is not None
    if info.columns.get(info.key) == "int":
        try:
            return int(text)
        except ValueError:
            return text
    return text


def rows_by_table(
    reader: DatasetReader,
    tables: Mapping[str, str],
    keys: Sequence[Value],
    period: tuple[dt.date, dt.date],
) -> dict[str, dict[Value, list[Row]]]:
    """For each table (name -> subject table it links to), the rows per key."""
    return {t: reader.linked(t, subject, keys, period) for t, subject in tables.items()}


def dataset_ref(db: Database, dataset_id: int) -> DatasetRef:
    """The stored dataset `dataset_id` (its SHA-256 read from the store)."""
    row = db.execute("SELECT sha256 FROM datasets WHERE id = ?", [dataset_id]).fetchone()
    if row is None:
        raise PioneerError(f"there is no dataset {dataset_id} in this store")
    return DatasetRef(db, dataset_id, str(row[0]))
