"""What an ingest tells its caller: counts per table, warnings, rejects and cell warnings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class _CellProblem:
    """Where a problem with a row or cell is, and what it is."""

    table: str
    file: str
    line: int | None
    column: str | None
    value: str | None
    reason: str

    def _where(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.column}:" if self.column else f"{where}:"


@dataclass(frozen=True)
class Reject(_CellProblem):
    """One problem with one row; the row is not part of the dataset.

    `column` is the header as written in the file (or the column id), None
    for a problem with the whole row (wrong number of fields, invalid JSON);
    `value` is the cell as written, with invisible characters escaped.
    A row with several bad cells has one reject per cell.
    """

    def __str__(self) -> str:
        return f"{self._where()} {self.reason}"


@dataclass(frozen=True)
class CellWarning(_CellProblem):
    """A cell of an accepted row that looks wrong: a number a spreadsheet rewrote.

    Same fields as `Reject`; the row is part of the dataset all the same.
    """

    def __str__(self) -> str:
        return f"{self._where()} {self.value!r}: {self.reason}"


@dataclass(frozen=True)
class TableCounts:
    """The rows of one table's file: rows_in = accepted + rejected, always."""

    table: str
    file: str
    rows_in: int
    accepted: int
    rejected: int
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.rows_in != self.accepted + self.rejected:
            raise ValueError(
                f"{self.table}: {self.rows_in} rows in but "
                f"{self.accepted} accepted + {self.rejected} rejected"
            )


@dataclass(frozen=True)
class IngestReport:
    """The outcome of one ingest.

    `reused` is true when the folder's content matched a dataset already in
    the store: nothing new was written and `dataset_id` names that dataset;
    the counts, warnings and rejects describe the folder just read.
    `cell_warnings` lists the accepted cells that look like a number a
    spreadsheet rewrote (`scoring.ingest.suspect`). `readers` says, per
    table, which path read its file: `duckdb`, or `python` (with the reason
    when DuckDB was asked for and could not read it exactly).
    """

    dataset_id: int
    sha256: str
    tables: tuple[TableCounts, ...]
    rejects: tuple[Reject, ...]
    reused: bool = False
    cell_warnings: tuple[CellWarning, ...] = ()
    readers: tuple[tuple[str, str], ...] = ()  # (table, how its file was read)

    @property
    def rows_in(self) -> int:
        """Rows read over every table (blank lines are not rows)."""
        return sum(counts.rows_in for counts in self.tables)

    @property
    def accepted(self) -> int:
        """Rows accepted over every table."""
        return sum(counts.accepted for counts in self.tables)

    @property
    def rejected(self) -> int:
        """Rows rejected over every table."""
        return sum(counts.rejected for counts in self.tables)

    @property
    def warnings(self) -> list[str]:
        """Every table's warnings, each as `file: message`."""
        return [f"{counts.file}: {text}" for counts in self.tables for text in counts.warnings]

    def counts(self, table: str) -> TableCounts:
        """The counts of one table; KeyError when it is not part of the dataset."""
        for counts in self.tables:
            if counts.table == table:
                return counts
        raise KeyError(table)


def summary_lines(report: IngestReport) -> list[str]:
    """SPEC §6: one `TABLE: N in, A accepted, R rejected` line per table, then the total.

    When cells were warned about, one more line counts them per table.
    """
    lines = [
        f"{c.table}: {c.rows_in} in, {c.accepted} accepted, {c.rejected} rejected"
        for c in report.tables
    ]
    lines.append(
        f"total: {report.rows_in} in, {report.accepted} accepted, {report.rejected} rejected"
    )
    if report.cell_warnings:
        per_table: dict[str, int] = {}
        for warning in report.cell_warnings:
            per_table[warning.table] = per_table.get(warning.table, 0) + 1
        counts = ", ".join(f"{table} {n}" for table, n in per_table.items())
        lines.append(
            f"warnings: {len(report.cell_warnings)} cell(s) look like numbers a spreadsheet "
            f"rewrote ({counts}); accepted, listed by `pioneer rejects`"
        )
    return lines


def reader_notes(report: IngestReport) -> list[str]:
    """Which tables were read through DuckDB, and why any other CSV was not (empty when
    every file was read by the csv module as asked): the ingest log's word on its path."""
    duck = [table for table, how in report.readers if how == "duckdb"]
    notes = [f"read through DuckDB: {', '.join(duck)}"] if duck else []
    notes += [f"{table}: {how}" for table, how in report.readers if how.startswith("python (")]
    return notes


def format_summary(report: IngestReport) -> str:
    """The summary lines of `summary_lines`, joined by newlines (no trailing newline)."""
    return "\n".join(summary_lines(report))
