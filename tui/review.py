"""The review actions of the TUI (SPEC sections 5 and 8) and the reads they need.

Every action runs in a worker thread on its own read-write connection
(`open_existing`), as the OS user (actor None), through `scoring.service`.
A refusal (`PioneerError`) becomes a failed `Outcome` with its message;
the screen shows it as a notification, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

from sqlite_utils import Database
from textual.dom import DOMNode
from textual.message import Message

from scoring import effective, service
from scoring.errors import PioneerError
from scoring.results import resolve_run
from scoring.review import records
from scoring.review.records import Adjustment, Flag
from scoring.review.standings import targets


@dataclass(frozen=True)
class Outcome:
    """What an action did (ok) or why it was refused."""

    ok: bool
    text: str
    award: str | None = None


class ActionDone(Message):
    """An action's worker finished; the screen notifies and refreshes."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__()
        self.outcome = outcome


def perform(path: str, act: Callable[[Database], str], award: str | None = None) -> Outcome:
    """Run `act` on a fresh connection; a PioneerError is a refusal."""
    try:
        db = service.open_existing(path)
    except PioneerError as exc:
        return Outcome(False, str(exc), award)
    try:
        return Outcome(True, act(db), award)
    except PioneerError as exc:
        return Outcome(False, str(exc), award)
    finally:
        db.close()


# ------------------------------------------------------------ reads
@dataclass(frozen=True)
class SubjectReview:
    """The review records of one subject of one award."""

    adjustments: list[Adjustment]
    flags: list[Flag]
    targets: list[str]

    @property
    def flagged(self) -> bool:
        return any(f.open for f in self.flags)


def subject_review(db: Database, run_id: int, award: str, subject: str) -> SubjectReview:
    plan = service.run_rules(resolve_run(db, run_id)).plan
    found = [a for a in plan.awards if a.name == award]
    return SubjectReview(
        adjustments=[a for a in records.adjustments(db, run_id, award) if a.subject == subject],
        flags=[f for f in records.flags(db, run_id) if f.award == award and f.subject == subject],
        targets=targets(found[0]) if found else ["total"],
    )


def pending_adjustments(db: Database, run_id: int, award: str | None = None) -> list[Adjustment]:
    return [a for a in records.adjustments(db, run_id, award) if a.status == "pending"]


@dataclass(frozen=True)
class TieChoice:
    """A boundary tie to resolve: its subjects (key, label) and seats."""

    award: str
    rank: int
    tied: list[tuple[str, str]]
    seats: int


def boundary_ties(path: str, run_id: int, award: str) -> list[TieChoice]:
    """The award's unresolved boundary ties (or, when none is open, every tie,
    so a standing choice can be made again)."""
    db = service.open_existing(path)
    try:
        standings = service.review_of(db, run_id).standings()
        if award not in standings:
            return []
        found = standings[award].open_ties() or standings[award].ties
        names = _names(db, run_id, award, [k for t in found for k in t.keys])
        return [
            TieChoice(
                award, t.rank, [(k, f"{k} {names.get(k) or ''}".strip()) for k in t.keys], t.seats
            )
            for t in found
        ]
    finally:
        db.close()


def _names(db: Database, run_id: int, award: str, keys: list[str]) -> dict[str, str]:
    return {r.subject: r.name for r in effective.read(db, run_id, award, subjects=keys) if r.name}


# ------------------------------------------------------------ words
ADJUSTMENT_STATUS = {
    "pending": "待批准",
    "approved": "已批准",
    "rejected": "已驳回",
}


def signed(delta: str) -> str:
    return delta if delta.startswith("-") else f"+{delta}"


# ------------------------------------------------------------ running
def start_action(
    node: DOMNode, path: str, act: Callable[[Database], str], award: str | None = None
) -> None:
    """Run `act` in a thread worker of `node`; `node` gets an `ActionDone`."""

    def work() -> None:
        node.post_message(ActionDone(perform(path, act, award)))

    node.run_worker(work, thread=True, group="action", exit_on_error=False)


class _Reporting(Protocol):
    outcomes: list[Outcome]


def report(node: DOMNode, outcome: Outcome) -> None:
    """Say what an action did or why it was refused (a notification)."""
    app = node.app
    if hasattr(app, "outcomes"):
        cast(_Reporting, app).outcomes.append(outcome)
    if outcome.ok:
        app.notify(outcome.text, title="完成", timeout=6)
    else:
        app.notify(outcome.text, title="操作被拒绝", severity="error", timeout=10)
