"""Compare two runs: who moved in rank, whose total changed, who entered or
left the selection. `whatif` uses the same comparison on an unsaved run.

`compare_rows` is the comparison itself, over per-subject rows (`ResultRow`)
by award, so results computed in memory and never written
(`scoring.preview`) compare like a stored run; `diff_runs` reads two stored
runs and calls it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlite_utils import Database

from scoring import effective
from scoring.effective import EffectiveResult
from scoring.results import ResultRow, awards_of


@dataclass(frozen=True)
class Move:
    """One subject whose standing differs between the runs."""

    subject: str
    name: str | None
    rank_a: int | None
    rank_b: int | None
    total_a: str | None
    total_b: str | None
    selected_a: bool
    selected_b: bool

    @property
    def delta(self) -> Decimal:
        a = Decimal(self.total_a) if self.total_a is not None else Decimal(0)
        b = Decimal(self.total_b) if self.total_b is not None else Decimal(0)
        return b - a


@dataclass
class AwardDiff:
    award: str
    moves: list[Move] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)

    @property
    def entered(self) -> list[Move]:
        return [m for m in self.moves if m.selected_b and not m.selected_a]

    @property
    def left(self) -> list[Move]:
        return [m for m in self.moves if m.selected_a and not m.selected_b]


@dataclass
class RunDiff:
    run_a: int
    run_b: int | None  # None: an unsaved what-if
    awards: list[AwardDiff] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)


Row = ResultRow | EffectiveResult
"""A subject's row: computed in memory (`whatif`), or as stored with its review."""


def _by_subject(rows: Sequence[Row]) -> dict[str, Row]:
    return {r.subject: r for r in rows}


def diff_runs(db: Database, run_a: int, run_b: int) -> RunDiff:
    """Every award of both stored runs compared subject by subject."""
    return compare_rows(run_a, run_b, stored_rows(db, run_a), stored_rows(db, run_b))


def stored_rows(db: Database, run_id: int) -> dict[str, list[EffectiveResult]]:
    """A stored run's effective results (the review applied, through the one
    reader: what reviewers and the public see), award -> rows in export order."""
    return {award: effective.read(db, run_id, award) for award in awards_of(db, run_id)}


def compare_rows(
    run_a: int,
    run_b: int | None,
    rows_a: Mapping[str, Sequence[Row]],
    rows_b: Mapping[str, Sequence[Row]],
) -> RunDiff:
    """Compare two runs given as award -> per-subject result rows (`run_b`
    None: rows computed in memory and never stored, as `whatif` does)."""
    out = RunDiff(run_a, run_b)
    out.only_a = [a for a in rows_a if a not in rows_b]
    out.only_b = [b for b in rows_b if b not in rows_a]
    for award in (a for a in rows_a if a in rows_b):
        a = _by_subject(rows_a[award])
        b = _by_subject(rows_b[award])
        diff = AwardDiff(award)
        diff.only_a = [s for s in a if s not in b]
        diff.only_b = [s for s in b if s not in a]
        for subject, ra in a.items():
            rb = b.get(subject)
            if rb is None:
                continue
            if (ra.rank, ra.total, ra.selected) != (rb.rank, rb.total, rb.selected):
                diff.moves.append(
                    Move(
                        subject,
                        rb.name or ra.name,
                        ra.rank,
                        rb.rank,
                        ra.total,
                        rb.total,
                        ra.selected,
                        rb.selected,
                    )
                )
        diff.moves.sort(key=lambda m: (m.rank_b is None, m.rank_b or 0, m.subject))
        out.awards.append(diff)
    return out


def _rank(r: int | None) -> str:
    return "-" if r is None else str(r)


def render_diff(d: RunDiff, limit: int = 50) -> str:
    """The comparison as text: selection changes first, then rank movers."""
    b_name = "the what-if" if d.run_b is None else f"run {d.run_b}"
    lines = [f"run {d.run_a} -> {b_name}"]
    for award in d.only_a:
        lines.append(f"award {award}: only in run {d.run_a}")
    for award in d.only_b:
        lines.append(f"award {award}: only in {b_name}")
    for a in d.awards:
        lines.append("")
        lines.append(
            f"{a.award}: {len(a.moves)} changed, {len(a.entered)} newly selected, "
            f"{len(a.left)} no longer selected"
        )
        for m in a.entered:
            lines.append(
                f"  + selected     {m.subject} {m.name or ''}  rank {_rank(m.rank_b)}, total {m.total_b}"
            )
        for m in a.left:
            lines.append(
                f"  - not selected {m.subject} {m.name or ''}  rank {_rank(m.rank_a)} -> {_rank(m.rank_b)}"
            )
        for m in a.moves[:limit]:
            sign = "+" if m.delta > 0 else ""
            lines.append(
                f"  {m.subject} {m.name or ''}: rank {_rank(m.rank_a)} -> {_rank(m.rank_b)}, "
                f"total {m.total_a} -> {m.total_b} ({sign}{m.delta})"
            )
        if len(a.moves) > limit:
            lines.append(f"  ... and {len(a.moves) - limit} more")
        if a.only_a:
            lines.append(f"  only in run {d.run_a}: {', '.join(a.only_a[:20])}")
        if a.only_b:
            lines.append(f"  only in {b_name}: {', '.join(a.only_b[:20])}")
    return "\n".join(lines) + "\n"
