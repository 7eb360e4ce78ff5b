"""Clean rows from DuckDB to the store without a Python object per value.

Python's `sqlite3` binds every value of an `executemany` as a Python object,
which costs as much as the conversion itself. On the DuckDB path the rows of
a chunk DuckDB vouched for go instead as Arrow batches into a scratch SQLite
file, written in C by the ADBC SQLite driver (`append`). At the end of the
ingest the store's connection attaches that file and copies every table with
one `INSERT … SELECT *` (SQLite's transfer of whole records, in C), inside the
ingest's one transaction (`copy`): a failure rolls the copy back with
everything else, and the scratch file is deleted with its folder.

The copy waits for the end because the store's connection keeps a read lock
on an attached file until its transaction ends: a file it has read from
cannot be written again (nor detached) before the commit.
"""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from pathlib import Path

import adbc_driver_sqlite.dbapi as adbc
import pyarrow as pa
from sqlite_utils import Database

from scoring.catalog import TableInfo
from scoring.ingest.tables import LINE_COLUMN, SQL_TYPES
from scoring.store import quote_identifier

SCHEMA = "pioneer_scratch"
"""The name the scratch file is attached under in the store's connection."""


def _create_sql(table: str, info: TableInfo) -> str:
    """The scratch table of `info`: the store table's column types in the same order.

    Columns are named `c0`, `c1`… as DuckDB names them (`duckload`); the copy
    matches columns by position, so the names need not be the store's.
    """
    columns = [f"{LINE_COLUMN} INTEGER PRIMARY KEY"]
    columns += [f"c{i} {SQL_TYPES[ctype]}" for i, ctype in enumerate(info.columns.values())]
    return f"CREATE TABLE {quote_identifier(table)} ({', '.join(columns)})"


class Scratch:
    """A scratch SQLite file in `folder`, filled by ADBC, copied into the store once."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "rows.sqlite"
        self.conn: adbc.AdbcSqliteConnection | None = None
        self.tables: list[str] = []  # store table names, in the order first written
        self.attached: Database | None = None

    def _cursor(self) -> adbc.Cursor:
        if self.conn is None:
            self.conn = adbc.connect(str(self.path), autocommit=True)
            cursor = self.conn.cursor()
            cursor.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to recover
            cursor.execute("PRAGMA synchronous = OFF")
            return cursor
        return self.conn.cursor()

    def append(self, table: str, info: TableInfo, rows: pa.RecordBatchReader) -> None:
        """Add `rows` (`_line`, `c0`… in declared column order) to store table `table`."""
        with self._cursor() as cursor:
            if table not in self.tables:
                cursor.execute(_create_sql(table, info))
                self.tables.append(table)
            cursor.adbc_ingest(table, rows, mode="append")

    def copy(self, db: Database) -> None:
        """Copy every scratch table into the store table of the same name, in `db`'s transaction."""
        if not self.tables:
            return
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        db.execute(f"ATTACH DATABASE ? AS {SCHEMA}", [str(self.path)])
        self.attached = db
        for table in self.tables:
            quoted = quote_identifier(table)
            db.execute(f"INSERT INTO main.{quoted} SELECT * FROM {SCHEMA}.{quoted}")

    def close(self) -> None:
        """Detach the file from the store (after its transaction) and close the writer."""
        if self.attached is not None:
            # still in a caller's transaction: it goes when the connection does
            with suppress(sqlite3.OperationalError):
                self.attached.execute(f"DETACH DATABASE {SCHEMA}")
            self.attached = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
