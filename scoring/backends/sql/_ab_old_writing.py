"""Write one award's results into the run from SQL, on either engine.

SQLite (the store itself): the compiled query is materialised as a temporary
table, the quota groups' sizes are read (a handful of integers) and their
seats split in Python (`scoring.ranking.seat_split`), and one
`INSERT INTO results … SELECT … RETURNING` places, spells and stores every
row inside the run's transaction; what it returns (the rows' canonical JSON
lines for the hash, and the few fields later awards read) are plain values.

DuckDB (the columnar copy): the same SQL runs on the copy and the finished
rows come back in bulk (`fetchall`); SQLite takes them with `executemany`,
and Python's `json` spells their hash lines (DuckDB's `json_array` costs
more, and spells control characters' escapes in upper case).

Either way nothing is written before the award's query has succeeded, and
everything is written inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import duckdb
from sqlglot import exp
from sqlite_utils import Database

from scoring.backend import AwardFields, Written
from scoring.ranking import RemainderTie, seat_split
from scoring.runs import RANKING_FIELDS, RESULT_FIELDS, hash_line

from .dialects import is_parser_overflow
from .results_sql import HASHED, OUTPUT, ResultsQuery, Seats, returning_line

SCORED = "pioneer_scored"
_COLUMNS = ", ".join((*RESULT_FIELDS, *RANKING_FIELDS))
_PLACES = ", ".join("?" for _ in (*RESULT_FIELDS, *RANKING_FIELDS))
_RETURNED = ("ord", "line", "subject", "eligible", "veto", "total", "rank", "grade", "selected")
_IN_RETURNED = {c: i for i, c in enumerate(_RETURNED)}
_IN_OUTPUT = {c: OUTPUT.index(c) for c in _RETURNED if c != "line"}


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
    table = exp.Table(this=exp.to_identifier(SCORED, quoted=True), db=exp.to_identifier("temp"))
    name = f'temp."{SCORED}"'
    conn.execute(f"DROP TABLE IF EXISTS {name}")
    try:
        conn.execute(f"CREATE TEMP TABLE {name} AS {sql}")
        render = query.dialect.render
        seats, ties = seats_of(
            query, conn.execute(render(query.sizes(table), copy=False)).fetchall()
        )
        returning = ", ".join(
            render(returning_line()) if c == "line" else f'"{c}"' for c in _RETURNED
        )
        rows = conn.execute(
            f"INSERT INTO results ({_COLUMNS}) {render(query.rows(table, seats, run_id), copy=False)}"
            f" RETURNING {returning}"
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if is_parser_overflow(exc):
            return None
        raise
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {name}")
    if any(rows[i][0] > rows[i + 1][0] for i in range(len(rows) - 1)):
        rows.sort()  # RETURNING promises no order
    return _written(rows, _IN_RETURNED, [r[1] for r in rows], ties, query.places, keep)


def write_duckdb(
    con: duckdb.DuckDBPyConnection,
    db: Database,
    query: ResultsQuery,
    sql: str,
    run_id: int,
    keep: bool,
) -> Written:
    """The award's rows computed on the DuckDB copy, fetched in bulk, inserted with executemany."""
    table = exp.Table(this=exp.to_identifier(SCORED, quoted=True))
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{SCORED}" AS {sql}')
    render = query.dialect.render
    seats, ties = seats_of(query, con.execute(render(query.sizes(table), copy=False)).fetchall())
    rows = con.execute(render(query.rows(table, seats, None), copy=False)).fetchall()
    con.execute(f'DROP TABLE "{SCORED}"')
    width, hashed = len(OUTPUT), len(HASHED)
    db.conn.executemany(
        f"INSERT INTO results ({_COLUMNS}) VALUES ({_PLACES})",
        [(run_id, *row[:width]) for row in rows],
    )
    lines = [hash_line(row[:hashed]) for row in rows]
    return _written(rows, _IN_OUTPUT, lines, ties, query.places, keep)


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
