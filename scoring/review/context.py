"""What every review action shares: the run, its plan, the actor and the date
the action counts as taken; the role check, the state check, naming a subject,
moving the run's status and writing the audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlite_utils import Database

from scoring import audit, roles
from scoring.data import key_value
from scoring.errors import PioneerError, Remedy
from scoring.plan import AwardPlan, Plan
from scoring.results import RunInfo, subject_hint
from scoring.review.ddl import ensure_review_schema
from scoring.review.standings import AwardStandings, Computer
from scoring.store import transaction

T = TypeVar("T")

_STATES = ("draft", "in_review", "notice", "published")
"""The states of a run in the order §5 moves it."""

_PASSED = ("its review has already started", None)
"""The hint when the action belongs to an earlier state than the run's."""

_HINTS = {
    "draft": ("start the review first", Remedy.START_REVIEW),
    "in_review": ("open the public notice first", Remedy.OPEN_NOTICE),
    "published": (
        "a published run can no longer change; a veto that surfaced later is "
        "recorded as a revocation",
        Remedy.REVOKE,
    ),
}


@dataclass(frozen=True)
class Review:
    """One review action on one run, by `actor`, counting as taken on `today`."""

    db: Database
    run: RunInfo
    plan: Plan
    actor: str
    today: dt.date

    @property
    def run_id(self) -> int:
        return self.run.id

    def require(self, action: str) -> None:
        """Refuse unless the actor holds the role `action` needs (§5)."""
        roles.require(self.db, self.actor, action)

    def status(self) -> str:
        """The run's status as stored now."""
        row = self.db.execute("SELECT status FROM runs WHERE id = ?", [self.run_id]).fetchone()
        return str(row[0])

    def expect(self, action: str, *allowed: str) -> str:
        """Refuse `action` unless the run is in one of the `allowed` states."""
        status = self.status()
        if status not in allowed:
            later = all(_STATES.index(status) > _STATES.index(s) for s in allowed)
            hint, remedy = (
                _PASSED if later and status != "published" else _HINTS.get(status, _PASSED)
            )
            raise PioneerError(
                f"cannot {action} run {self.run_id}: it is {status}, and this action needs a "
                f"run that is {' or '.join(allowed)}",
                hint=hint,
                remedy=remedy,
                remedy_args={"run": self.run_id},
            )
        return status

    def move(self, status: str) -> None:
        """Set the run's status (the database refuses a transition §5 does not allow)."""
        self.db.execute("UPDATE runs SET status = ? WHERE id = ?", [status, self.run_id])

    def award(self, name: str) -> AwardPlan:
        try:
            return self.plan.award(name)
        except KeyError:
            names = ", ".join(a.name for a in self.plan.awards)
            raise PioneerError(
                f"run {self.run_id} has no award `{name}` (awards: {names})"
            ) from None

    def subject(self, award: str | None, subject: str) -> tuple[AwardPlan, str]:
        """The award and stored key of a subject named on the command line.

        Without `award`, the subject must belong to exactly one award of the run.
        """
        candidates = [self.award(award)] if award is not None else list(self.plan.awards)
        found: list[tuple[AwardPlan, str]] = []
        for plan_award in candidates:
            key = self._key(plan_award, subject)
            row = self.db.execute(
                "SELECT 1 FROM results WHERE run_id = ? AND award = ? AND subject = ?",
                [self.run_id, plan_award.name, key],
            ).fetchone()
            if row is not None:
                found.append((plan_award, key))
        if not found:
            where = f"award `{award}`" if award is not None else "any award"
            raise PioneerError(
                f"run {self.run_id} has no subject `{subject}` in {where}",
                hint=subject_hint(self.db, self.run_id, [a.name for a in candidates], subject),
            )
        if len(found) > 1:
            names = ", ".join(a.name for a, _ in found)
            raise PioneerError(
                f"subject `{subject}` is in several awards of run {self.run_id}: {names}",
                hint="name the award",
                remedy=Remedy.NAME_AWARD,
            )
        return found[0]

    def _key(self, award: AwardPlan, subject: str) -> str:
        info = self.plan.catalog.tables[award.subjects]
        return str(key_value(info, subject.strip()))

    def log(self, action: str, **detail: Any) -> audit.AuditEntry:
        """Append this action's audit entry (inside the action's transaction)."""
        return audit.append(
            self.db, self.actor, action, run_id=self.run_id, detail=detail, today=self.today
        )

    def computer(self) -> Computer:
        return Computer(self.db, self.run_id, self.run.dataset_id, self.plan)

    def standings(self) -> dict[str, AwardStandings]:
        """Every award's effective standings as they stand now (not stored)."""
        computer = self.computer()
        return {a.name: computer.award(a) for a in self.plan.awards}

    def refresh(self) -> dict[str, AwardStandings]:
        """Recompute and store every award's effective standings."""
        return self.computer().refresh()

    @contextmanager
    def change(self) -> Iterator[None]:
        """One transaction for the action's change and its audit entry."""
        ensure_review_schema(self.db)
        with transaction(self.db):
            yield


def reason_text(reason: str | None, what: str) -> str:
    """A mandatory reason, trimmed; refused when missing or blank."""
    text = (reason or "").strip()
    if not text:
        raise PioneerError(f"{what} needs a reason", hint="give one", remedy=Remedy.GIVE_REASON)
    return text


def optional_text(reason: str | None) -> str | None:
    text = (reason or "").strip()
    return text or None


def found(value: T | None, message: str, run_id: int | None = None) -> T:
    """`value`, or a refusal with `message`; with `run_id`, the remedy lists that run's items."""
    if value is None:
        if run_id is None:
            raise PioneerError(message)
        raise PioneerError(message, remedy=Remedy.LIST_ITEMS, remedy_args={"run": run_id})
    return value
