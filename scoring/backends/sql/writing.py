"""Write one award's results into the run from SQL, on either engine.

SQLite (the store itself): the compiled query is materialised as a temporary
table, the quota groups' sizes are read (a handful of integers) and their
seats split in Python (`scoring.ranking.seat_split`), the placing of every
row (`ResultsQuery.ranks`, narrow) goes into a second temporary table keyed
by publication order, and one `INSERT INTO results … SELECT … RETURNING`
spells and stores every row in that order (a rowid join back to the scored
rows, no sort) inside the run's transaction; what it returns (the rows'
canonical JSON lines for the hash, and the few fields later awards read)
are plain values.

DuckDB (the columnar copy): the same SQL runs on the copy over the scored
figures narrowed to 64-bit integers; the finished rows come back in chunks
that SQLite takes with `executemany` as they are, and Python's `json` spells
their hash lines (DuckDB's `json_array` costs more and spells control
characters' escapes in upper case; spelled by hand, with `replace` and
concatenation, they cost DuckDB four times what `json` costs: measured,
docs/performance.md).

Either way nothing is written before the award's query has succeeded, and
everything is written inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from fractions import Fraction
from io import TextIOWrapper
from tempfile import TemporaryFile
from typing import IO, Any
from weakref import finalize

import duckdb
from sqlglot import exp
from sqlite_utils import Database

from scoring.backend import AwardFields, Written
from scoring.ranking import RemainderTie, seat_split
from scoring.runs import RANKING_FIELDS, RESULT_FIELDS, hash_line
from scoring.store import quote_identifier, transaction

from .dialects import is_parser_overflow
from .results_sql import HASHED, OUTPUT, RANKS, ResultsQuery, Seats, returning_line

SCORED = "pioneer_scored"
RANKED = "pioneer_ranked"
_COLUMNS = ", ".join((*RESULT_FIELDS, *RANKING_FIELDS))
_PLACES = ", ".join("?" for _ in (*RESULT_FIELDS, *RANKING_FIELDS))
_RETURNED = ("ord", "line", "subject", "eligible", "veto", "total", "rank", "grade", "selected")
_IN_RETURNED = {c: i for i, c in enumerate(_RETURNED)}
_IN_FETCHED = {c: 1 + OUTPUT.index(c) for c in _RETURNED if c != "line"}
"""Where each returned column is in a row fetched from DuckDB (`run_id` first)."""


def seats_of(
    query: ResultsQuery, sizes: Sequence[tuple[Any, Any]]
) -> tuple[Seats, tuple[RemainderTie, ...]]:
    """The seats of each quota group from its number of ranked subjects."""
    quota = query.award.quota
    if quota is None:
        return Seats({}), ()
    split = seat_split(quota, {(None if g is None else str(g)): int(n) for g, n in sizes})
    by_group = {g: n for g, n in split.seats.items() if g is not None}
    return Seats(by_group, split.seats.get(None, 0)), split.remainder_ties


def write_sqlite(
    db: Database, query: ResultsQuery, sql: str, run_id: int, keep: bool
) -> Written | None:
    """The award's rows inserted by one INSERT … SELECT on the store; None when SQLite's
    parser refuses a statement as nested too deep (nothing was written: the caller
    writes the rows from outcomes instead)."""
    conn = db.conn
    scored, ranked = _temp(SCORED), _temp(RANKED)
    names = [f'temp."{t}"' for t in (SCORED, RANKED)]
    for name in names:
        conn.execute(f"DROP TABLE IF EXISTS {name}")
    caches = _bigger_caches(conn)
    try:
        conn.execute(f"CREATE TEMP TABLE {names[0]} AS {sql}")
        render = query.dialect.render
        seats, ties = seats_of(
            query, conn.execute(render(query.sizes(scored), copy=False)).fetchall()
        )
        # placed first (narrow, row_no as the rowid), then spelled in that order
        columns = ", ".join(
            f'"{c}" INTEGER' + (" PRIMARY KEY" if c == "row_no" else "") for c in RANKS
        )
        conn.execute(f"CREATE TEMP TABLE {names[1]} ({columns})")
        conn.execute(f"INSERT INTO {names[1]} {render(query.ranks(scored, seats), copy=False)}")
        returning = ", ".join(
            render(returning_line()) if c == "line" else f'"{c}"' for c in _RETURNED
        )
        spelled = query.spelled(ranked, scored, run_id).order_by(
            exp.column("row_no", table="o", quoted=True), copy=False
        )
        rows = conn.execute(
            f"INSERT INTO results ({_COLUMNS}) {render(spelled, copy=False)} RETURNING {returning}"
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if is_parser_overflow(exc):
            return None
        raise
    finally:
        for name in names:
            conn.execute(f"DROP TABLE IF EXISTS {name}")
        for schema, size in caches.items():
            conn.execute(f"PRAGMA {schema}.cache_size = {size}")
    if any(rows[i][0] > rows[i + 1][0] for i in range(len(rows) - 1)):
        rows.sort()  # RETURNING promises no order
    return _written(rows, _IN_RETURNED, [r[1] for r in rows], ties, query.places, keep)


CACHE_KIB = 65536
"""Page cache for the write, per schema (KiB): the results' subject index takes
its rows out of key order, and SQLite's default 2 MB cache would spill."""


def _bigger_caches(conn: sqlite3.Connection) -> dict[str, int]:
    """Raise the page cache of `main` and `temp` for this write; the sizes to restore
    (a temp schema not opened yet reports 0: SQLite's default, -2000, is restored)."""
    before = {}
    for schema in ("main", "temp"):
        size = int(conn.execute(f"PRAGMA {schema}.cache_size").fetchone()[0])
        before[schema] = size or -2000
        conn.execute(f"PRAGMA {schema}.cache_size = -{CACHE_KIB}")
    return before


