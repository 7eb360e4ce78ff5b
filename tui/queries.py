"""Paged, sorted and filtered reads of the store for the TUI.

Every function takes an open `Database` and returns plain data; the caller
runs it in a worker thread. A ranking is never read whole: `ranking_page`
reads one page with LIMIT/OFFSET, `ranking_count` says how many rows match.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database

Sort = Literal["rank", "total_desc", "total_asc", "name"]
Status = Literal["", "selected", "tie", "vetoed", "ineligible", "ranked", "not_selected"]

SORTS: tuple[tuple[Sort, str], ...] = (
    ("rank", "按排名"),
    ("total_desc", "按总分 (高到低)"),
    ("total_asc", "按总分 (低到高)"),
    ("name", "按姓名/名称"),
)
STATUSES: tuple[tuple[Status, str], ...] = (
    ("selected", "入选"),
    ("tie", "并列 (卡线同分)"),
    ("vetoed", "否决"),
    ("ineligible", "不合资格"),
    ("ranked", "参与排名"),
    ("not_selected", "参与排名未入选"),
)

_ORDER: dict[Sort, str] = {
    "rank": "ord",
    "total_desc": "CAST(total AS REAL) DESC, ord",
    "total_asc": "CAST(total AS REAL) ASC, ord",
    "name": "name IS NULL, name, subject",
}
_STATUS_SQL: dict[Status, str] = {
    "": "",
    "selected": "selected = 1",
    "tie": "boundary_tie = 1",
    "vetoed": "veto != '[]'",
    "ineligible": "eligible = 0",
    "ranked": "rank IS NOT NULL",
    "not_selected": "rank IS NOT NULL AND selected = 0",
}


class Store:
    """Where the store lives; each worker opens its own short connection
    (SQLite connections belong to the thread that made them)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)

    @contextmanager
    def connect(self) -> Iterator[Database]:
        conn = sqlite3.connect(self.path)
        try:
            conn.execute("PRAGMA query_only = ON")
            yield Database(conn)
        finally:
            conn.close()


@dataclass(frozen=True)
class RunRow:
    id: int
    campaign: str
    period: str
    period_start: str
    period_end: str
    status: str
    created: str
    results_sha256: str
    actor: str


def runs(db: Database) -> list[RunRow]:
    """Every run of the store, newest first."""
    if "runs" not in db.table_names():
        return []
    rows = db.execute(
        "SELECT id, campaign, period_label, period_start, period_end, status, created,"
        " COALESCE(results_sha256, ''), actor FROM runs ORDER BY id DESC"
    ).fetchall()
    return [RunRow(*r) for r in rows]


@dataclass(frozen=True)
class RankFilter:
    """What the filter bar asks for; the empty string means "any"."""

    unit: str = ""
    grade: str = ""
    status: Status = ""
    name: str = ""
    sort: Sort = "rank"


@dataclass(frozen=True)
class RankRow:
    """One line of a ranking, without the breakdown."""

    subject: str
    name: str | None
    unit: str | None
    total: str
    rank: int | None
    grade: str | None
    selected: bool
    boundary_tie: bool
    eligible: bool
    vetoed: bool


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(run_id: int, award: str, f: RankFilter) -> tuple[str, list[Any]]:
    clauses = ["run_id = ?", "award = ?"]
    params: list[Any] = [run_id, award]
    if f.unit:
        clauses.append("unit = ?")
        params.append(f.unit)
    if f.grade:
        clauses.append("grade = ?")
        params.append(f.grade)
    if f.status:
        clauses.append(_STATUS_SQL[f.status])
    name = f.name.strip()
    if name:
        clauses.append("(name LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\')")
        params += [_like(name), _like(name)]
    return " AND ".join(clauses), params


def ranking_count(db: Database, run_id: int, award: str, f: RankFilter) -> int:
    where, params = _where(run_id, award, f)
    return int(
        db.execute(f"SELECT COUNT(*) FROM effective_results WHERE {where}", params).fetchone()[0]
    )


