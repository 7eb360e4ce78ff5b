"""Browsing a store page by page: the runs list, an award's ranking filtered,
sorted and paged in SQL, its facets (units, grades, counts, the score
histogram) and subject search. The reviewer TUI reads the store only through
this module, `scoring.effective` and `scoring.service`.

Every figure comes from the `effective_results` view, as in
`scoring.effective`, so a page shows what `explain` and the exports show;
while no review has stored standings for an award, the view's figures are
the computed ones, and rankings, counts and facets read them from `results`
and its indexes (a 1,000,000-row ranking opens without sorting or joining
every row). A ranking is never read whole: `ranking_page` finds one page's
keys with LIMIT/OFFSET, then reads those rows from the view, and
`ranking_count` says how many rows match (`RankQuery` does both under one
filter, building its WHERE clause once). `facets` reads the ranked count,
the histogram and the grades along the `ord` index of `results` or, once a
review stored them, of the standings (the figures the view shows then).

Totals are sorted and binned exactly: every total of a run is stored with the
run's precision, so the total without its decimal point is an exact scaled
integer (`87.25` → 8725), which SQLite orders and bins with integer arithmetic.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from sqlite_utils import Database

from scoring import effective, search_index
from scoring.export.notice import MASKABLE_FIELDS, mask_value
from scoring.rules import load
from scoring.search_index import like_pattern

Sort = Literal["rank", "total_desc", "total_asc", "name"]
Status = Literal[
    "",
    "selected",
    "tie",
    "vetoed",
    "ineligible",
    "ranked",
    "not_selected",
    "flagged",
    "adjusted",
    "objected",
    "excluded",
    "substituted",
    "revoked",
]

SORT_KEYS: tuple[Sort, ...] = get_args(Sort)
STATUS_KEYS: tuple[Status, ...] = tuple(s for s in get_args(Status) if s)
"""Every status filter (the Literal's values but "", which means no filter)."""

BUSY_TIMEOUT = 10.0
"""Seconds a read waits for a writer (a batch scoring meanwhile) to finish."""

_SCALED = "CAST(REPLACE(total, '.', '') AS INTEGER)"
"""A total as an exact scaled integer (all totals of a run share a precision)."""

_ORDER: dict[Sort, str] = {
    "rank": "ord",
    "total_desc": f"{_SCALED} DESC, ord",
    "total_asc": f"{_SCALED} ASC, ord",
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
    "flagged": "flagged",
    "adjusted": "adjusted",
    "objected": "objected",
    "excluded": "excluded = 1",
    "substituted": "substituted",
    "revoked": "revoked",
}


Marker = Literal["flagged", "adjusted", "tie", "objected", "excluded", "substituted", "revoked"]
MARKERS: tuple[Marker, ...] = (
    "flagged",
    "adjusted",
    "tie",
    "objected",
    "excluded",
    "substituted",
    "revoked",
)
"""What a ranking row can carry beside its figures, in display order."""

_MARKER_SQL = "flagged, adjusted, boundary_tie, objected, excluded, substituted, revoked"


def is_busy(error: BaseException) -> bool:
    """Whether `error` says another connection (a batch) holds the store."""
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in str(error) or "busy" in str(error)
    )


class Store:
    """Where a store lives. Each `connect()` is a short read-only connection
    (SQLite connections belong to the thread that made them): open one per
    worker, close it when done. Reads wait for a writer instead of failing."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)

    @contextmanager
    def connect(self) -> Iterator[Database]:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)
        try:
            conn.execute("PRAGMA query_only = ON")
            yield Database(conn)
        finally:
            conn.close()


# ------------------------------------------------------------ runs
@dataclass(frozen=True)
class RunRow:
    """One run of the runs list."""

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


def latest_run(db: Database) -> int | None:
    """The newest run's id (None in a store without runs)."""
    if "runs" not in db.table_names():
        return None
    row = db.execute("SELECT MAX(id) FROM runs").fetchone()
    return None if row is None or row[0] is None else int(row[0])


# ------------------------------------------------------------ rankings
@dataclass(frozen=True)
class RankFilter:
    """Which rows of a ranking to show, and in which order ("" means any)."""

    unit: str = ""
    grade: str = ""
    status: Status = ""
    name: str = ""
    sort: Sort = "rank"


@dataclass(frozen=True)
class RankRow:
    """One line of a ranking (effective figures), without the breakdown."""

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
    markers: frozenset[Marker] = frozenset()


_NAME_LIKE = "(name LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\')"
"""The name search: a fragment of the name or of the key. With the run's
search index (`scoring.search_index`) it only checks the index's candidates,
so both answer the same rows."""


