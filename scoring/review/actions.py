"""Review actions on the ranking: start the review, flag and unflag a subject,
resolve a boundary tie. (Adjustments: `adjustments`; notice, objections,
publication and revocation: `publication`.)"""

from __future__ import annotations

import json

from scoring.errors import PioneerError, Remedy
from scoring.ranking import BoundaryTie
from scoring.review import records
from scoring.review.context import Review, found, optional_text, reason_text
from scoring.review.items import tie_text
from scoring.review.records import Flag, TieResolution

REVIEWING = ("in_review", "notice")
"""The states in which reviewers may still change the outcome."""


def review_start(review: Review, reason: str | None = None) -> None:
    """draft → in_review; the effective standings are written for the first time."""
    review.require("review-start")
    with review.change():
        review.expect("review-start", "draft")
        review.move("in_review")
        review.refresh()
        review.log(
            "review-start",
            results_sha256=review.run.results_sha256,
            reason=optional_text(reason),
        )


def flag(review: Review, award: str | None, subject: str, reason: str | None) -> Flag:
    """Put a hold on a subject: the run cannot be published while it is flagged."""
    review.require("flag")
    why = reason_text(reason, "a flag")
    with review.change():
        review.expect("flag", *REVIEWING)
        plan_award, key = review.subject(award, subject)
        held = _open_flag(review, plan_award.name, key)
        if held is not None:
            raise PioneerError(
                f"{plan_award.name} {key} is already flagged (flag {held.id} by "
                f"{held.flagged_by}: {held.reason})"
            )
        cur = review.db.execute(
            "INSERT INTO review_flags (run_id, award, subject, reason, flagged_by, flagged)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [review.run_id, plan_award.name, key, why, review.actor, review.today.isoformat()],
        )
        flag_id = int(cur.lastrowid or 0)
        review.log("flag", flag=flag_id, award=plan_award.name, subject=key, reason=why)
    return found(_flag(review, flag_id), "not stored")


def unflag(review: Review, award: str | None, subject: str, reason: str | None) -> Flag:
    """Lift the open flag on a subject."""
    review.require("unflag")
    why = reason_text(reason, "lifting a flag")
    with review.change():
        review.expect("unflag", *REVIEWING)
        plan_award, key = review.subject(award, subject)
        held = found(
            _open_flag(review, plan_award.name, key),
            f"{plan_award.name} {key} has no open flag to lift",
        )
        review.db.execute(
            "UPDATE review_flags SET unflagged_by = ?, unflagged = ?, unflag_reason = ?"
            " WHERE id = ?",
            [review.actor, review.today.isoformat(), why, held.id],
        )
        review.log("unflag", flag=held.id, award=plan_award.name, subject=key, reason=why)
    return found(_flag(review, held.id), "not stored")


def _open_flag(review: Review, award: str, subject: str) -> Flag | None:
    for f in records.flags(review.db, review.run_id):
        if f.open and f.award == award and f.subject == subject:
            return f
    return None


def _flag(review: Review, flag_id: int) -> Flag | None:
    return next((f for f in records.flags(review.db, review.run_id) if f.id == flag_id), None)


def resolve_tie(
    review: Review, award: str, select: list[str], reason: str | None = None
) -> TieResolution:
    """Choose who of a boundary tie is selected: exactly as many as it has seats."""
    review.require("resolve-tie")
    with review.change():
        review.expect("resolve-tie", *REVIEWING)
        plan_award = review.award(award)
        keys = [review.subject(plan_award.name, s)[1] for s in select]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise PioneerError(
                f"the selection names {', '.join(twice)} more than once",
                hint="name each subject once",
            )
        ties = review.computer().award(plan_award).ties
        tie = _the_tie(plan_award.name, ties, keys)
        if len(keys) != tie.seats:
            raise PioneerError(
                f"the boundary tie in {plan_award.name} at rank {tie.rank} "
                f"({', '.join(tie.keys)}) has {tie.seats} seat(s) left: name exactly "
                f"{tie.seats} subject(s), not {len(keys)}",
                remedy=Remedy.SELECT,
            )
        chosen = [k for k in tie.keys if k in keys]
        why = optional_text(reason)
        cur = review.db.execute(
            "INSERT INTO review_ties (run_id, award, tied, seats, selected, reason, actor,"
            " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                review.run_id,
                plan_award.name,
                json.dumps(list(tie.keys), ensure_ascii=False),
                tie.seats,
                json.dumps(chosen, ensure_ascii=False),
                why,
                review.actor,
                review.today.isoformat(),
            ],
        )
        review.refresh()
        resolution_id = int(cur.lastrowid or 0)
        review.log(
            "resolve-tie",
            resolution=resolution_id,
            award=plan_award.name,
            rank=tie.rank,
            group=tie.group,
            tied=list(tie.keys),
            seats=tie.seats,
            selected=chosen,
            reason=why,
        )
    resolutions = records.tie_resolutions(review.db, review.run_id, plan_award.name)
    return next(r for r in resolutions if r.id == resolution_id)


def _the_tie(award: str, ties: list[BoundaryTie], keys: list[str]) -> BoundaryTie:
    """The one boundary tie every selected subject belongs to."""
    if not ties:
        raise PioneerError(f"award `{award}` has no boundary tie to resolve")
    shown = "; ".join(tie_text(award, t) for t in ties)
    if not keys:
        raise PioneerError(f"name the subjects to select: {shown}", remedy=Remedy.SELECT)
    outside = [k for k in keys if not any(k in t.keys for t in ties)]
    if outside:
        raise PioneerError(
            f"{', '.join(outside)} is not in a boundary tie of award `{award}`: {shown}",
            hint="select among the tied subjects",
        )
    holding = {t.keys: t for t in ties for k in keys if k in t.keys}
    if len(holding) > 1:
        raise PioneerError(
            f"the selection names subjects of different boundary ties: {shown}",
            hint="resolve one tie at a time",
        )
    return next(iter(holding.values()))
