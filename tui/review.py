"""The review actions of the TUI (SPEC sections 5 and 8) and the reads they need.

Every action runs in a worker thread on its own read-write connection
(`open_existing`), as the acting user on the acting day (`tui.acting`),
through `scoring.service`. A refusal (`PioneerError`) becomes a failed
`Outcome` worded for a clerk (`tui.refusals`); the screen shows it as a
notification, never as a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, cast

from sqlite_utils import Database
from textual.dom import DOMNode
from textual.message import Message

from scoring import effective, service
from scoring.browse import is_busy
from scoring.errors import PioneerError
from scoring.results import awards_of, resolve_run
from scoring.review import records
from scoring.review.calendar import WorkCalendar
from scoring.review.calendar_store import store_calendar
from scoring.review.records import Adjustment, Flag, Objection
from scoring.review.standings import targets
from scoring.width import steady
from tui.format import run_status as run_status_label
from tui.lang import tr, tr_map
from tui.refusals import clerk_item, clerk_refusal
from tui.screens.forms import FormError


@dataclass(frozen=True)
class Outcome:
    """What an action did (ok) or why it was refused.

    `text` is the library's own message; `said` is what the UI shows, worded
    for a clerk (`tui.refusals`), when it differs."""

    ok: bool
    text: str
    award: str | None = None
    said: str | None = None

    @property
    def shown(self) -> str:
        return self.said or self.text


class ActionDone(Message):
    """An action's worker finished; the screen notifies and refreshes."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__()
        self.outcome = outcome


BUSY = "refusal.busy"
"""The catalogue key of what the UI says when a batch holds the store longer
than a read waits."""


def perform(path: str, act: Callable[[Database], str], award: str | None = None) -> Outcome:
    """Run `act` on a fresh connection; a PioneerError is a refusal, worded
    for a clerk (`clerk_text`)."""
    try:
        db = service.open_existing(path)
    except PioneerError as exc:
        said = tr(BUSY) if "locked" in str(exc) else clerk_refusal(exc)
        return Outcome(False, str(exc), award, said)
    try:
        return Outcome(True, act(db), award)
    except PioneerError as exc:
        return Outcome(False, str(exc), award, clerk_refusal(exc))
    except Exception as exc:
        if not is_busy(exc):
            raise
        return Outcome(False, str(exc), award, tr(BUSY))
    finally:
        db.close()


# ------------------------------------------------------------ reads
@dataclass(frozen=True)
class SubjectReview:
    """The review records of one subject of one award."""

    adjustments: list[Adjustment]
    flags: list[Flag]
    targets: list[str]
    objections: list[Objection] = field(default_factory=list)

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
        objections=[
            o for o in records.objections(db, run_id) if o.award == award and o.subject == subject
        ],
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
    chosen: list[str] = field(default_factory=list)
    """Who an earlier resolution of this same tie selected (kept in the form)."""


def boundary_ties(path: str, run_id: int, award: str) -> list[TieChoice]:
    """The award's unresolved boundary ties (or, when none is open, every tie,
    so a standing choice can be made again)."""
    db = service.open_existing(path)
    try:
        standings = service.review_of(db, run_id).standings()
        if award not in standings:
            return []
        stood = standings[award]
        found = stood.open_ties() or stood.ties
        names = _names(db, run_id, award, [k for t in found for k in t.keys])
        return [
            TieChoice(
                award,
                t.rank,
                [(k, steady(f"{k} {names.get(k) or ''}".strip())) for k in t.keys],
                t.seats,
                list(stood.resolutions[t.keys].selected) if t.keys in stood.resolutions else [],
            )
            for t in found
        ]
    finally:
        db.close()


def _names(db: Database, run_id: int, award: str, keys: list[str]) -> dict[str, str]:
    return {r.subject: r.name for r in effective.read(db, run_id, award, subjects=keys) if r.name}


def open_objections(db: Database, run_id: int) -> list[Objection]:
    return [o for o in records.objections(db, run_id) if o.status == "open"]


