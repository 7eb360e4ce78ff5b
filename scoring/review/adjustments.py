"""Adjustments: a signed change of one node or of the total, with a reason.

The computed figure is kept; the adjustment is stored beside it and counts
once someone other than its author approves it (four-eyes, admins included).
A reviewer may also reject a pending adjustment (its author may withdraw it
that way); a rejected adjustment never counts.

An adjustment is refused when, with the adjustments already approved for the
subject, it would push a node or one of its parents outside `[0, max]`, or the
total below 0; approving checks the same again.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction

from scoring.diagnostics import did_you_mean
from scoring.errors import PioneerError
from scoring.numbers import fixed
from scoring.plan import AwardPlan
from scoring.review import records
from scoring.review.context import Review, found, optional_text, reason_text
from scoring.review.records import Adjustment
from scoring.review.standings import apply, approved_changes, out_of_range, targets

_DELTA = re.compile(r"[+-]?(\d+)(?:\.(\d+))?")


def parse_delta(text: str, precision: int) -> Fraction:
    """A signed change like `+2`, `-1.5` or `0.25`, with at most `precision` decimals."""
    cleaned = text.strip()
    match = _DELTA.fullmatch(cleaned)
    if match is None:
        raise PioneerError(f"`{text}` is not a signed change of points like +2 or -1.5")
    decimals = len(match.group(2) or "")
    if decimals > precision:
        raise PioneerError(
            f"`{text}` has {decimals} decimals; the campaign's precision is {precision}"
        )
    delta = Fraction(cleaned.lstrip("+"))
    if delta == 0:
        raise PioneerError("an adjustment of 0 changes nothing: give a non-zero change")
    return delta


def check_target(award: AwardPlan, target: str) -> str:
    """`target` when it names a figure of the award, else a clear refusal."""
    allowed = targets(award)
    if target in allowed:
        return target
    close = did_you_mean(target, allowed)
    hint = f"{close} " if close else ""
    raise PioneerError(
        f"award `{award.name}` has no figure `{target}` to adjust: {hint}"
        f"one of {', '.join(allowed)}"
    )


def _check_range(
    review: Review, award: AwardPlan, subject: str, extra: tuple[str, Fraction]
) -> None:
    row = review.db.execute(
        "SELECT total, points FROM results WHERE run_id = ? AND award = ? AND subject = ?",
        [review.run_id, award.name, subject],
    ).fetchone()
    computed = {p: Fraction(v) for p, v in json.loads(row[1]).items()}
    approved = approved_changes(records.adjustments(review.db, review.run_id, award.name))
    points, total = apply(computed, Fraction(row[0]), [*approved.get(subject, []), extra])
    problems = out_of_range(award, points, total, [extra[0]])
    if problems:
        raise PioneerError(
            f"adjusting {subject} {extra[0]} by {fixed(extra[1], review.plan.precision)} "
            f"is refused: {'; '.join(problems)}"
        )


def adjust(
    review: Review, award: str | None, subject: str, target: str, delta: str, reason: str | None
) -> Adjustment:
    """Record an adjustment (pending until another reviewer approves it)."""
    review.require("adjust")
    why = reason_text(reason, "an adjustment")
    with review.change():
        review.expect("adjust", "in_review", "notice")
        plan_award, key = review.subject(award, subject)
        path = check_target(plan_award, target.strip())
        change = parse_delta(delta, review.plan.precision)
        _check_range(review, plan_award, key, (path, change))
        cur = review.db.execute(
            "INSERT INTO review_adjustments (run_id, award, subject, target, delta, reason,"
            " author, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                review.run_id,
                plan_award.name,
                key,
                path,
                fixed(change, review.plan.precision),
                why,
                review.actor,
                review.today.isoformat(),
            ],
        )
        made = found(records.adjustment(review.db, int(cur.lastrowid or 0)), "not stored")
        _log(review, "adjust", made, why)
    return made


def _log(review: Review, action: str, adj: Adjustment, reason: str | None, **extra: str) -> None:
    """The audit entry of an action on one adjustment."""
    review.log(
        action,
        adjustment=adj.id,
        award=adj.award,
        subject=adj.subject,
        target=adj.target,
        delta=adj.delta,
        **extra,
        reason=reason,
    )


def _pending(review: Review, adjustment_id: int, action: str) -> Adjustment:
    adj = found(
        records.adjustment(review.db, adjustment_id),
        f"there is no adjustment {adjustment_id} in run {review.run_id}",
        review.run_id,
    )
    if adj.run_id != review.run_id:
        raise PioneerError(
            f"adjustment {adjustment_id} belongs to run {adj.run_id}, not run {review.run_id}"
        )
    if adj.status != "pending":
        raise PioneerError(
            f"cannot {action} adjustment {adjustment_id}: it was already {adj.status} "
            f"by {adj.decided_by} on {adj.decided}"
        )
    return adj


def approve(review: Review, adjustment_id: int, reason: str | None = None) -> Adjustment:
    """Approve a pending adjustment made by someone else; the ranking moves."""
    review.require("approve")
    with review.change():
        review.expect("approve", "in_review", "notice")
        adj = _pending(review, adjustment_id, "approve")
        if adj.author == review.actor:
            raise PioneerError(
                f"{review.actor} made adjustment {adjustment_id} and cannot approve it: "
                "four-eyes, another reviewer must approve it (this binds admins too)"
            )
        change = (adj.target, Fraction(adj.delta))
        _check_range(review, review.award(adj.award), adj.subject, change)
        _decide(review, adj, "approved", optional_text(reason))
        review.refresh()
        _log(review, "approve", adj, optional_text(reason), author=adj.author)
    return found(records.adjustment(review.db, adjustment_id), "not stored")


def reject(review: Review, adjustment_id: int, reason: str | None) -> Adjustment:
    """Reject (or, by its author, withdraw) a pending adjustment: it never counts."""
    review.require("approve")
    why = reason_text(reason, "rejecting an adjustment")
    with review.change():
        review.expect("reject", "in_review", "notice")
        adj = _pending(review, adjustment_id, "reject")
        _decide(review, adj, "rejected", why)
        _log(review, "reject", adj, why, author=adj.author)
    return found(records.adjustment(review.db, adjustment_id), "not stored")


def _decide(review: Review, adj: Adjustment, status: str, reason: str | None) -> None:
    review.db.execute(
        "UPDATE review_adjustments SET status = ?, decided_by = ?, decided = ?,"
        " decision_reason = ? WHERE id = ? AND status = 'pending'",
        [status, review.actor, review.today.isoformat(), reason, adj.id],
    )