@lru_cache(maxsize=16)
def _private_of(rules_path: str, rules_text: str) -> dict[str, frozenset[str]]:
    plan = load(rules_path, rules_text).plan
    return {
        a.name: frozenset(
            f for f in MASKABLE_FIELDS if f in plan.catalog.tables[a.subjects].private
        )
        for a in plan.awards
    }


def private_fields(db: Database, run_id: int) -> dict[str, frozenset[str]]:
    """Per award, which of its subjects' `name` and `unit` the run's rule file
    declares `private`: a ranking shows them masked, as the 公示 list does."""
    row = db.execute("SELECT rules_path, rules_text FROM runs WHERE id = ?", [run_id]).fetchone()
    return {} if row is None else _private_of(str(row[0]), str(row[1]))


def _masked(row: Any, private: frozenset[str]) -> Any:
    """A ranking row or search hit with its private name and unit masked."""
    if not private:
        return row
    return replace(
        row,
        **{f: mask_value(f, v) for f in private if (v := getattr(row, f)) is not None},
    )


def _where(db: Database, run_id: int, award: str, f: RankFilter) -> tuple[str, list[Any]]:
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
        clauses.append(_NAME_LIKE)
        params += [like_pattern(name), like_pattern(name)]
        indexed = search_index.candidates(db, run_id, award, name)
        if indexed is not None:
            clauses.append(f"(award, subject) IN ({indexed[0]})")
            params += indexed[1]
    return " AND ".join(clauses), params


_MARKER_STATUSES = frozenset(MARKERS) - {"tie"}
"""Statuses that filter on the review's markers (a tie is in `results` too)."""


def _source(db: Database, run_id: int, award: str, f: RankFilter | None = None) -> str:
    """What to read the figures of a ranking from: `results` itself while no
    review has stored standings for the award (the view's figures are then
    the computed ones, and `results` has the indexes a 1,000,000-row ranking
    needs), else the `effective_results` view; always the view for a filter
    on the review's markers."""
    if f is not None and f.status in _MARKER_STATUSES:
        return "effective_results"
    return "effective_results" if effective.has_standings(db, run_id, award) else "results"


class RankQuery:
    """One filter over an award's ranking, prepared once for the count and
    the pages read under it: its WHERE clause (with the search index's
    candidates for a name search) and its source are found on first use and
    kept, so a page read with its count looks them up once."""

    def __init__(self, db: Database, run_id: int, award: str, f: RankFilter) -> None:
        self.db, self.run_id, self.award, self.filter = db, run_id, award, f

    @cached_property
    def where(self) -> tuple[str, list[Any]]:
        return _where(self.db, self.run_id, self.award, self.filter)

    @cached_property
    def source(self) -> str:
        return _source(self.db, self.run_id, self.award, self.filter)

    def count(self) -> int:
        """How many rows of the award's ranking match the filter."""
        f = self.filter
        if f == RankFilter(sort=f.sort):
            return effective.subject_count(self.db, self.run_id, self.award)
        where, params = self.where
        sql = f"SELECT COUNT(*) FROM {self.source} WHERE {where}"
        return int(self.db.execute(sql, params).fetchone()[0])

    def page(self, offset: int, limit: int) -> list[RankRow]:
        """One page of the ranking, filtered and sorted in SQL.

        The page's keys are found first without the markers (so the rows
        skipped by OFFSET cost no marker lookups), then the page's rows are
        read whole.
        """
        db, run_id, award, f = self.db, self.run_id, self.award, self.filter
        if f == RankFilter():
            keys = effective.order_keys(db, run_id, award, limit, offset)
        else:
            where, params = self.where
            keys = [
                r[0]
                for r in db.execute(
                    f"SELECT subject FROM {self.source} WHERE {where}"
                    f" ORDER BY {_ORDER[f.sort]} LIMIT ? OFFSET ?",
                    [*params, limit, offset],
                ).fetchall()
            ]
        return _rank_rows(db, run_id, award, keys)


def ranking_count(db: Database, run_id: int, award: str, f: RankFilter) -> int:
    """How many rows of the award's ranking match `f` (`RankQuery.count`)."""
    return RankQuery(db, run_id, award, f).count()


def ranking_page(
    db: Database, run_id: int, award: str, f: RankFilter, offset: int, limit: int
) -> list[RankRow]:
    """One page of an award's ranking (`RankQuery.page`)."""
    return RankQuery(db, run_id, award, f).page(offset, limit)


def _rank_rows(db: Database, run_id: int, award: str, keys: list[str]) -> list[RankRow]:
    """The ranking rows of `keys`, in that order, private fields masked."""
    if not keys:
        return []
    rows = db.execute(
        "SELECT subject, name, unit, total, rank, grade, selected, boundary_tie, eligible,"
        f" veto != '[]', {_MARKER_SQL} FROM effective_results WHERE run_id = ? AND award = ?"
        f" AND subject IN ({', '.join('?' for _ in keys)})",
        [run_id, award, *keys],
    ).fetchall()
    place = {key: i for i, key in enumerate(keys)}
    private = private_fields(db, run_id).get(award, frozenset())
    return sorted(
        (
            _masked(
                RankRow(
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    bool(r[6]),
                    bool(r[7]),
                    bool(r[8]),
                    bool(r[9]),
                    frozenset(m for m, on in zip(MARKERS, r[10:], strict=True) if on),
                ),
                private,
            )
            for r in rows
        ),
        key=lambda row: place[row.subject],
    )


