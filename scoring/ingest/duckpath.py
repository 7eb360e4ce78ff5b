"""Which path reads a CSV file: the csv module, or DuckDB where it is installed.

`DuckPath` is opened once per ingest. It decides per file (`table`): the
Python path when asked for it, when DuckDB is not installed, or (`auto`)
when the file is small enough that starting DuckDB would cost more than it
saves; otherwise DuckDB, unless `scoring.ingest.lines` finds something in the
file that DuckDB's line reader would read differently. Either way the
dataset, its rejects and its warnings are the same (`scoring.ingest.duckload`
says how); `verdict` tells the ingest report which path ran and why.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import TYPE_CHECKING, Literal, get_args

from sqlite_utils import Database

from scoring.backends.sql.names import duckdb_installed
from scoring.errors import PioneerError
from scoring.ingest.convert import Converter
from scoring.ingest.readers import Source
from scoring.ingest.rows import Layout

if TYPE_CHECKING:
    from scoring.ingest.duckload import DuckReader, DuckTable

Reader = Literal["auto", "python", "duckdb"]
READERS: tuple[Reader, ...] = get_args(Reader)
ENVIRONMENT = "PIONEER_INGEST"
"""The environment variable that chooses the reader when the caller does not."""

LARGE = 4 << 20
"""`auto` reads CSV files of this many bytes or more through DuckDB."""


def chosen(reader: Reader | None) -> Reader:
    """`reader`, else the environment's choice, else `auto`; refused for an unknown name."""
    if reader is not None:
        return reader
    named = os.environ.get(ENVIRONMENT, "auto").strip().lower() or "auto"
    if named not in READERS:
        raise PioneerError(
            f"the environment variable {ENVIRONMENT}={named!r} names no ingest reader:"
            f" expected one of {', '.join(READERS)}"
        )
    return named


class DuckPath:
    """The reader choice of one ingest, and its DuckDB session once a file needs it."""

    def __init__(self, reader: Reader | None) -> None:
        self.reader = chosen(reader)
        self.session: DuckReader | None = None
        self.verdicts: dict[str, str] = {}

    def __enter__(self) -> DuckPath:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def table(
        self, source: Source, layout: Layout, converters: list[Converter]
    ) -> DuckTable | None:
        """The CSV file `source` opened in DuckDB, or None for the Python path."""
        key = str(source.path)
        if self.reader == "python":
            self.verdicts[key] = "python"
            return None
        if self.reader == "auto" and source.path.stat().st_size < LARGE:
            self.verdicts[key] = "python"
            return None
        if not duckdb_installed():
            self.verdicts[key] = "python (DuckDB is not installed)"
            return None
        if self.session is None:
            from scoring.ingest.duckload import DuckReader

            self.session = DuckReader()
        table = self.session.open(source, layout, converters)
        if isinstance(table, str):
            self.verdicts[key] = f"python (DuckDB cannot read it exactly: {table})"
            return None
        self.verdicts[key] = "duckdb"
        return table

    def copy(self, db: Database) -> None:
        """Copy the rows written aside (`scratch.Scratch`) into `db`, in its transaction."""
        if self.session is not None:
            self.session.scratch.copy(db)

    def verdict(self, source: Source) -> str:
        """How `source` was read, for the ingest report."""
        return self.verdicts.get(str(source.path), "python")