def _temp(name: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(name, quoted=True), db=exp.to_identifier("temp"))


def write_duckdb(
    con: duckdb.DuckDBPyConnection,
    db: Database,
    query: ResultsQuery,
    sql: str,
    run_id: int,
    keep: bool,
) -> Written:
    """The award's rows computed and spelled on the DuckDB copy, fetched in chunks,
    inserted with executemany and hashed as they go.

    The scored figures are kept as 64-bit integers (DuckDB's sums are 128-bit:
    twice the memory, and three times the cost to spell): the compiler keeps
    every figure within 64 bits (`TooLarge`), and a cast or a product that would
    not fit raises, never wraps; should one raise, the award is scored and
    spelled again with the 128-bit figures (DuckDB finishes a query before its
    first row is fetched, and the inserts sit in a savepoint that an error
    rolls back)."""
    try:
        try:
            con.execute(f'CREATE OR REPLACE TEMP TABLE "{SCORED}" AS {_narrowed(con, sql)}')
            return _spell_and_insert(con, db, query, run_id, keep)
        except (duckdb.ConversionException, duckdb.OutOfRangeException):
            con.execute(f'CREATE OR REPLACE TEMP TABLE "{SCORED}" AS {sql}')
            return _spell_and_insert(con, db, query, run_id, keep)
    finally:
        con.execute(f'DROP TABLE IF EXISTS "{SCORED}"')


_CHUNK = 20_000


def _narrowed(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """`sql` with its 128-bit integer columns cast to 64 bits (its types bound, not run)."""
    relation = con.sql(sql)
    items = [
        f"CAST({quote_identifier(name)} AS BIGINT) AS {quote_identifier(name)}"
        if str(kind) == "HUGEINT"
        else quote_identifier(name)
        for name, kind in zip(relation.columns, relation.types, strict=True)
    ]
    return f'SELECT {", ".join(items)} FROM ({sql}) AS "q"'


def _spell_and_insert(
    con: duckdb.DuckDBPyConnection, db: Database, query: ResultsQuery, run_id: int, keep: bool
) -> Written:
    table = exp.Table(this=exp.to_identifier(SCORED, quoted=True))
    render = query.dialect.render
    seats, ties = seats_of(query, con.execute(render(query.sizes(table), copy=False)).fetchall())
    result = con.execute(render(query.rows(table, seats, run_id), copy=False))
    insert = f"INSERT INTO results ({_COLUMNS}) VALUES ({_PLACES})"
    hashed = slice(1, 1 + len(HASHED))
    lines = SpooledLines()
    subjects = ranked = selected = 0
    fields: dict[str, AwardFields] | None = {} if keep else None
    with transaction(db):  # a savepoint: an error while fetching undoes the chunks before
        while chunk := result.fetchmany(_CHUNK):
            db.conn.executemany(insert, chunk)
            spelled = [hash_line(row[hashed]) for row in chunk]
            lines.extend(spelled)
            part = _written(chunk, _IN_FETCHED, spelled, ties, query.places, keep)
            subjects, ranked = subjects + part.subjects, ranked + part.ranked
            selected += part.selected
            if fields is not None and part.fields is not None:
                fields.update(part.fields)
    return Written(lines, subjects, ranked, selected, remainder_ties=ties, fields=fields)


class SpooledLines:
    """Hash lines kept as UTF-8 bytes, in memory up to `_SPOOL` and in a temporary
    file beyond, rather than one Python string per row (a line with a Chinese
    name is stored two bytes a character: 1M rows came to about 2.6 GB as
    strings, 1.3 GB as bytes); read back once, in order."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0
        self._file: IO[bytes] | None = None

    def extend(self, lines: Sequence[str]) -> None:
        if not lines:
            return
        data = "\n".join(lines).encode("utf-8") + b"\n"
        if self._file is None and self._size + len(data) > _SPOOL:
            self._file = TemporaryFile()  # noqa: SIM115 - closed when read, or collected
            finalize(self, self._file.close)
            self._file.writelines(self._chunks)
            self._chunks.clear()
        if self._file is None:
            self._chunks.append(data)
            self._size += len(data)
        else:
            self._file.write(data)

    def __iter__(self) -> Iterator[str]:
        if self._file is None:
            for chunk in self._chunks:
                yield from chunk.decode("utf-8").split("\n")[:-1]
            return
        self._file.seek(0)
        with TextIOWrapper(self._file, encoding="utf-8", newline="\n") as text:
            for line in text:
                yield line[:-1]


_SPOOL = 256 << 20


def _written(
    rows: Sequence[Sequence[Any]],
    at: dict[str, int],
    lines: list[str],
    ties: tuple[RemainderTie, ...],
    places: int,
    keep: bool,
) -> Written:
    """Counts, and the fields later awards read, from rows holding the columns
    `_RETURNED` (`at`: where each is in a row)."""
    rank, selected = at["rank"], at["selected"]
    fields = None
    if keep:
        scale = 10**places
        subject, eligible, veto = at["subject"], at["eligible"], at["veto"]
        total, grade = at["total"], at["grade"]
        fields = {
            r[subject]: AwardFields(
                total=Fraction(int(r[total].replace(".", "")), scale),
                grade=r[grade],
                eligible=bool(r[eligible]),
                vetoed=r[veto] != "[]",
                rank=r[rank],
                selected=bool(r[selected]),
            )
            for r in rows
        }
    return Written(
        lines,
        subjects=len(rows),
        ranked=sum(1 for r in rows if r[rank] is not None),
        selected=sum(r[selected] for r in rows),
        remainder_ties=ties,
        fields=fields,
    )
