"""The public side of the review: the notice (公示), objections (异议) and 递补,
publication, revocation, and the status of a run.

* `open_notice` (in_review → notice, or a new notice replacing the current
  one) counts the window in Chinese working days and records the selection it
  shows; publication is possible from the day after its last working day.
* `raise_objection` takes an objection during the notice window only, from a
  named objector with a reason. `resolve_objection` upheld removes the subject
  from the selection, the next in rank takes the seat (递补), and the run goes
  back to in_review for a new notice; dismissed keeps the run on notice.
* `publish` (notice → published) refuses before the day after the notice ends
  and while anything is open, naming every open item. From then on the
  database refuses any change to the run's results, review and standings.
* `revoke` records, beside a published selection, that it was revoked and why.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlite_utils import Database

from scoring import audit
from scoring.errors import PioneerError, Remedy
from scoring.review import records
from scoring.review.calendar_store import store_calendar
from scoring.review.context import Review, found, optional_text, reason_text
from scoring.review.items import OpenItem, OpenItemsError, open_items, selection_of
from scoring.review.records import Adjustment, Notice, Objection, Revocation
from scoring.review.standings import review_hash, standings_hash

DEFAULT_NOTICE_DAYS = 5


def open_notice(
    review: Review,
    days: int = DEFAULT_NOTICE_DAYS,
    start: dt.date | None = None,
    reason: str | None = None,
) -> Notice:
    """Open the public notice for `days` working days from `start` (default: today)."""
    review.require("notice")
    window = store_calendar(review.db).notice_window(start or review.today, days)
    with review.change():
        status = review.expect("open a notice on", "in_review", "notice")
        selection = selection_of(review.refresh())
        replaced = records.current_notice(review.db, review.run_id)
        if status == "notice" and replaced is not None:
            _close(review, replaced, f"replaced by a new notice on {review.today.isoformat()}")
        cur = review.db.execute(
            "INSERT INTO review_notices (run_id, requested, first_day, last_day, days, selection,"
            " opened_by, opened) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                review.run_id,
                window.requested.isoformat(),
                window.first.isoformat(),
                window.last.isoformat(),
                window.days,
                json.dumps(selection, ensure_ascii=False),
                review.actor,
                review.today.isoformat(),
            ],
        )
        review.move("notice")
        notice_id = int(cur.lastrowid or 0)
        review.log(
            "notice",
            notice=notice_id,
            start=window.requested.isoformat(),
            first_day=window.first.isoformat(),
            last_day=window.last.isoformat(),
            working_days=window.days,
            publishable_from=window.publishable_from.isoformat(),
            replaces=replaced.id if status == "notice" and replaced is not None else None,
            selection=selection,
            reason=optional_text(reason),
        )
    return found(records.current_notice(review.db, review.run_id), "not stored")


def _close(review: Review, notice: Notice, why: str) -> None:
    review.db.execute("UPDATE review_notices SET closed = ? WHERE id = ?", [why, notice.id])


def raise_objection(
    review: Review, award: str | None, subject: str, objector: str | None, reason: str | None
) -> Objection:
    """Record an objection (异议) to a subject during the notice."""
    review.require("object")
    who = (objector or "").strip()
    if not who:
        raise PioneerError(
            "an objection must name its objector: 异议须实名",
            hint="give the name",
            remedy=Remedy.NAME_OBJECTOR,
        )
    why = reason_text(reason, "an objection")
    with review.change():
        review.expect("take an objection on", "notice")
        notice = found(records.current_notice(review.db, review.run_id), "no notice is open")
        day = review.today.isoformat()
        if not notice.requested <= day <= notice.last_day:
            raise PioneerError(
                f"objections are taken during the notice only: notice {notice.id} runs from "
                f"{notice.requested} to {notice.last_day}, and {day} is outside it"
            )
        plan_award, key = review.subject(award, subject)
        cur = review.db.execute(
            "INSERT INTO review_objections (run_id, notice_id, award, subject, objector, reason,"
            " recorded_by, raised) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [review.run_id, notice.id, plan_award.name, key, who, why, review.actor, day],
        )
        objection_id = int(cur.lastrowid or 0)
        review.log(
            "object",
            objection=objection_id,
            notice=notice.id,
            award=plan_award.name,
            subject=key,
            objector=who,
            reason=why,
        )
    return found(records.objection(review.db, objection_id), "not stored")


def resolve_objection(
    review: Review, objection_id: int, *, upheld: bool, reason: str | None
) -> Objection:
    """Record the finding on an objection; upheld → 递补 and back to in_review."""
    review.require("resolve-objection")
    why = optional_text(reason) if upheld else reason_text(reason, "dismissing an objection")
    with review.change():
        status = review.expect("resolve an objection on", "notice", "in_review")
        obj = found(
            records.objection(review.db, objection_id),
            f"there is no objection {objection_id} in run {review.run_id}",
            review.run_id,
        )
        if obj.run_id != review.run_id:
            raise PioneerError(
                f"objection {objection_id} belongs to run {obj.run_id}, not run {review.run_id}"
            )
        if obj.status != "open":
            raise PioneerError(
                f"objection {objection_id} was already {obj.status} by {obj.resolved_by} "
                f"on {obj.resolved}"
            )
        before = selection_of(review.standings())
        review.db.execute(
            "UPDATE review_objections SET status = ?, finding = ?, resolved_by = ?,"
            " resolved = ? WHERE id = ?",
            [
                "upheld" if upheld else "dismissed",
                why,
                review.actor,
                review.today.isoformat(),
                objection_id,
            ],
        )
        moved: dict[str, dict[str, list[str]]] = {}
        if upheld:
            after = selection_of(review.refresh())
            moved = {
                a: {
                    "removed": [k for k in before.get(a, []) if k not in after[a]],
                    "added": [k for k in after[a] if k not in before.get(a, [])],
                }
                for a in after
                if sorted(after[a]) != sorted(before.get(a, []))
            }
            notice = records.current_notice(review.db, review.run_id)
            if status == "notice" and notice is not None:
                _close(review, notice, f"objection {objection_id} upheld on {review.today}")
                review.move("in_review")
        review.log(
            "resolve-objection",
            objection=objection_id,
            award=obj.award,
            subject=obj.subject,
            finding="upheld" if upheld else "dismissed",
            reason=why,
            selection_changes=moved,
            status=review.status(),
        )
    return found(records.objection(review.db, objection_id), "not stored")


def publish(review: Review, reason: str | None = None) -> str:
    """notice → published; returns the hash of the published standings."""
    review.require("publish")
    with review.change():
        review.expect("publish", "notice")
        notice = found(records.current_notice(review.db, review.run_id), "no notice is open")
        last = dt.date.fromisoformat(notice.last_day)
        if review.today <= last:
            raise PioneerError(
                f"cannot publish run {review.run_id} yet: notice {notice.id} runs until "
                f"{notice.last_day}; publication is possible from "
                f"{(last + dt.timedelta(days=1)).isoformat()} (today counts as "
                f"{review.today.isoformat()})"
            )
        standings = review.refresh()
        items = open_items(review.db, review.run_id, "notice", standings)
        if items:
            raise OpenItemsError(
                f"cannot publish run {review.run_id}: {len(items)} item(s) still open:", items
            )
        digest = standings_hash(review.db, review.run_id)
        review.move("published")
        review.log(
            "publish",
            results_sha256=review.run.results_sha256,
            standings_sha256=digest,
            review_sha256=review_hash(review.db, review.run_id),
            notice=notice.id,
            selection=selection_of(standings),
            reason=optional_text(reason),
        )
    return digest


def revoke(review: Review, award: str | None, subject: str, reason: str | None) -> Revocation:
    """Record the revocation of a published selection (e.g. a veto surfaced later)."""
    review.require("revoke")
    why = reason_text(reason, "a revocation")
    with review.change():
        status = review.status()
        if status != "published":
            raise PioneerError(
                f"cannot revoke on run {review.run_id}: it is {status}, and only a published "
                "selection can be revoked (before publication, flag the subject or uphold an "
                "objection instead)"
            )
        plan_award, key = review.subject(award, subject)
        stood = {s.subject: s for s in records.standings(review.db, review.run_id, plan_award.name)}
        if key not in stood or not stood[key].selected:
            raise PioneerError(
                f"{plan_award.name} {key} was not selected in published run {review.run_id}: "
                "there is nothing to revoke"
            )
        done = [
            r
            for r in records.revocations(review.db, review.run_id)
            if (r.award, r.subject) == (plan_award.name, key)
        ]
        if done:
            raise PioneerError(
                f"{plan_award.name} {key} was already revoked on {done[0].revoked} by "
                f"{done[0].actor}: {done[0].reason}"
            )
        cur = review.db.execute(
            "INSERT INTO review_revocations (run_id, award, subject, reason, actor, revoked)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [review.run_id, plan_award.name, key, why, review.actor, review.today.isoformat()],
        )
        revocation_id = int(cur.lastrowid or 0)
        review.log(
            "revoke", revocation=revocation_id, award=plan_award.name, subject=key, reason=why
        )
    return next(r for r in records.revocations(review.db, review.run_id) if r.id == revocation_id)


@dataclass(frozen=True)
class RunStatus:
    """Where a run stands: its state, notice window, open items and review records."""

    run_id: int
    status: str
    today: dt.date
    notice: Notice | None
    items: list[OpenItem]
    adjustments: list[Adjustment]
    objections: list[Objection]
    revocations: list[Revocation]
    selection: dict[str, list[str]]

    @property
    def publishable_from(self) -> dt.date | None:
        if self.notice is None:
            return None
        return dt.date.fromisoformat(self.notice.last_day) + dt.timedelta(days=1)


def run_status(review: Review) -> RunStatus:
    """The status of a run (reading only; no role needed)."""
    status = review.status()
    items: list[OpenItem] = []
    if status == "published":
        selection = {
            a.name: [
                s.subject for s in records.standings(review.db, review.run_id, a.name) if s.selected
            ]
            for a in review.plan.awards
        }
    else:
        standings = review.standings()
        selection = selection_of(standings)
        items = open_items(review.db, review.run_id, status, standings)
    shown = records.notices(review.db, review.run_id)
    current = records.current_notice(review.db, review.run_id)
    return RunStatus(
        run_id=review.run_id,
        status=status,
        today=review.today,
        notice=current if current is not None else (shown[-1] if shown else None),
        items=items,
        adjustments=records.adjustments(review.db, review.run_id),
        objections=records.objections(review.db, review.run_id),
        revocations=records.revocations(review.db, review.run_id),
        selection=selection,
    )


def verify_published(db: Database) -> str | None:
    """None when every published run's standings and review records still match
    the hashes its `publish` entry recorded, and every revocation matches its
    `revoke` entry; else a message naming the run and the entry."""
    revoked: dict[int, tuple[object, ...]] = {}
    for entry in audit.entries(db):
        if entry.action == "revoke" and entry.run_id is not None:
            d = entry.detail
            revoked[int(d["revocation"])] = (entry.run_id, d["award"], d["subject"], d["reason"])
        if entry.action != "publish" or entry.run_id is None:
            continue
        if standings_hash(db, entry.run_id) != entry.detail.get("standings_sha256"):
            return (
                f"run {entry.run_id}: its published standings do not match the hash in "
                f"audit entry {entry.seq}"
            )
        recorded = entry.detail.get("review_sha256")
        if recorded is not None and review_hash(db, entry.run_id) != recorded:
            return (
                f"run {entry.run_id}: its adjustments, flags, tie choices, notices or "
                f"objections were changed after publication (audit entry {entry.seq})"
            )
    if "review_revocations" in db.table_names():
        for rid, run_id, award, subject, reason in db.execute(
            "SELECT id, run_id, award, subject, reason FROM review_revocations ORDER BY id"
        ):
            if revoked.get(int(rid)) != (run_id, award, subject, reason):
                return f"run {run_id}: revocation {rid} does not match its audit entry"
    return None