def position_of_rank(db: Database, run_id: int, award: str, f: RankFilter, rank: int) -> int:
    """The position (0-based) of the first row of `rank` in the ranking by
    rank under filter `f` (the rows before it have a smaller rank)."""
    query = RankQuery(db, run_id, award, f)
    where, params = query.where
    row = db.execute(
        f"SELECT COUNT(*) FROM {query.source} WHERE {where} AND rank IS NOT NULL AND rank < ?",
        [*params, rank],
    ).fetchone()
    return int(row[0])


# ------------------------------------------------------------ facets
@dataclass(frozen=True)
class Facets:
    """The choices of a ranking's filters and the distribution of its totals.

    `histogram[i]` counts the ranked totals in the i-th of equal-width bins
    from `low` to `high` (the last bin holds `high`); `step` is a bin's width.
    """

    units: list[str]
    grades: list[str]
    subjects: int
    ranked: int
    selected: int
    histogram: list[int]
    low: Decimal
    high: Decimal

    @property
    def step(self) -> Fraction:
        return (Fraction(self.high) - Fraction(self.low)) / len(self.histogram or [0])


def _places(db: Database, run_id: int) -> int:
    row = db.execute("SELECT precision FROM runs WHERE id = ?", [run_id]).fetchone()
    return int(row[0]) if row is not None else 0


def facets(db: Database, run_id: int, award: str, bins: int = 40) -> Facets:
    """Units and grades present in an award (grades highest first), its
    counts, and a histogram of its ranked totals in `bins` exact bins.

    One pass over the award's rows, aggregated inside SQLite: how many, how
    many selected, which units. The rest is read along the index on `ord`
    (the effective order: ranked subjects first, by total descending), with
    a few dozen binary searches instead of passes: the ranked ones are a
    prefix of that order, each bin of the histogram a stretch of it, and
    each grade too (a grade is the band its total falls in).
    """
    key = [run_id, award]
    source = _source(db, run_id, award)
    counts = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(selected), 0), json_group_array(DISTINCT unit)"
        f" FROM {source} WHERE run_id = ? AND award = ?",
        key,
    ).fetchone()
    subjects, selected = int(counts[0]), int(counts[1])
    units = sorted(u for u in json.loads(counts[2]) if u is not None)
    along = _Along(db, "results" if source == "results" else "standings", run_id, award)
    if along.dense(subjects):
        spread = _along_the_order(along, subjects, bins)
    else:  # never written so: read the way that needs no order
        spread = _by_grouping(db, source, run_id, award, bins)
    return _facets(db, run_id, units, subjects, selected, spread)


_Spread = tuple[list[str], int, list[int], int, int]
"""Grades (highest first), ranked count, histogram, lowest and highest
ranked total (scaled integers) of an award."""


def _facets(
    db: Database, run_id: int, units: list[str], subjects: int, selected: int, spread: _Spread
) -> Facets:
    grades, ranked, histogram, low, high = spread
    places = _places(db, run_id)
    return Facets(
        units,
        grades,
        subjects,
        ranked,
        selected,
        histogram,
        Decimal(low).scaleb(-places),
        Decimal(high).scaleb(-places),
    )


