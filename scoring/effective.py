"""The one reader of effective results: a run's computed results with its
review applied, as every reader sees them (`explain`, `rank`, every export,
the 公示 documents and the TUI).

The figures come from the `effective_results` view (scoring/review/ddl.py),
the only place where the stored computed results and the stored standings
(rewritten by the review after every action, see `review/standings.py`) are
laid over each other; the review records beside each subject (adjustments,
objections, revocation, flags) come from `review/records.py`. Nothing here
recomputes a figure.

`breakdown` turns one result into the terms of its total line, so that every
reader prints a line that adds up to the total beside it:

    total = Σ top criteria + bonus − deductions [+ total adjustments] [+ floor]

where the points are the effective ones (a node adjustment moves the node,
its parents and the total), `total adjustments` are the approved adjustments
of the total itself, and `floor` is what the rule "never below 0" added to a
negative sum.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from scoring.numbers import fixed
from scoring.review.ddl import has_review_records, has_review_tables
from scoring.store import StoreHandle

if TYPE_CHECKING:  # annotations only: the plan module loads the rule model, and
    # the review records are loaded by the readers of a run that has some
    from scoring.plan import AwardPlan
    from scoring.review.records import Adjustment, Flag, Objection, Revocation

TOTAL = "total"


@dataclass(frozen=True)
class EffectiveResult:
    """One subject's result for one award as reviewers and the public see it.

    `total`, `points`, `rank`, `grade`, `selected` and `boundary_tie` are the
    effective figures; `computed_total` and `computed_points` the figures the
    run computed, before any review. `excluded` is true when an objection to
    the subject was upheld (it keeps its rank, holds no seat).
    """

    award: str
    subject: str
    ord: int
    name: str | None
    unit: str | None
    eligible: bool
    veto: list[str]
    total: str
    computed_total: str
    rank: int | None
    grade: str | None
    selected: bool
    boundary_tie: bool
    excluded: bool
    points: dict[str, str]
    computed_points: dict[str, str]
    metrics: dict[str, Any]
    no_data: list[str]
    warnings: list[str]
    substituted: bool = False
    """Selected in place of a subject whose objection was upheld (递补)."""
    adjustments: list[Adjustment] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    revocation: Revocation | None = None

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def approved(self) -> list[Adjustment]:
        """The adjustments that count (approved), oldest first."""
        return [a for a in self.adjustments if a.status == "approved"]

    @property
    def adjusted(self) -> bool:
        """Whether an approved adjustment changed a figure of this subject."""
        return bool(self.approved)

    @property
    def changed_points(self) -> dict[str, str]:
        """Path -> computed figure, for every node an adjustment moved."""
        if self.points == self.computed_points:  # the same text is the same figure
            return {}
        return {
            p: self.computed_points[p]
            for p, v in self.points.items()
            if p in self.computed_points and _differ(v, self.computed_points[p])
        }

    @property
    def total_changed(self) -> bool:
        return _differ(self.total, self.computed_total)

    @property
    def flagged(self) -> bool:
        """An open flag holds this subject."""
        return any(f.open for f in self.flags)

    @property
    def objected(self) -> bool:
        """An objection was raised against this subject (any finding)."""
        return bool(self.objections)


def _differ(a: str, b: str) -> bool:
    """Whether two stored figures differ in value (equal text never does;
    the exact comparison only for texts that differ)."""
    return a != b and Fraction(a) != Fraction(b)


_COLUMNS = (
    "award, subject, ord, name, unit, eligible, veto, total, computed_total, rank, grade,"
    " selected, boundary_tie, excluded, points, computed_points, metrics, no_data, warnings,"
    " substituted"
)


def _row(r: Any) -> EffectiveResult:
    points = json.loads(r[14])
    return EffectiveResult(
        award=r[0],
        subject=r[1],
        ord=int(r[2]),
        name=r[3],
        unit=r[4],
        eligible=bool(r[5]),
        veto=json.loads(r[6]),
        total=r[7],
        computed_total=r[8],
        rank=r[9],
        grade=r[10],
        selected=bool(r[11]),
        boundary_tie=bool(r[12]),
        excluded=bool(r[13]),
        points=points,
        # the same text as `points` (no approved adjustment): the same figures
        computed_points=dict(points) if r[15] == r[14] else json.loads(r[15]),
        metrics=json.loads(r[16]),
        no_data=json.loads(r[17]),
        warnings=json.loads(r[18]),
        substituted=bool(r[19]),
    )


def read(
    db: StoreHandle,
    run_id: int,
    award: str,
    *,
    subjects: Sequence[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[EffectiveResult]:
    """An award's effective results in export order (by effective rank then
    key, unranked last), each with the review records beside it."""
    if subjects is None and limit is not None:  # a page: its keys from an index first
        return read(db, run_id, award, subjects=order_keys(db, run_id, award, limit, offset))
    sql = f"SELECT {_COLUMNS} FROM effective_results WHERE run_id = ? AND award = ?"
    params: list[Any] = [run_id, award]
    if subjects is not None:
        if not subjects:
            return []
        sql += f" AND subject IN ({', '.join('?' for _ in subjects)})"
        params += list(subjects)
    sql += " ORDER BY ord"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    found = [_row(r) for r in db.execute(sql, params).fetchall()]
    return _with_review(db, run_id, award, found)


STREAM_BATCH = 1000
"""Subjects read at a time by `stream`."""


def stream(db: StoreHandle, run_id: int, award: str) -> Iterator[EffectiveResult]:
    """An award's effective results in export order, as `read` gives them,
    without holding them all: a batch of keys at a time along the index on
    `ord` (the standings' once a review stored them, else `results`'), each
    batch read from the view. The review records are read once per award."""
    review = _Review.of(db, run_id, award)
    table = "standings" if has_standings(db, run_id, award) else "results"
    last = -1
    while True:
        keys = db.execute(
            f"SELECT subject, ord FROM {table} WHERE run_id = ? AND award = ? AND ord > ?"
            " ORDER BY ord LIMIT ?",
            [run_id, award, last, STREAM_BATCH],
        ).fetchall()
        if not keys:
            return
        last = int(keys[-1][1])
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM effective_results WHERE run_id = ? AND award = ?"
            f" AND subject IN ({', '.join('?' for _ in keys)}) ORDER BY ord",
            [run_id, award, *(k[0] for k in keys)],
        ).fetchall()
        yield from review.attach([_row(r) for r in rows])


def has_standings(db: StoreHandle, run_id: int, award: str) -> bool:
    """Whether a review has stored standings for the award (then for every
    one of its subjects, `review/standings.py`); without them the view's
    figures are the computed ones of `results`, row for row."""
    if not has_review_tables(db):
        return False
    row = db.execute(
        "SELECT 1 FROM standings WHERE run_id = ? AND award = ? LIMIT 1", [run_id, award]
    ).fetchone()
    return row is not None


def order_keys(db: StoreHandle, run_id: int, award: str, limit: int, offset: int = 0) -> list[str]:
    """The subjects at positions `offset` to `offset + limit` of the award's
    effective order, read along an index on `ord`: the standings' order once
    a review has stored one, else the computed order (the view's `ord` is
    exactly that, but ordering the view itself sorts every row of the award)."""
    table = "standings" if has_standings(db, run_id, award) else "results"
    rows = db.execute(
        f"SELECT subject FROM {table} WHERE run_id = ? AND award = ? ORDER BY ord LIMIT ? OFFSET ?",
        [run_id, award, limit, offset],
    ).fetchall()
    return [r[0] for r in rows]


def subject_count(db: StoreHandle, run_id: int, award: str) -> int:
    """How many subjects the award has (the view has one row per stored result)."""
    row = db.execute(
        "SELECT COUNT(*) FROM results WHERE run_id = ? AND award = ?", [run_id, award]
    ).fetchone()
    return int(row[0])


def one(db: StoreHandle, run_id: int, award: str, subject: str) -> EffectiveResult | None:
    """One subject's effective result (None when the award has no such subject)."""
    found = read(db, run_id, award, subjects=[subject])
    return found[0] if found else None


