"""The review workflow's public functions (SPEC §5), re-exported by
`scoring.service`.

Each function resolves the run (an id or `latest`), loads the rules it was
scored with and hands one `Review` to the workflow in `scoring.review`: the
role check, the state check, the change and its audit entry happen there,
in one transaction. `today` is the date the action counts as taken.

Actions of the same shape share one wrapper (`_on_run`, `_on_subject`,
`_on_adjustment`), bound to each action with `functools.partial`; the
others have a signature of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from sqlite_utils import Database

from scoring.results import resolve_run
from scoring.review import access as _access
from scoring.review import actions as _actions
from scoring.review import adjustments as _adjustments
from scoring.review import privacy as _privacy
from scoring.review import publication as _publication
from scoring.review.calendar_store import CalendarImport
from scoring.review.calendar_store import import_calendar as _import_calendar
from scoring.review.context import Review
from scoring.review.ddl import ensure_review_schema
from scoring.review.records import (
    Adjustment,
    Notice,
    Objection,
    TieResolution,
)
from scoring.roles import current_user
from scoring.rules import run_rules

RunStatus = _publication.RunStatus

T = TypeVar("T")


def review_of(
    db: Database, run_ref: str | int, *, actor: str | None = None, today: dt.date | None = None
) -> Review:
    """The context of a review action on a run."""
    ensure_review_schema(db)
    run = resolve_run(db, run_ref)
    return Review(db, run, run_rules(run).plan, actor or current_user(), today or dt.date.today())


def _on_run(
    act: Callable[[Review, str | None], T],
    db: Database,
    run_ref: str | int,
    *,
    reason: str | None = None,
    actor: str | None = None,
    today: dt.date | None = None,
) -> T:
    """An action on the run as a whole, with an optional reason."""
    return act(review_of(db, run_ref, actor=actor, today=today), reason)


def _on_subject(
    act: Callable[[Review, str | None, str, str | None], T],
    db: Database,
    run_ref: str | int,
    subject: str,
    *,
    reason: str | None,
    award: str | None = None,
    actor: str | None = None,
    today: dt.date | None = None,
) -> T:
    """An action on one subject (`award` is needed when it is in several), with a reason."""
    return act(review_of(db, run_ref, actor=actor, today=today), award, subject, reason)


def _on_adjustment(
    act: Callable[[Review, int, str | None], Adjustment],
    db: Database,
    run_ref: str | int,
    adjustment_id: int,
    *,
    reason: str | None = None,
    actor: str | None = None,
    today: dt.date | None = None,
) -> Adjustment:
    """A decision on one adjustment, by its id, with a reason."""
    return act(review_of(db, run_ref, actor=actor, today=today), adjustment_id, reason)


review_start = partial(_on_run, _actions.review_start)
publish = partial(_on_run, _publication.publish)
flag = partial(_on_subject, _actions.flag)
unflag = partial(_on_subject, _actions.unflag)
revoke = partial(_on_subject, _publication.revoke)
reveal_private = partial(_on_subject, _privacy.reveal)
approve = partial(_on_adjustment, _adjustments.approve)
reject_adjustment = partial(_on_adjustment, _adjustments.reject)

for _action, _doc in (
    (review_start, "draft → in_review (reviewer)."),
    (
        publish,
        "notice → published after the notice ends, nothing open (publisher); "
        "returns the SHA-256 of the published standings.",
    ),
    (flag, "Put a hold on a subject (reviewer)."),
    (unflag, "Lift the hold on a subject (reviewer)."),
    (revoke, "Record the revocation of a published selection (publisher)."),
    (reveal_private, "A subject's private columns, revealed to an admin, logged with the reason."),
    (approve, "Approve someone else's adjustment (reviewer; four-eyes)."),
    (reject_adjustment, "Reject (or, by its author, withdraw) a pending adjustment (reviewer)."),
):
    _action.__doc__ = _doc


def adjust(
    db: Database,
    run_ref: str | int,
    subject: str,
    target: str,
    delta: str,
    *,
    reason: str | None,
    award: str | None = None,
    actor: str | None = None,
    today: dt.date | None = None,
) -> Adjustment:
    """Adjust a node (dotted path) or the `total` of a subject by a signed
    change (reviewer); it counts once another reviewer approves it."""
    review = review_of(db, run_ref, actor=actor, today=today)
    return _adjustments.adjust(review, award, subject, target, delta, reason)


def resolve_tie(
    db: Database,
    run_ref: str | int,
    award: str,
    select: list[str],
    *,
    reason: str | None = None,
    actor: str | None = None,
    today: dt.date | None = None,
) -> TieResolution:
    """Choose who of a boundary tie is selected, exactly as many as its seats (reviewer)."""
    review = review_of(db, run_ref, actor=actor, today=today)
    return _actions.resolve_tie(review, award, select, reason)


def open_notice(
    db: Database,
    run_ref: str | int,
    *,
    days: int = _publication.DEFAULT_NOTICE_DAYS,
    start: dt.date | None = None,
    reason: str | None = None,
    actor: str | None = None,
    today: dt.date | None = None,
) -> Notice:
    """Open the public notice (公示) for `days` Chinese working days (publisher)."""
    review = review_of(db, run_ref, actor=actor, today=today)
    return _publication.open_notice(review, days, start, reason)


def raise_objection(
    db: Database,
    run_ref: str | int,
    subject: str,
    *,
    objector: str | None,
    reason: str | None,
    award: str | None = None,
    actor: str | None = None,
    today: dt.date | None = None,
) -> Objection:
    """Record a named objection (异议) during the notice (reviewer)."""
    review = review_of(db, run_ref, actor=actor, today=today)
    return _publication.raise_objection(review, award, subject, objector, reason)


def resolve_objection(
    db: Database,
    run_ref: str | int,
    objection_id: int,
    *,
    upheld: bool,
    reason: str | None,
    actor: str | None = None,
    today: dt.date | None = None,
) -> Objection:
    """Upheld: 递补 and back to in_review; dismissed: with a reason (reviewer)."""
    review = review_of(db, run_ref, actor=actor, today=today)
    return _publication.resolve_objection(review, objection_id, upheld=upheld, reason=reason)


def run_status(db: Database, run_ref: str | int, *, today: dt.date | None = None) -> RunStatus:
    """State, notice window, open items and review records of a run (as of `today`)."""
    return _publication.run_status(review_of(db, run_ref, today=today))


def grant_role(
    db: Database, name: str, role: str, *, actor: str | None = None, today: dt.date | None = None
) -> None:
    """Give `name` a role (admin)."""
    _access.grant(db, actor or current_user(), name, role, today)


def revoke_role(
    db: Database, name: str, role: str, *, actor: str | None = None, today: dt.date | None = None
) -> None:
    """Take a role from `name` (admin; never the last admin)."""
    _access.revoke(db, actor or current_user(), name, role, today)


def verify_review(db: Database) -> str | None:
    """None when every published run's standings match its publish entry."""
    return _publication.verify_published(db)


def import_calendar(
    db: Database, path: str, *, actor: str | None = None, today: dt.date | None = None
) -> CalendarImport:
    """Import holidays and make-up workdays (rows of date, kind, name) into the
    store's calendar (admin; audited; all or nothing)."""
    return _import_calendar(db, path, actor or current_user(), today)
