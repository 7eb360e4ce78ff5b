"""Reading datasets back: their description, reject reports and rows.

Rows come back as dicts of Python values (`Fraction` for number, `bool`,
`date`, `int`, `str`, None for an empty cell) plus `_line`, the row's line in
its source file, in file order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlite_utils import Database

from scoring.catalog import ColumnType
from scoring.ingest.cells import from_db, to_db
from scoring.ingest.failures import IngestError
from scoring.ingest.report import CellWarning, IngestReport, Reject, TableCounts
from scoring.ingest.tables import LINE_COLUMN, data_table
from scoring.numbers import Value
from scoring.store import PENDING_PREFIX, quote_identifier

_DONE = f"sha256 NOT LIKE '{PENDING_PREFIX}%'"


class DatasetNotFound(IngestError):
    """No such dataset in the store, or no such table or column in it."""

    def __init__(self, message: str) -> None:
        super().__init__(None, None, None, message)


@dataclass(frozen=True)
class DatasetInfo:
    """A stored dataset: identity, when and where it came from, its declarations."""

    id: int
    sha256: str
    created: str
    source: str
    tables: dict[str, dict[str, Any]]

    def columns(self, table: str) -> dict[str, ColumnType]:
        """The declared columns and types of `table`; DatasetNotFound when absent."""
        if table not in self.tables:
            names = ", ".join(self.tables)
            raise DatasetNotFound(f"dataset {self.id} has no table {table} (it has: {names})")
        return cast(dict[str, ColumnType], self.tables[table]["columns"])


def latest_dataset_id(db: Database) -> int | None:
    """The id of the newest dataset, or None when the store holds none."""
    row = db.execute(f"SELECT max(id) FROM datasets WHERE {_DONE}").fetchone()
    return None if row[0] is None else int(row[0])


def find_dataset(db: Database, sha256: str) -> int | None:
    """The id of the dataset with this content hash, or None."""
    row = db.execute("SELECT id FROM datasets WHERE sha256 = ?", [sha256]).fetchone()
    return None if row is None else int(row[0])


def _info(row: Sequence[Any]) -> DatasetInfo:
    return DatasetInfo(int(row[0]), str(row[1]), str(row[2]), str(row[3]), json.loads(row[4]))


def list_datasets(db: Database) -> list[DatasetInfo]:
    """Every dataset of the store, oldest first."""
    rows = db.execute(
        f"SELECT id, sha256, created, source, catalog FROM datasets WHERE {_DONE} ORDER BY id"
    )
    return [_info(row) for row in rows]


def dataset_info(db: Database, dataset_id: int | None = None) -> DatasetInfo:
    """The dataset `dataset_id` (None: the latest); DatasetNotFound when there is none."""
    if dataset_id is None:
        dataset_id = latest_dataset_id(db)
        if dataset_id is None:
            raise DatasetNotFound("the store holds no dataset yet: run pioneer ingest first")
    row = db.execute(
        f"SELECT id, sha256, created, source, catalog FROM datasets WHERE id = ? AND {_DONE}",
        [dataset_id],
    ).fetchone()
    if row is None:
        raise DatasetNotFound(f"no dataset {dataset_id} in the store")
    return _info(row)


def list_rejects(db: Database, dataset_id: int | None = None) -> list[Reject]:
    """The reject report of a dataset (None: the latest), in file and line order."""
    info = dataset_info(db, dataset_id)
    rows = db.execute(
        'SELECT table_name, file, line, "column", value, reason FROM rejects '
        "WHERE dataset_id = ? ORDER BY id",
        [info.id],
    )
    return [Reject(*row) for row in rows]


def list_warnings(db: Database, dataset_id: int | None = None) -> list[CellWarning]:
    """The cell warnings of a dataset (None: the latest), in file and line order."""
    info = dataset_info(db, dataset_id)
    rows = db.execute(
        'SELECT table_name, file, line, "column", value, reason FROM ingest_warnings '
        "WHERE dataset_id = ? ORDER BY id",
        [info.id],
    )
    return [CellWarning(*row) for row in rows]


def stored_report(db: Database, dataset_id: int | None = None) -> IngestReport:
    """The report of a dataset as its ingest stored it (None: the latest)."""
    info = dataset_info(db, dataset_id)
    rows = db.execute(
        "SELECT table_name, file, rows_in, accepted, rejected, warnings FROM dataset_tables "
        "WHERE dataset_id = ? ORDER BY rowid",
        [info.id],
    )
    tables = tuple(
        TableCounts(name, file, rows_in, accepted, rejected, tuple(json.loads(warnings)))
        for name, file, rows_in, accepted, rejected, warnings in rows
    )
    return IngestReport(
        info.id,
        info.sha256,
        tables,
        tuple(list_rejects(db, info.id)),
        cell_warnings=tuple(list_warnings(db, info.id)),
    )


def iter_rows(
    db: Database,
    dataset_id: int,
    table: str,
    *,
    link_column: str | None = None,
    keys: Sequence[Value] | None = None,
    where: str | None = None,
    params: Sequence[Any] = (),
) -> Iterator[dict[str, Value]]:
    """Stream the rows of `table` in dataset `dataset_id`, in file order.

    With `keys`, only rows whose `link_column` (default: the table's key)
    holds one of them, in one query however many keys there are (the keys
    travel as one JSON parameter, and the column's index is used). `where` is
    an extra SQL condition over the stored columns, with `params` for its
    placeholders.
    """
    info = dataset_info(db, dataset_id)
    columns = info.columns(table)
    conditions: list[str] = []
    arguments: list[Any] = []
    if keys is not None:
        column = link_column or info.tables[table]["key"]
        if column not in columns:
            raise DatasetNotFound(f"table {table} of dataset {dataset_id} has no column {column}")
        stored = [to_db(key, columns[column]) for key in keys]
        conditions.append(f"{quote_identifier(column)} IN (SELECT value FROM json_each(?))")
        arguments.append(json.dumps(stored, ensure_ascii=False))
    if where:
        conditions.append(f"({where})")
        arguments.extend(params)
    names = [LINE_COLUMN, *columns]
    sql = (
        f"SELECT {', '.join(quote_identifier(name) for name in names)} "
        f"FROM {quote_identifier(data_table(info.id, table))}"
    )
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    sql += f" ORDER BY {quote_identifier(LINE_COLUMN)}"
    types: list[ColumnType] = ["int", *columns.values()]
    for row in db.execute(sql, arguments):
        yield {
            name: from_db(stored, ctype)
            for name, stored, ctype in zip(names, row, types, strict=True)
        }


def load_rows(
    db: Database,
    dataset_id: int,
    table: str,
    where: str | None = None,
    params: Sequence[Any] = (),
) -> list[dict[str, Value]]:
    """Every row of `table` in dataset `dataset_id` (optionally filtered by `where`)."""
    return list(iter_rows(db, dataset_id, table, where=where, params=params))