def ranked_count(db: StoreHandle, run_id: int, award: str) -> int:
    """How many subjects of the award are ranked."""
    row = db.execute(
        "SELECT COUNT(rank) FROM effective_results WHERE run_id = ? AND award = ?",
        [run_id, award],
    ).fetchone()
    return int(row[0])


def _with_review(
    db: StoreHandle, run_id: int, award: str, found: list[EffectiveResult]
) -> list[EffectiveResult]:
    if not found or not has_review_records(db, run_id, award):
        return found
    return _Review.of(db, run_id, award, {r.subject for r in found}).attach(found)


@dataclass(frozen=True)
class _Review:
    """An award's review records by subject (only `keys`' when given)."""

    adjustments: dict[str, list[Adjustment]]
    objections: dict[str, list[Objection]]
    flags: dict[str, list[Flag]]
    revoked: dict[str, Revocation]

    @staticmethod
    def of(db: StoreHandle, run_id: int, award: str, keys: set[str] | None = None) -> _Review:
        if not has_review_records(db, run_id, award):
            return _Review({}, {}, {}, {})
        from scoring.review import records

        def wanted(subject: str) -> bool:
            return keys is None or subject in keys

        adjustments: dict[str, list[Adjustment]] = {}
        for adj in records.adjustments(db, run_id, award):
            if wanted(adj.subject):
                adjustments.setdefault(adj.subject, []).append(adj)
        objections: dict[str, list[Objection]] = {}
        for o in records.objections(db, run_id):
            if o.award == award and wanted(o.subject):
                objections.setdefault(o.subject, []).append(o)
        flags: dict[str, list[Flag]] = {}
        for f in records.flags(db, run_id):
            if f.award == award and wanted(f.subject):
                flags.setdefault(f.subject, []).append(f)
        revoked = {
            v.subject: v
            for v in records.revocations(db, run_id)
            if v.award == award and wanted(v.subject)
        }
        return _Review(adjustments, objections, flags, revoked)

    def attach(self, found: list[EffectiveResult]) -> list[EffectiveResult]:
        """`found` with each subject's review records beside it."""
        if not (self.adjustments or self.objections or self.flags or self.revoked):
            return found
        return [
            _replace_review(
                r,
                self.adjustments.get(r.subject, []),
                self.objections.get(r.subject, []),
                self.flags.get(r.subject, []),
                self.revoked.get(r.subject),
            )
            for r in found
        ]


