"""`ingest`: a folder of a period's files -> one immutable dataset in the store.

The whole pipeline, in order:

1. check the catalog and choose the reading order (`tables.reading_order`):
   a table comes after every table its links point at;
2. find and open every table's file and match its header (`readers`,
   `rows.map_columns`); every whole-file problem is collected and raised
   together before anything is written;
3. in one transaction, read each table's rows, check cells, keys and links,
   write the accepted rows to `ds{id}_{table}` and hash them: CSV rows in
   column-wise batches (`batch`), other rows one by one (`rows.RowChecker`),
   indexes built once after each table's rows (`tables.finish_sql`); the
   rows DuckDB vouched for are copied from a scratch file (`scratch`) at the
   end, and the indexes of their tables built after that;
4. if a dataset with the same SHA-256 already exists, roll back and reuse it;
   otherwise record the counts, rejects and cell warnings (`record`), and commit.

Dataset identity: the SHA-256 of the canonical JSON
`{"format": 1, "tables": <declarations>, "rows": {table: <rows digest>}}`,
where a table's rows digest is the SHA-256 of its accepted rows in file order,
each the JSON array of its stored values in column-name order followed by a
newline (canonical JSON: UTF-8, no spaces, no ASCII escaping). Line numbers,
file names and formats are not part of it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlite_utils import Database

from scoring.catalog import Catalog, TableInfo
from scoring.ingest.batch import ROW_JSON, BatchConverter, Converted
from scoring.ingest.cells import DbValue, quoted
from scoring.ingest.chunks import Clean, Raw
from scoring.ingest.convert import Pool
from scoring.ingest.duckpath import DuckPath, Reader
from scoring.ingest.failures import FileError, RejectError, combine
from scoring.ingest.readers import RawRow, Source, locate, open_source
from scoring.ingest.record import dataset_sha256, insert_pending, record
from scoring.ingest.report import CellWarning, IngestReport, Reject, TableCounts
from scoring.ingest.rows import Layout, Problem, RowChecker, map_columns
from scoring.ingest.tables import (
    Group,
    check_catalog,
    create_sql,
    data_table,
    finish_sql,
    insert_sql,
    reading_order,
)
from scoring.store import StoreError, store_path, transaction

if TYPE_CHECKING:
    from scoring.ingest.duckload import DuckTable

Progress = Callable[[str, int], None]
"""Called with a table name and the number of its rows read so far."""

BATCH = 1000
"""Rows per INSERT batch and per progress call."""


def ingest(
    folder: str | Path,
    catalog: Catalog,
    db: Database,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    reader: Reader | None = None,
) -> IngestReport:
    """Read one file per declared table from `folder` into a new dataset of `db`.

    Rejected rows are left out and listed in the report (and the store);
    with `strict`, the first reject raises `RejectError` and nothing is
    written. A whole-file problem raises `FileError` (every one found, in
    `also`), a catalog that cannot be ingested `CatalogError`; nothing is
    written then either, nor when the store cannot be written (`StoreError`).
    When the accepted content equals a dataset already in the store, that
    dataset is reused and the report says so.

    `reader` chooses how CSV files are read: `python` (the csv module),
    `duckdb` (through DuckDB wherever it can read a file exactly) or `auto`
    (DuckDB for large files when it is installed); default: the
    `PIONEER_INGEST` environment variable, else `auto`. Every reader gives
    the same dataset, rejects and warnings; the report names the one used
    for each table (`IngestReport.readers`).
    """
    folder = Path(folder)
    check_catalog(catalog)
    groups = reading_order(catalog)
    if not folder.is_dir():
        raise FileError(str(folder), None, None, "no such folder")
    with ExitStack() as stack:
        files = _open_files(folder, catalog, stack, {})
        duck = stack.enter_context(DuckPath(reader))
        run = _Ingest(db, catalog, files, strict, progress, duck)
        try:
            return run.execute(folder, groups)
        except sqlite3.OperationalError as error:  # locked, full, read-only…
            raise StoreError(store_path(db), f"cannot write the dataset: {error}") from None
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class _File:
    """An opened file with its header matched, and the positions checks need."""

    source: Source
    layout: Layout
    pool: Pool  # the converters shared by every file of the ingest
    key_at: int | None = field(init=False)
    links: list[tuple[str, int]] = field(init=False)
    hash_order: list[int] = field(init=False)
    checker: RowChecker = field(init=False)
    batcher: BatchConverter | None = field(init=False)

    def __post_init__(self) -> None:
        key = self.layout.info.key
        self.key_at = None if key is None else self.layout.position(key)
        self.links = self.layout.links()
        self.hash_order = self.layout.name_order()
        workbook = self.source.path.suffix == ".xlsx"
        self.checker = RowChecker(self.layout, workbook=workbook, pool=self.pool)
        csv = self.source.path.suffix == ".csv" and not self.source.keyed
        self.batcher = BatchConverter(self.checker) if csv and self.checker.simple else None


def _open_files(folder: Path, catalog: Catalog, stack: ExitStack, pool: Pool) -> dict[str, _File]:
    files: dict[str, _File] = {}
    errors: list[FileError] = []
    for name, info in catalog.tables.items():
        try:
            source = open_source(locate(folder, name))
            stack.callback(source.close)
            files[name] = _File(source, map_columns(source, info), pool)
        except FileError as error:
            errors.append(error)
    if errors:
        raise combine(errors)
    return files


@dataclass
class _Keys:
    """The keys of one table, as ingest learns them."""

    first: dict[str, int] = field(default_factory=dict)  # key -> first line with good cells
    accepted: set[str] = field(default_factory=set)
    rejected: dict[str, int] = field(default_factory=dict)  # key -> line of a rejected row


@dataclass
class _Counts:
    rows_in: int = 0
    accepted: int = 0
    rejected: int = 0


class _Reused(Exception):
    """Raised inside the transaction to roll it back when the content already exists."""

    def __init__(self, dataset_id: int, sha256: str) -> None:
        super().__init__(dataset_id)
        self.dataset_id = dataset_id
        self.sha256 = sha256


_Checked = tuple[list[DbValue], list[Problem]]
"""A row's stored values and the warnings about its cells."""