def _along_the_order(along: _Along, subjects: int, bins: int) -> _Spread:
    """The spread read by binary search along the effective order."""
    ranked = along.first(0, subjects, lambda r: not r[0])
    histogram = [0] * bins
    low = high = 0
    grades: list[str] = []
    if ranked:
        high, low = along.at(0)[1], along.at(ranked - 1)[1]
        span = max(high - low, 1)
        # rows of bin b and above: a total of at least low + ceil(b * span / bins)
        ahead = [ranked] + [
            along.first(0, ranked, _total_below(low - (-b * span // bins))) for b in range(1, bins)
        ]
        for b in range(bins):
            histogram[b] = ahead[b] - (ahead[b + 1] if b + 1 < bins else 0)
        start = 0
        while start < ranked:
            grade = along.at(start)[2]
            if grade is not None:
                grades.append(grade)
            start = along.first(start, ranked, _grade_other_than(grade))
    return grades, ranked, histogram, low, high


_Row = tuple[Any, ...]
"""(ranked, scaled total, grade) of a row, as `_Along` reads it."""


def _total_below(least: int) -> Callable[[_Row], bool]:
    return lambda row: bool(row[1] < least)


def _grade_other_than(grade: str | None) -> Callable[[_Row], bool]:
    return lambda row: row[2] != grade


class _Along:
    """An award's rows by position in its effective order: `table`'s `ord`
    (`results`' or the standings'), read one row at a time by its index."""

    def __init__(self, db: Database, table: str, run_id: int, award: str) -> None:
        self.db = db
        self.key = [run_id, award]
        self.table = table
        self.sql = (
            f"SELECT rank IS NOT NULL, {_SCALED}, grade FROM {table}"
            " WHERE run_id = ? AND award = ? AND ord = ?"
        )

    def dense(self, subjects: int) -> bool:
        """Whether `ord` numbers exactly the award's `subjects` rows from 0."""
        row = self.db.execute(
            f"SELECT MIN(ord), MAX(ord) FROM {self.table} WHERE run_id = ? AND award = ?",
            self.key,
        ).fetchone()
        return subjects == 0 or (row[0] == 0 and row[1] == subjects - 1)

    def at(self, position: int) -> _Row:
        """(ranked, scaled total, grade) of the row at `position`."""
        return tuple(self.db.execute(self.sql, [*self.key, position]).fetchone())

    def first(self, lo: int, hi: int, after: Callable[[_Row], bool]) -> int:
        """The first position in [lo, hi) whose row meets `after` (hi when none
        does), for an `after` that, once true along the order, stays true."""
        while lo < hi:
            mid = (lo + hi) // 2
            if after(self.at(mid)):
                hi = mid
            else:
                lo = mid + 1
        return lo


def _by_grouping(db: Database, source: str, run_id: int, award: str, bins: int) -> _Spread:
    """The spread by grouping every row of the award (no order needed)."""
    key = [run_id, award]
    grades = [
        r[0]
        for r in db.execute(
            f"SELECT grade, MAX({_SCALED}) FROM {source} WHERE run_id = ? AND award = ?"
            " AND grade IS NOT NULL GROUP BY grade ORDER BY 2 DESC",
            key,
        ).fetchall()
    ]
    counts = db.execute(
        f"SELECT COUNT(rank), MIN(CASE WHEN rank IS NOT NULL THEN {_SCALED} END),"
        f" MAX(CASE WHEN rank IS NOT NULL THEN {_SCALED} END)"
        f" FROM {source} WHERE run_id = ? AND award = ?",
        key,
    ).fetchone()
    ranked = int(counts[0])
    low, high = int(counts[1] or 0), int(counts[2] or 0)
    histogram = [0] * bins
    if ranked:
        span = max(high - low, 1)
        for b, n in db.execute(
            f"SELECT MIN((({_SCALED}) - ?) * ? / ?, ?), COUNT(*) FROM {source}"
            " WHERE run_id = ? AND award = ? AND rank IS NOT NULL GROUP BY 1",
            [low, bins, span, bins - 1, *key],
        ).fetchall():
            histogram[int(b)] = int(n)
    return grades, ranked, histogram, low, high


# ------------------------------------------------------------ search
def build_search_index(
    store: Store, run_id: int, cancelled: Callable[[], bool] = lambda: False
) -> bool:
    """Index run `run_id` for name and key search (once; see
    `scoring.search_index`). False when the store cannot be written now or
    `cancelled()` turned true between chunks: searches then scan, with the
    same answers."""
    return search_index.build(store.path, run_id, timeout=BUSY_TIMEOUT, cancelled=cancelled)


def has_search_index(db: Database, run_id: int) -> bool:
    """Whether run `run_id`'s searches are answered from its index."""
    return search_index.key_chars(db, run_id) is not None


@dataclass(frozen=True)
class SubjectHit:
    """A subject found by name or key."""

    award: str
    subject: str
    name: str | None
    unit: str | None
    rank: int | None


def find_subjects(db: Database, run_id: int, text: str, limit: int = 20) -> list[SubjectHit]:
    """Subjects of a run whose name or key contains `text` (exact matches first),
    from the run's search index when it has one."""
    text = text.strip()
    if not text:
        return []
    where = f"run_id = ? AND {_NAME_LIKE}"
    params: list[Any] = [run_id, like_pattern(text), like_pattern(text)]
    indexed = search_index.candidates(db, run_id, None, text)
    if indexed is not None:
        where += f" AND (award, subject) IN ({indexed[0]})"
        params += indexed[1]
    rows = db.execute(
        f"SELECT award, subject, name, unit, rank FROM effective_results WHERE {where}"
        " ORDER BY subject = ? DESC, name = ? DESC, ord LIMIT ?",
        [*params, text, text, limit],
    ).fetchall()
    private = private_fields(db, run_id)
    return [_masked(SubjectHit(*r), private.get(r[0], frozenset())) for r in rows]