def selection(db: Database, run_id: int) -> dict[str, list[str]]:
    """Award -> its effective selection, in rank order."""
    return {
        award: [r.subject for r in effective.read(db, run_id, award) if r.selected]
        for award in awards_of(db, run_id)
    }


def selection_change(before: dict[str, list[str]], after: dict[str, list[str]]) -> str:
    """What changed in the selection, e.g. `a P4 递补入选; P1 不再占名额`."""
    parts = []
    for award, now in after.items():
        was = before.get(award, [])
        added = [k for k in now if k not in was]
        removed = [k for k in was if k not in now]
        if added or removed:
            text = f"{award}"
            if added:
                text += tr("review.substituted", keys=", ".join(added))
            if removed:
                text += tr("review.seat_lost", keys=", ".join(removed))
            parts.append(text)
    return "; ".join(parts)


def work_calendar(db: Database) -> WorkCalendar:
    """The store's working-day calendar (its own days over the package's)."""
    return store_calendar(db)


def notice_window_text(calendar: WorkCalendar, start: dt.date, days: int) -> str:
    """The notice window a start and a number of working days give on
    `calendar` (the one `notice` counts with), in words; FormError when it
    cannot be counted."""
    try:
        window = calendar.notice_window(start, days)
    except PioneerError as exc:
        raise FormError(clerk_refusal(exc)) from None
    return tr(
        "review.window",
        first=window.first.isoformat(),
        last=window.last.isoformat(),
        days=window.days,
        publishable=window.publishable_from.isoformat(),
    )


@dataclass(frozen=True)
class PublishPreview:
    """What a publication would freeze, or what blocks it."""

    frozen: list[str]
    blockers: list[str]


def publish_preview(db: Database, run_id: int, today: dt.date) -> PublishPreview:
    """Read the run's status as of `today`: the blockers of a publication in a
    clerk's words, or the list of what it will freeze."""
    st = service.run_status(db, run_id, today=today)
    blockers: list[str] = []
    if st.status != "notice":
        blockers.append(tr("review.not_on_notice", now=run_status_label(st.status)))
    elif st.publishable_from is not None and today < st.publishable_from:
        assert st.notice is not None
        blockers.append(
            tr(
                "refusal.not_yet",
                last=st.notice.last_day,
                start=st.publishable_from.isoformat(),
                today=today.isoformat(),
            )
        )
    blockers += [clerk_item(item.text) for item in st.items]
    frozen = [tr("review.frozen_run", run=run_id)]
    for award, keys in st.selection.items():
        names = _names(db, run_id, award, keys)
        shown = ", ".join(f"{k} {names.get(k, '')}".strip() for k in keys) or tr("value.none")
        frozen.append(tr("review.frozen_selection", award=award, n=len(keys), shown=shown))
    frozen.append(
        tr("review.frozen_records", adjustments=len(st.adjustments), objections=len(st.objections))
        + (
            tr("review.frozen_notice", first=st.notice.first_day, last=st.notice.last_day)
            if st.notice
            else ""
        )
    )
    return PublishPreview(frozen, blockers)


# ------------------------------------------------------------ words
OBJECTION_STATUS = {
    "open": "objection.open",
    "upheld": "objection.upheld",
    "dismissed": "objection.dismissed",
}
"""An objection's status -> its catalogue key."""

ADJUSTMENT_STATUS = {
    "pending": "adjustment.pending",
    "approved": "adjustment.approved",
    "rejected": "adjustment.rejected",
}
"""An adjustment's status -> its catalogue key."""


def objection_status(status: str) -> str:
    return tr_map(OBJECTION_STATUS, status)


def adjustment_status(status: str) -> str:
    return tr_map(ADJUSTMENT_STATUS, status)


def signed(delta: str) -> str:
    return delta if delta.startswith("-") else f"+{delta}"


def adjustment_said(key: str, adj: Adjustment) -> str:
    """What an action did to an adjustment, in the words of catalogue `key`."""
    return tr(key, id=adj.id, subject=adj.subject, target=adj.target, delta=signed(adj.delta))


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
        app.notify(outcome.shown, title=tr("review.done"), timeout=6)
    else:
        app.notify(outcome.shown, title=tr("review.refused"), severity="error", timeout=10)