def _token(value: DbValue) -> str:
    return str(value)


def _tokens(file: _File, at: int, column: list[DbValue]) -> list[str | None]:
    """The key tokens of the values of `file`'s column `at` (None stays None)."""
    if file.layout.columns[at].ctype == "text":
        return column  # type: ignore[return-value]  # text is its own token
    return [None if value is None else _token(value) for value in column]


class _Ingest:
    """The state of one ingest: keys, counts, rejects and digests per table."""

    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        files: dict[str, _File],
        strict: bool,
        progress: Progress | None,
        duck: DuckPath,
    ) -> None:
        self.db = db
        self.duck = duck
        self.catalog = catalog
        self.files = files
        self.strict = strict
        self.progress = progress
        self.keys = {name: _Keys() for name in catalog.tables}
        self.counts = {name: _Counts() for name in catalog.tables}
        self.digests = {name: hashlib.sha256() for name in catalog.tables}
        self.rejects: list[Reject] = []
        self.cell_warnings: list[CellWarning] = []
        self.dataset_id = 0
        self.unfinished: list[TableInfo] = []  # read through DuckDB: indexed after the copy

    def execute(self, folder: Path, groups: list[Group]) -> IngestReport:
        """Read every group in one transaction; commit a new dataset or reuse one."""
        try:
            with transaction(self.db):
                self.dataset_id = insert_pending(self.db, folder, self.catalog)
                for group in groups:
                    if group.cyclic:
                        self._read_cyclic(group.tables)
                    else:
                        self._read_streamed(group.tables[0])
                self.duck.copy(self.db)  # the rows DuckDB vouched for, written aside until now
                for info in self.unfinished:
                    self._finish(info)
                digests = {name: digest.hexdigest() for name, digest in self.digests.items()}
                sha = dataset_sha256(self.catalog, digests)
                row = self.db.execute("SELECT id FROM datasets WHERE sha256 = ?", [sha]).fetchone()
                if row is not None:
                    raise _Reused(int(row[0]), sha)
                report = self._report(self.dataset_id, sha, reused=False)
                record(self.db, self.dataset_id, report)
        except _Reused as reused:
            return self._report(reused.dataset_id, reused.sha256, reused=True)
        return report

    # -- reading ---------------------------------------------------------

    def _rows(self, name: str) -> Iterator[RawRow]:
        counts = self.counts[name]
        for raw in self.files[name].source.rows:
            counts.rows_in += 1
            if self.progress is not None and counts.rows_in % BATCH == 0:
                self.progress(name, counts.rows_in)
            yield raw
        if self.progress is not None:
            self.progress(name, counts.rows_in)

    def _batches(self, name: str) -> Iterator[list[RawRow]]:
        counts = self.counts[name]
        for chunk in self.files[name].source.batches(BATCH):
            counts.rows_in += len(chunk)
            if self.progress is not None and len(chunk) == BATCH:
                self.progress(name, counts.rows_in)
            yield chunk
        if self.progress is not None:
            self.progress(name, counts.rows_in)

    def _read_streamed(self, name: str) -> None:
        info = self.catalog.tables[name]
        self.db.execute(create_sql(self.dataset_id, info))
        batch: list[tuple[Any, ...]] = []
        file = self.files[name]
        table = None
        if file.batcher is not None:
            table = self.duck.table(file.source, file.layout, file.checker.converters)
        if table is not None:
            self._read_duck(name, table, batch)
            self.unfinished.append(info)  # indexed once its rows are copied in (`execute`)
        elif file.batcher is not None:
            for rows in self._batches(name):
                self._read_batch(name, rows, batch)
                self._flush(info, batch)
        else:
            for raw in self._rows(name):
                checked = self._check(name, raw)
                if checked is not None and self._links_ok(name, raw.line, checked[0]):
                    self._accept(name, raw.line, checked, batch)
                if len(batch) >= BATCH:
                    self._flush(info, batch)
        self._flush(info, batch)
        if table is None:
            self._finish(info)

    def _read_duck(self, name: str, table: DuckTable, batch: list[tuple[Any, ...]]) -> None:
        """A CSV file through DuckDB: clean chunks straight into SQLite, the rest row by row."""
        info, counts = self.catalog.tables[name], self.counts[name]
        for chunk in table.chunks():
            if isinstance(chunk, Clean) and self._clean_fits(name, chunk):
                counts.rows_in += chunk.rows_in
                self._accept_clean(name, chunk, table)
            else:
                rows = chunk.rows if isinstance(chunk, Raw) else table.raw(chunk)
                counts.rows_in += len(rows)
                for start in range(0, len(rows), BATCH):
                    self._read_batch(name, rows[start : start + BATCH], batch)
                    self._flush(info, batch)
            if self.progress is not None:
                self.progress(name, counts.rows_in)

    def _clean_fits(self, name: str, chunk: Clean) -> bool:
        """`_batch_fits` for a chunk DuckDB vouched for: no key taken, no link dangling."""
        if chunk.key is not None:
            keys = chunk.key
            if len(set(keys)) != len(keys) or not self.keys[name].first.keys().isdisjoint(keys):
                return False
        links = self.files[name].links
        return all(
            tokens <= self.keys[target].accepted
            for (target, _), tokens in zip(links, chunk.links, strict=True)
        )

    def _accept_clean(self, name: str, chunk: Clean, table: DuckTable) -> None:
        self.counts[name].accepted += chunk.rows_in
        if chunk.key is not None:
            self.keys[name].first.update(zip(chunk.key, chunk.lines, strict=True))
            self.keys[name].accepted.update(chunk.key)
        if chunk.rows_in:
            for canonical in table.store_clean(data_table(self.dataset_id, name)):
                self.digests[name].update(canonical.encode())

    def _read_batch(self, name: str, rows: list[RawRow], batch: list[tuple[Any, ...]]) -> None:
        """A batch of CSV rows: column-wise when all is well, else row by row in file order."""
        batcher = self.files[name].batcher
        assert batcher is not None
        converted = batcher.convert(rows)
        if not converted.slow and self._batch_fits(name, converted):
            self._accept_batch(name, rows, converted, batch)
            return
        for index, raw in enumerate(rows):
            if index in converted.slow:
                checked = self._check(name, raw)
            else:
                values = [column[index] for column in converted.columns]
                notes = converted.notes.get(index, [])
                checked = self._check_key(name, raw.line, values, notes)
            if checked is not None and self._links_ok(name, raw.line, checked[0]):
                self._accept(name, raw.line, checked, batch)

    def _batch_fits(self, name: str, converted: Converted) -> bool:
        """True when no row of a clean batch breaks a key or a link (the usual case)."""
        file = self.files[name]
        if file.key_at is not None:
            column = converted.columns[file.key_at]
            if None in column:
                return False
            tokens = _tokens(file, file.key_at, column)
            if len(set(tokens)) != len(tokens) or not self.keys[name].first.keys().isdisjoint(
                tokens
            ):
                return False
        for target, at in file.links:
            linked = set(_tokens(file, at, converted.columns[at]))
            linked.discard(None)
            if not linked <= self.keys[target].accepted:
                return False
        return True

    def _accept_batch(
        self, name: str, rows: list[RawRow], converted: Converted, batch: list[tuple[Any, ...]]
    ) -> None:
        file = self.files[name]
        assert file.batcher is not None
        lines = [row.line for row in rows]
        self.counts[name].accepted += len(rows)
        if file.key_at is not None:
            column = converted.columns[file.key_at]
            tokens = cast(list[str], _tokens(file, file.key_at, column))  # no None: checked
            self.keys[name].first.update(zip(tokens, lines, strict=True))
            self.keys[name].accepted.update(tokens)
        path = str(file.source.path)
        for index, notes in sorted(converted.notes.items()):
            for note in notes:
                self.cell_warnings.append(
                    CellWarning(name, path, lines[index], note.column, note.value, note.reason)
                )
        batch.extend(zip(lines, *converted.columns, strict=True))
        self.digests[name].update(file.batcher.row_json(converted).encode())

    def _read_cyclic(self, names: Sequence[str]) -> None:
        """Tables linked in a cycle: keep candidates until every link settles."""
        candidates: dict[str, list[tuple[int, _Checked]]] = {}
        for name in names:
            self.db.execute(create_sql(self.dataset_id, self.catalog.tables[name]))
            candidates[name] = []
            for raw in self._rows(name):
                checked = self._check(name, raw)
                if checked is not None:
                    candidates[name].append((raw.line, checked))
            at = self.files[name].key_at
            if at is not None:
                self.keys[name].accepted = {_token(c[0][at]) for _, c in candidates[name]}
        alive = {name: [True] * len(rows) for name, rows in candidates.items()}
        changed = True
        while changed:  # a rejected row can leave another row's link dangling
            changed = False
            for name in names:
                for index, (line, (values, _)) in enumerate(candidates[name]):
                    if alive[name][index] and not self._links_ok(name, line, values):
                        alive[name][index] = False
                        self._forget_key(name, line, values)
                        changed = True
        for name in names:
            info = self.catalog.tables[name]
            batch: list[tuple[Any, ...]] = []
            for index, (line, checked) in enumerate(candidates[name]):
                if alive[name][index]:
                    self._accept(name, line, checked, batch)
            self._flush(info, batch)
            self._finish(info)

    # -- checks ------------------------------------------------------------

    def _check(self, name: str, raw: RawRow) -> _Checked | None:
        """The row's stored values and warnings when its cells and key are good, else None."""
        file = self.files[name]
        values, problems, notes = file.checker.check(raw)
        at = file.key_at
        if problems:
            self._reject(name, raw.line, problems)
            if at is not None and values[at] is not None:
                self.keys[name].rejected.setdefault(_token(values[at]), raw.line)
            return None
        return self._check_key(name, raw.line, values, notes)

    def _check_key(
        self, name: str, line: int, values: list[DbValue], notes: list[Problem]
    ) -> _Checked | None:
        """A row with good cells: None (rejected) when its key is empty or taken."""
        file = self.files[name]
        at = file.key_at
        if at is None:
            return values, notes
        column = file.layout.columns[at]
        value = values[at]
        if value is None:
            reason = f"no key: the {column.name} cell is empty; every row of {name} needs one"
            self._reject(name, line, [Problem(column.label, "", reason)])
            return None
        keys = self.keys[name]
        first = keys.first.get(_token(value))
        if first is not None:
            reason = f"duplicate key {quoted(str(value))}: first at line {first}"
            self._reject(name, line, [Problem(column.label, str(value), reason)])
            return None
        keys.first[_token(value)] = line
        return values, notes

    def _links_ok(self, name: str, line: int, values: list[DbValue]) -> bool:
        """False (and the row rejected) when a link names no accepted subject."""
        file = self.files[name]
        problems = []
        for target, at in file.links:
            value = values[at]
            if value is None or _token(value) in self.keys[target].accepted:
                continue
            label = file.layout.columns[at].label
            problems.append(Problem(label, str(value), self._dangling(target, value)))
        if problems:
            self._reject(name, line, problems)
        return not problems

    def _dangling(self, target: str, value: DbValue) -> str:
        keys = self.keys[target]
        at = keys.rejected.get(_token(value), keys.first.get(_token(value)))
        if at is None:
            return f"{quoted(str(value))} is not a key of {target}"
        file = self.files[target].source.path.name
        return f"{quoted(str(value))} is not a key of {target}: its row ({file} line {at}) was rejected"

    def _forget_key(self, name: str, line: int, values: list[DbValue]) -> None:
        at = self.files[name].key_at
        if at is not None:
            token = _token(values[at])
            self.keys[name].accepted.discard(token)
            self.keys[name].rejected.setdefault(token, line)

    def _reject(self, name: str, line: int, problems: list[Problem]) -> None:
        file = str(self.files[name].source.path)
        if self.strict:
            first = problems[0]
            raise RejectError(file, line, first.column, first.value, first.reason)
        self.counts[name].rejected += 1
        for problem in problems:
            self.rejects.append(
                Reject(name, file, line, problem.column, problem.value, problem.reason)
            )

    # -- writing -----------------------------------------------------------

    def _accept(
        self, name: str, line: int, checked: _Checked, batch: list[tuple[Any, ...]]
    ) -> None:
        file = self.files[name]
        values, notes = checked
        for note in notes:
            self.cell_warnings.append(
                CellWarning(name, str(file.source.path), line, note.column, note.value, note.reason)
            )
        self.counts[name].accepted += 1
        if file.key_at is not None:
            self.keys[name].accepted.add(_token(values[file.key_at]))
        batch.append((line, *values))
        canonical = ROW_JSON.encode([values[i] for i in file.hash_order])
        self.digests[name].update(canonical.encode() + b"\n")

    def _flush(self, info: TableInfo, batch: list[tuple[Any, ...]]) -> None:
        if batch:
            self.db.conn.executemany(insert_sql(self.dataset_id, info), batch)
            batch.clear()

    def _finish(self, info: TableInfo) -> None:
        for statement in finish_sql(self.dataset_id, info):
            self.db.execute(statement)

    # -- reporting ---------------------------------------------------------

    def _table_counts(self) -> list[TableCounts]:
        result = []
        for name in self.catalog.tables:
            file, counts = self.files[name], self.counts[name]
            warnings = (*file.source.warnings, *file.layout.warnings)
            result.append(
                TableCounts(
                    name,
                    str(file.source.path),
                    counts.rows_in,
                    counts.accepted,
                    counts.rejected,
                    warnings,
                )
            )
        return result

    def _sorted_rejects(self) -> list[Reject]:
        order = {name: position for position, name in enumerate(self.catalog.tables)}
        return sorted(self.rejects, key=lambda r: (order[r.table], r.line or 0))

    def _sorted_warnings(self) -> list[CellWarning]:
        order = {name: position for position, name in enumerate(self.catalog.tables)}
        return sorted(self.cell_warnings, key=lambda w: (order[w.table], w.line or 0))

    def _report(self, dataset_id: int, sha: str, *, reused: bool) -> IngestReport:
        return IngestReport(
            dataset_id,
            sha,
            tuple(self._table_counts()),
            tuple(self._sorted_rejects()),
            reused,
            tuple(self._sorted_warnings()),
            tuple((name, self.duck.verdict(file.source)) for name, file in self.files.items()),
        )


__all__ = ["Progress", "ingest"]
