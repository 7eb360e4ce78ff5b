"""Reading review records back: plain frozen values, one per stored row.

Nothing here writes; `actions` writes, `standings` and `items` read through
these functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scoring.review.ddl import has_review_tables
from scoring.store import StoreHandle


@dataclass(frozen=True)
class Adjustment:
    """A signed change of one node (dotted path) or of the `total`."""

    id: int
    run_id: int
    award: str
    subject: str
    target: str
    delta: str
    reason: str
    author: str
    created: str
    status: str
    decided_by: str | None
    decided: str | None
    decision_reason: str | None

    @property
    def approved_by(self) -> str | None:
        return self.decided_by if self.status == "approved" else None

    def describe(self) -> str:
        sign = "" if self.delta.startswith("-") else "+"
        return (
            f"adjustment {self.id}: {self.award} {self.subject} {self.target} "
            f"{sign}{self.delta} by {self.author} ({self.reason})"
        )


@dataclass(frozen=True)
class Flag:
    id: int
    run_id: int
    award: str
    subject: str
    reason: str
    flagged_by: str
    flagged: str
    unflagged_by: str | None
    unflagged: str | None
    unflag_reason: str | None

    @property
    def open(self) -> bool:
        return self.unflagged_by is None


@dataclass(frozen=True)
class TieResolution:
    """A reviewer's choice among the subjects of one boundary tie."""

    id: int
    run_id: int
    award: str
    tied: tuple[str, ...]
    seats: int
    selected: tuple[str, ...]
    reason: str | None
    actor: str
    created: str


@dataclass(frozen=True)
class Notice:
    """One 公示 window and the selection it showed (award -> subject keys)."""

    id: int
    run_id: int
    requested: str
    first_day: str
    last_day: str
    days: int
    selection: dict[str, list[str]]
    opened_by: str
    opened: str
    closed: str | None


@dataclass(frozen=True)
class Objection:
    id: int
    run_id: int
    notice_id: int
    award: str
    subject: str
    objector: str
    reason: str
    recorded_by: str
    raised: str
    status: str
    finding: str | None
    resolved_by: str | None
    resolved: str | None


@dataclass(frozen=True)
class Revocation:
    id: int
    run_id: int
    award: str
    subject: str
    reason: str
    actor: str
    revoked: str


def _rows(db: StoreHandle, sql: str, params: list[Any]) -> list[Any]:
    if not has_review_tables(db):
        return []
    return list(db.execute(sql, params).fetchall())


_ADJ = (
    "id, run_id, award, subject, target, delta, reason, author, created, status,"
    " decided_by, decided, decision_reason"
)


def adjustments(db: StoreHandle, run_id: int, award: str | None = None) -> list[Adjustment]:
    """A run's adjustments (of one award), oldest first."""
    where = "run_id = ?"
    params: list[Any] = [run_id]
    if award is not None:
        where += " AND award = ?"
        params.append(award)
    rows = _rows(db, f"SELECT {_ADJ} FROM review_adjustments WHERE {where} ORDER BY id", params)
    return [Adjustment(*r) for r in rows]


def adjustment(db: StoreHandle, adjustment_id: int) -> Adjustment | None:
    rows = _rows(db, f"SELECT {_ADJ} FROM review_adjustments WHERE id = ?", [adjustment_id])
    return Adjustment(*rows[0]) if rows else None


def flags(db: StoreHandle, run_id: int) -> list[Flag]:
    rows = _rows(
        db,
        "SELECT id, run_id, award, subject, reason, flagged_by, flagged, unflagged_by,"
        " unflagged, unflag_reason FROM review_flags WHERE run_id = ? ORDER BY id",
        [run_id],
    )
    return [Flag(*r) for r in rows]


def tie_resolutions(db: StoreHandle, run_id: int, award: str | None = None) -> list[TieResolution]:
    """A run's tie resolutions, oldest first (a later one supersedes)."""
    rows = _rows(
        db,
        "SELECT id, run_id, award, tied, seats, selected, reason, actor, created"
        " FROM review_ties WHERE run_id = ? ORDER BY id",
        [run_id],
    )
    out = [
        TieResolution(
            r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], tuple(json.loads(r[5])), *r[6:]
        )
        for r in rows
    ]
    return [t for t in out if award is None or t.award == award]


def notices(db: StoreHandle, run_id: int) -> list[Notice]:
    rows = _rows(
        db,
        "SELECT id, run_id, requested, first_day, last_day, days, selection, opened_by,"
        " opened, closed FROM review_notices WHERE run_id = ? ORDER BY id",
        [run_id],
    )
    return [
        Notice(
            id=r[0],
            run_id=r[1],
            requested=r[2],
            first_day=r[3],
            last_day=r[4],
            days=r[5],
            selection=json.loads(r[6]),
            opened_by=r[7],
            opened=r[8],
            closed=r[9],
        )
        for r in rows
    ]


def current_notice(db: StoreHandle, run_id: int) -> Notice | None:
    """The newest notice of a run that is not closed."""
    found = [n for n in notices(db, run_id) if n.closed is None]
    return found[-1] if found else None


def objections(db: StoreHandle, run_id: int) -> list[Objection]:
    rows = _rows(
        db,
        "SELECT id, run_id, notice_id, award, subject, objector, reason, recorded_by, raised,"
        " status, finding, resolved_by, resolved FROM review_objections"
        " WHERE run_id = ? ORDER BY id",
        [run_id],
    )
    return [Objection(*r) for r in rows]


def objection(db: StoreHandle, objection_id: int) -> Objection | None:
    rows = _rows(
        db,
        "SELECT id, run_id, notice_id, award, subject, objector, reason, recorded_by, raised,"
        " status, finding, resolved_by, resolved FROM review_objections WHERE id = ?",
        [objection_id],
    )
    return Objection(*rows[0]) if rows else None


def revocations(db: StoreHandle, run_id: int) -> list[Revocation]:
    rows = _rows(
        db,
        "SELECT id, run_id, award, subject, reason, actor, revoked FROM review_revocations"
        " WHERE run_id = ? ORDER BY id",
        [run_id],
    )
    return [Revocation(*r) for r in rows]


@dataclass(frozen=True)
class Standing:
    """A subject's effective standing: computed results with the review applied.

    `points` is None when no approved adjustment touches a node (the computed
    points stand); `excluded` marks a subject removed by an upheld objection.
    """

    subject: str
    ord: int
    total: str
    points: dict[str, str] | None
    rank: int | None
    grade: str | None
    selected: bool
    boundary_tie: bool
    excluded: bool


def standings(db: StoreHandle, run_id: int, award: str) -> list[Standing]:
    """An award's stored effective standings in export order ([] when never reviewed)."""
    rows = _rows(
        db,
        "SELECT subject, ord, total, points, rank, grade, selected, boundary_tie, excluded"
        " FROM standings WHERE run_id = ? AND award = ? ORDER BY ord",
        [run_id, award],
    )
    return [
        Standing(
            r[0],
            r[1],
            r[2],
            None if r[3] is None else json.loads(r[3]),
            r[4],
            r[5],
            bool(r[6]),
            bool(r[7]),
            bool(r[8]),
        )
        for r in rows
    ]
