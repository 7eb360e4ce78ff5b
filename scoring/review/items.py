"""What is still open on a run: what `publish` refuses on and `status` lists.

Open items, in this order: flags not yet unflagged, adjustments awaiting
approval, boundary ties (policy `flag`) without a standing choice, objections
without a finding, and, during a notice, a selection that changed since the
notice opened (the list published must be the list that was on notice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scoring.errors import PioneerError, with_hint
from scoring.review import records

if TYPE_CHECKING:  # annotations only: the plan module loads the rule model
    from scoring.ranking import BoundaryTie
    from scoring.review.standings import AwardStandings
    from scoring.store import StoreHandle


@dataclass(frozen=True)
class OpenItem:
    """One thing that must be settled before publication."""

    kind: str  # flag | adjustment | tie | objection | selection
    text: str
    refs: Mapping[str, object] = field(default_factory=dict)
    """What a front end needs to name the action that settles it (award, id)."""
    hint: str | None = None
    """How it is settled, in plain words; a front end's command replaces it."""

    def __str__(self) -> str:
        return with_hint(self.text, self.hint)


class OpenItemsError(PioneerError):
    """A refusal because items are still open; the front end words each item."""

    def __init__(self, head: str, items: Sequence[OpenItem]) -> None:
        self.head = head
        self.items = list(items)
        super().__init__(head + "\n" + "\n".join(f"  - {item}" for item in self.items))


def tie_text(award: str, tie: BoundaryTie) -> str:
    where = f" in {tie.group}" if tie.group is not None else ""
    return (
        f"boundary tie in {award}{where} at rank {tie.rank}: {', '.join(tie.keys)} tied for "
        f"{tie.seats} seat(s)"
    )


def selection_of(standings: Mapping[str, AwardStandings]) -> dict[str, list[str]]:
    """Award -> its selected subjects, in rank order."""
    return {name: s.selection() for name, s in standings.items()}


def open_items(
    db: StoreHandle, run_id: int, status: str, standings: Mapping[str, AwardStandings]
) -> list[OpenItem]:
    """Everything that still blocks the publication of a run."""
    items = [
        OpenItem(
            "flag",
            f"flag {f.id} on {f.award} {f.subject} by {f.flagged_by} on {f.flagged}: {f.reason}",
        )
        for f in records.flags(db, run_id)
        if f.open
    ]
    items.extend(
        OpenItem("adjustment", f"{a.describe()} awaits approval by another reviewer")
        for a in records.adjustments(db, run_id)
        if a.status == "pending"
    )
    for name, award in standings.items():
        items.extend(
            OpenItem(
                "tie",
                tie_text(name, t),
                {"run": run_id, "award": name},
                "reviewers choose who is selected",
            )
            for t in award.open_ties()
        )
    items.extend(
        OpenItem(
            "objection",
            f"objection {o.id} to {o.award} {o.subject} by {o.objector}: {o.reason}",
            {"run": run_id, "id": o.id},
            "uphold or dismiss it",
        )
        for o in records.objections(db, run_id)
        if o.status == "open"
    )
    notice = records.current_notice(db, run_id)
    if status == "notice" and notice is not None:
        now = selection_of(standings)
        changed = sorted(a for a in set(now) | set(notice.selection) if _differs(now, notice, a))
        if changed:
            items.append(
                OpenItem(
                    "selection",
                    f"the selection of {', '.join(changed)} changed after notice {notice.id} "
                    "opened",
                    {"run": run_id},
                    "open a new notice for the new list",
                )
            )
    return items


def _differs(now: Mapping[str, list[str]], notice: records.Notice, award: str) -> bool:
    return sorted(now.get(award, [])) != sorted(notice.selection.get(award, []))