def _replace_review(
    r: EffectiveResult,
    adjustments: list[Adjustment],
    objections: list[Objection],
    flags: list[Flag],
    revocation: Revocation | None,
) -> EffectiveResult:
    return replace(
        r, adjustments=adjustments, objections=objections, flags=flags, revocation=revocation
    )


# ------------------------------------------------------------ the total line
@dataclass(frozen=True)
class Term:
    """One term of a total line: a node or block (`path`), the sum of the
    approved adjustments of the total (`path` = "total"), or the floor the
    rule "never below 0" added (`path` = "floor")."""

    path: str
    sign: int
    points: str
    computed: str | None = None
    """The computed figure, when an adjustment changed this term."""


@dataclass(frozen=True)
class Breakdown:
    """The terms of a result's total line and the total they add up to."""

    terms: list[Term]
    total: str
    computed_total: str | None
    """The computed total, when an adjustment changed the total."""

    def adds_up(self) -> bool:
        return sum((Fraction(t.points) * t.sign for t in self.terms), Fraction(0)) == Fraction(
            self.total
        )


def breakdown(award: AwardPlan, r: EffectiveResult) -> Breakdown:
    """`r`'s total line: its terms always add up to `r.total`."""
    changed = r.changed_points
    terms = [Term(p, 1, r.points.get(p, "0"), changed.get(p)) for p in award.top]
    for name, block, sign in (("bonus", award.bonus, 1), ("deductions", award.deductions, -1)):
        if block is not None:
            terms.append(Term(name, sign, r.points.get(name, "0"), changed.get(name)))
    by_total = sum((Fraction(a.delta) for a in r.approved if a.target == TOTAL), Fraction(0))
    if by_total:
        terms.append(Term(TOTAL, 1, _text(by_total, r.total)))
    parts = sum((Fraction(t.points) * t.sign for t in terms), Fraction(0))
    floor = Fraction(r.total) - parts
    if floor:
        # Only the rule "never below 0" can lift a total above its parts.
        terms.append(Term("floor", 1, _text(floor, r.total)))
    return Breakdown(terms, r.total, r.computed_total if r.total_changed else None)


def _text(value: Fraction, like: str) -> str:
    """`value` with as many decimals as `like` (an exact figure already)."""
    places = len(like.split(".")[1]) if "." in like else 0
    return fixed(value, places)
