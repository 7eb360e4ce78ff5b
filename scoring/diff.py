"""Compare two runs: who moved in rank, whose total and grade changed, who
entered or left the selection, and why (which nodes' points changed, by how
much). `whatif` uses the same comparison on an unsaved run.

`compare_rows` is the comparison itself, over per-subject rows by award (any
read model with a `SubjectResult`'s fields), so results computed in memory
and never written (`scoring.preview`) compare like a stored run; `diff_runs`
reads two stored runs and calls it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from scoring import effective
from scoring.effective import EffectiveResult
from scoring.export.json_text import render_json
from scoring.results import awards_of

if TYPE_CHECKING:
    from scoring.store import StoreHandle


class SubjectResult(Protocol):
    """What the comparison reads of one subject's result: a stored `ResultRow`
    or any read model with the same fields (effective standings, a preview)."""

    @property
    def subject(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def eligible(self) -> bool: ...
    @property
    def veto(self) -> list[str]: ...
    @property
    def total(self) -> str: ...
    @property
    def rank(self) -> int | None: ...
    @property
    def grade(self) -> str | None: ...
    @property
    def selected(self) -> bool: ...
    @property
    def points(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class NodeChange:
    """One node whose points differ between the runs (a leaf or an item)."""

    path: str
    points_a: str | None
    points_b: str | None

    @property
    def delta(self) -> Decimal:
        return Decimal(self.points_b or 0) - Decimal(self.points_a or 0)


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
    grade_a: str | None = None
    grade_b: str | None = None
    nodes: tuple[NodeChange, ...] = ()
    reasons: tuple[str, ...] = ()  # eligibility and veto changes

    @property
    def delta(self) -> Decimal:
        a = Decimal(self.total_a) if self.total_a is not None else Decimal(0)
        b = Decimal(self.total_b) if self.total_b is not None else Decimal(0)
        return b - a

    @property
    def grade_changed(self) -> bool:
        return self.grade_a != self.grade_b


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

    @property
    def grade_changes(self) -> list[Move]:
        return [m for m in self.moves if m.grade_changed]


@dataclass
class RunDiff:
    run_a: int
    run_b: int | None  # None: an unsaved what-if
    awards: list[AwardDiff] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)


def diff_runs(db: StoreHandle, run_a: int, run_b: int) -> RunDiff:
    """Every award of both stored runs compared subject by subject."""
    return compare_rows(run_a, run_b, stored_rows(db, run_a), stored_rows(db, run_b))


def stored_rows(db: StoreHandle, run_id: int) -> dict[str, list[EffectiveResult]]:
    """A stored run's effective results (the review applied, through the one
    reader: what reviewers and the public see), award -> rows in export order."""
    return {award: effective.read(db, run_id, award) for award in awards_of(db, run_id)}


def compare_rows(
    run_a: int,
    run_b: int | None,
    rows_a: Mapping[str, Sequence[SubjectResult]],
    rows_b: Mapping[str, Sequence[SubjectResult]],
) -> RunDiff:
    """Compare two runs given as award -> per-subject result rows (`run_b`
    None: rows computed in memory and never stored, as `whatif` does)."""
    out = RunDiff(run_a, run_b)
    out.only_a = [a for a in rows_a if a not in rows_b]
    out.only_b = [b for b in rows_b if b not in rows_a]
    for award in (a for a in rows_a if a in rows_b):
        a = {r.subject: r for r in rows_a[award]}
        b = {r.subject: r for r in rows_b[award]}
        diff = AwardDiff(award)
        diff.only_a = [s for s in a if s not in b]
        diff.only_b = [s for s in b if s not in a]
        for subject, ra in a.items():
            rb = b.get(subject)
            if rb is None:
                continue
            standing_a = (ra.rank, ra.total, ra.selected, ra.grade)
            if standing_a != (rb.rank, rb.total, rb.selected, rb.grade):
                diff.moves.append(_move(ra, rb))
        diff.moves.sort(key=lambda m: (m.rank_b is None, m.rank_b or 0, m.subject))
        out.awards.append(diff)
    return out


def _move(ra: SubjectResult, rb: SubjectResult) -> Move:
    return Move(
        ra.subject,
        rb.name or ra.name,
        ra.rank,
        rb.rank,
        ra.total,
        rb.total,
        ra.selected,
        rb.selected,
        ra.grade,
        rb.grade,
        node_changes(ra.points, rb.points),
        _reasons(ra, rb),
    )


def node_changes(
    points_a: Mapping[str, str], points_b: Mapping[str, str]
) -> tuple[NodeChange, ...]:
    """The nodes whose points changed and none of whose children did: the
    places a rule change (or new evidence) acted on, in path order."""
    paths = sorted(set(points_a) | set(points_b))
    changed = [p for p in paths if _differs(points_a.get(p), points_b.get(p))]
    deepest = [p for p in changed if not any(c.startswith(p + ".") for c in changed)]
    return tuple(NodeChange(p, points_a.get(p), points_b.get(p)) for p in deepest)


def _differs(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a != b
    return Decimal(a) != Decimal(b)


def _reasons(ra: SubjectResult, rb: SubjectResult) -> tuple[str, ...]:
    out: list[str] = []
    if ra.eligible != rb.eligible:
        out.append("now eligible" if rb.eligible else "no longer eligible")
    out += [f"veto now holds: {v}" for v in rb.veto if v not in ra.veto]
    out += [f"veto no longer holds: {v}" for v in ra.veto if v not in rb.veto]
    return tuple(out)


def _rank(r: int | None) -> str:
    return "-" if r is None else str(r)


def _signed(d: Decimal) -> str:
    return f"+{d}" if d > 0 else str(d)


def _why(m: Move) -> str:
    parts = [f"{n.path} {_signed(n.delta)}" for n in m.nodes] + list(m.reasons)
    return "; ".join(parts) if parts else "own points unchanged: others moved"


def render_diff(d: RunDiff, limit: int = 50) -> str:
    """The comparison as text: selection and grade changes first, then rank
    movers, each with why it moved."""
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
            f"{len(a.left)} no longer selected, {len(a.grade_changes)} grade changes"
        )
        for m in a.entered:
            lines.append(
                f"  + selected     {m.subject} {m.name or ''}  rank {_rank(m.rank_b)}, total {m.total_b}"
            )
        for m in a.left:
            lines.append(
                f"  - not selected {m.subject} {m.name or ''}  rank {_rank(m.rank_a)} -> {_rank(m.rank_b)}"
            )
        for m in a.grade_changes[:limit]:
            lines.append(
                f"  ~ grade        {m.subject} {m.name or ''}  {m.grade_a or '-'} -> "
                f"{m.grade_b or '-'} (total {m.total_a} -> {m.total_b})"
            )
        for m in a.moves[:limit]:
            lines.append(
                f"  {m.subject} {m.name or ''}: rank {_rank(m.rank_a)} -> {_rank(m.rank_b)}, "
                f"total {m.total_a} -> {m.total_b} ({_signed(m.delta)}): {_why(m)}"
            )
        if len(a.moves) > limit:
            lines.append(f"  ... and {len(a.moves) - limit} more")
        if a.only_a:
            lines.append(f"  only in run {d.run_a}: {', '.join(a.only_a[:20])}")
        if a.only_b:
            lines.append(f"  only in {b_name}: {', '.join(a.only_b[:20])}")
    return "\n".join(lines) + "\n"


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _move_json(m: Move) -> dict[str, Any]:
    return {
        "subject": m.subject,
        "name": m.name,
        "rank": [m.rank_a, m.rank_b],
        "total": [_number(m.total_a), _number(m.total_b)],
        "delta": m.delta,
        "grade": [m.grade_a, m.grade_b],
        "selected": [m.selected_a, m.selected_b],
        "nodes": {
            n.path: {"from": _number(n.points_a), "to": _number(n.points_b), "delta": n.delta}
            for n in m.nodes
        },
        "reasons": list(m.reasons),
    }


def diff_document(d: RunDiff) -> dict[str, Any]:
    """The comparison as a JSON document: per award, every changed subject
    with `[before, after]` pairs and the nodes that moved it."""
    return {
        "run_a": d.run_a,
        "run_b": d.run_b,
        "only_a": d.only_a,
        "only_b": d.only_b,
        "awards": {
            a.award: {
                "changed": len(a.moves),
                "entered": [m.subject for m in a.entered],
                "left": [m.subject for m in a.left],
                "grade_changes": [m.subject for m in a.grade_changes],
                "moves": [_move_json(m) for m in a.moves],
                "only_a": a.only_a,
                "only_b": a.only_b,
            }
            for a in d.awards
        },
    }


def render_diff_json(d: RunDiff) -> str:
    """`diff_document` as exact JSON text (numbers keep their digits)."""
    return render_json(diff_document(d))