def ranking_page(
    db: Database, run_id: int, award: str, f: RankFilter, offset: int, limit: int
) -> list[RankRow]:
    """One page of an award's ranking, filtered and sorted in SQL."""
    where, params = _where(run_id, award, f)
    sql = (
        "SELECT subject, name, unit, total, rank, grade, selected, boundary_tie, eligible,"
        f" veto != '[]' FROM effective_results WHERE {where} ORDER BY {_ORDER[f.sort]} LIMIT ? OFFSET ?"
    )
    rows = db.execute(sql, [*params, limit, offset]).fetchall()
    return [
        RankRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), bool(r[7]), bool(r[8]), bool(r[9]))
        for r in rows
    ]


@dataclass(frozen=True)
class Facets:
    """The choices of the filter bar and the score distribution of an award."""

    units: list[str]
    grades: list[str]
    subjects: int
    ranked: int
    selected: int
    histogram: list[int]
    low: float
    high: float


def facets(db: Database, run_id: int, award: str, bins: int = 40) -> Facets:
    """Units and grades present in an award, its counts and a histogram of the
    totals of its ranked subjects (`bins` equal-width bins from low to high)."""
    key = [run_id, award]
    units = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT unit FROM effective_results WHERE run_id = ? AND award = ?"
            " AND unit IS NOT NULL ORDER BY unit",
            key,
        ).fetchall()
    ]
    grade_rows = db.execute(
        "SELECT grade, MAX(CAST(total AS REAL)) FROM effective_results WHERE run_id = ? AND award = ?"
        " AND grade IS NOT NULL GROUP BY grade ORDER BY 2 DESC",
        key,
    ).fetchall()
    counts = db.execute(
        "SELECT COUNT(*), COUNT(rank), COALESCE(SUM(selected), 0),"
        " MIN(CASE WHEN rank IS NOT NULL THEN CAST(total AS REAL) END),"
        " MAX(CASE WHEN rank IS NOT NULL THEN CAST(total AS REAL) END)"
        " FROM effective_results WHERE run_id = ? AND award = ?",
        key,
    ).fetchone()
    subjects, ranked, selected = int(counts[0]), int(counts[1]), int(counts[2])
    low = float(counts[3]) if counts[3] is not None else 0.0
    high = float(counts[4]) if counts[4] is not None else 0.0
    histogram = [0] * bins
    if ranked:
        width = (high - low) / bins or 1.0
        for b, n in db.execute(
            "SELECT MIN(CAST((CAST(total AS REAL) - ?) / ? AS INTEGER), ?), COUNT(*)"
            " FROM effective_results WHERE run_id = ? AND award = ? AND rank IS NOT NULL GROUP BY 1",
            [low, width, bins - 1, *key],
        ).fetchall():
            histogram[int(b)] = int(n)
    return Facets(
        units, [g[0] for g in grade_rows], subjects, ranked, selected, histogram, low, high
    )


@dataclass(frozen=True)
class SubjectHit:
    award: str
    subject: str
    name: str | None
    unit: str | None
    rank: int | None


def find_subjects(db: Database, run_id: int, text: str, limit: int = 20) -> list[SubjectHit]:
    """Subjects of a run whose name or key contains `text` (command palette)."""
    text = text.strip()
    if not text:
        return []
    rows = db.execute(
        "SELECT award, subject, name, unit, rank FROM effective_results WHERE run_id = ?"
        " AND (name LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\')"
        " ORDER BY subject = ? DESC, name = ? DESC, ord LIMIT ?",
        [run_id, _like(text), _like(text), text, text, limit],
    ).fetchall()
    return [SubjectHit(*r) for r in rows]


def latest_run(db: Database) -> int | None:
    if "runs" not in db.table_names():
        return None
    row = db.execute("SELECT MAX(id) FROM runs").fetchone()
    return None if row is None or row[0] is None else int(row[0])
