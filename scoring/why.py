"""Why a ranked subject is not selected, and the smallest change of one
metric that would lift it to the next grade, or over the quota line.

Both read the stored results and the compiled rules, never the engine's
internals. The reasons, in the order they decide: below `min_score`; in a
boundary tie (open, or all left out); the seats of its `per` value taken by
rank k, naming a remainder tie lost to another value where that decided the
seat count; without a quota nobody is selected.

The next grade: for each metric whose leaves are all scored by `linear`,
`bands` or `per` and read by no formula (a metric read by a criterion and a
bonus item moves both), the nearest metric value at which the total,
re-scored as the engine does (each leaf clipped and rounded half up, parents
and the bonus and deduction blocks summed and clipped), reaches the next
grade's minimum: a band's threshold, the edge of a rounding step, a count
fewer for a deduction or a lower-is-better band. The total is monotone in
such a metric (leaves pulling both ways are skipped), so the value is found
by bisection: whole units for a count or a sum of an `int` column, else
steps of 0.000001; counts and sums never go below 0. Over the quota line:
the same, for a total just above (by one unit of the last decimal) the
lowest total holding a seat of the subject's `per` value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any, Protocol

from scoring.catalog import Catalog
from scoring.expr.nodes import Call, TableColumn
from scoring.numbers import plain, round_half_up
from scoring.plan import AwardPlan, NodePlan
from scoring.ranking import quota_seats, split_seats_with_floors


class Standing(Protocol):
    """What these read of one subject's result: a stored `Standing` or an
    effective one (review applied) with the same fields."""

    @property
    def subject(self) -> str: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def total(self) -> str: ...
    @property
    def rank(self) -> int | None: ...
    @property
    def selected(self) -> bool: ...
    @property
    def boundary_tie(self) -> bool: ...
    @property
    def points(self) -> dict[str, str]: ...
    @property
    def metrics(self) -> dict[str, Any]: ...


def not_selected_reasons(
    award: AwardPlan,
    rows: Sequence[Standing],
    subject: Standing,
    group_of: Callable[[Standing], str | None],
) -> list[str]:
    """Why `subject` (ranked, not selected) holds no seat; [] when it does or is unranked."""
    if subject.rank is None or subject.selected:
        return []
    quota = award.quota
    if quota is None:
        return ["the award has no quota: no one is selected"]
    total = Fraction(subject.total)
    if quota.min_score is not None and total < quota.min_score:
        return [
            f"total {subject.total} is below min_score {plain(quota.min_score)}: "
            f"only totals of at least {plain(quota.min_score)} can be selected"
        ]
    if subject.boundary_tie:
        tied = [r for r in rows if r.boundary_tie and r.rank == subject.rank]
        if quota.boundary_tie == "exclude_all":
            return [
                f"boundary tie at rank {subject.rank}: {len(tied)} subjects tie for the last "
                "seat(s) and boundary_tie: exclude_all leaves all of them out"
            ]
        return [
            f"boundary tie open at rank {subject.rank}: {len(tied)} subjects tie for the last "
            "seat(s); reviewers decide who is selected"
        ]
    ranked = [r for r in rows if r.rank is not None]
    mine = group_of(subject) if award.quota_per else None
    group = [r for r in ranked if (group_of(r) if award.quota_per else None) == mine]
    taken = [r for r in group if r.selected or r.boundary_tie]
    where = f"of {award.quota_per} {mine}" if award.quota_per else ""
    if taken:
        first, last = min(r.rank or 0 for r in taken), max(r.rank or 0 for r in taken)
        seats = f"{len(taken)} seat" + ("s" if len(taken) > 1 else "")
        ranks = f"rank {last}" if first == last else f"ranks {first}..{last}"
        reasons = [
            f"the quota {where} is filled at rank {last}: its {seats} went to {ranks}; "
            f"this subject is rank {subject.rank}"
        ]
    else:
        reasons = [f"the quota {where} has no seat"]
    if award.quota_per:
        lost = _remainder_tie_lost_to(award, ranked, mine, group_of)
        if lost is not None:
            reasons.append(
                f"{award.quota_per} {mine} lost a remainder tie to {lost}: equal remainders in "
                "the split of seats, and the seat went to the value with more ranked subjects "
                "(then the first in text order)"
            )
    return [" ".join(r.split()) for r in reasons]


def _remainder_tie_lost_to(
    award: AwardPlan,
    ranked: Sequence[Standing],
    mine: str | None,
    group_of: Callable[[Standing], str | None],
) -> str | None:
    """The values that won a remainder tie this value lost, in the same split
    of seats the ranking made (with `per_at_least` floors), or None."""
    quota = award.quota
    assert quota is not None
    sizes: dict[str | None, int] = {}
    for r in ranked:
        g = group_of(r)
        sizes[g] = sizes.get(g, 0) + 1
    split = split_seats_with_floors(quota_seats(quota, len(ranked)), sizes, quota.per_at_least)
    for tie in split.remainder_ties:
        if mine in tie.lost:
            return ", ".join("(null)" if g is None else str(g) for g in tie.won)
    return None


@dataclass(frozen=True)
class Lift:
    """One metric change that lifts a subject to the next grade (or a seat)."""

    path: str
    title: str
    metric: str
    current: Fraction
    target: Fraction
    grade: str

    @property
    def change(self) -> Fraction:
        return self.target - self.current

    def render(self) -> str:
        verb = "再提高" if self.change > 0 else "减少"
        return (
            f"{verb} {plain(abs(self.change))} {self.title} -> {self.grade} "
            f"({self.path}: {self.metric} {plain(self.current)} -> {plain(self.target)})"
        )


_SCORED_BY_METRIC = ("linear", "bands", "per")
"""Scoring functions whose points follow from the metric alone."""


def next_grade_lifts(
    award: AwardPlan, subject: Standing, precision: int, catalog: Catalog
) -> list[Lift]:
    """For each single metric that can do it, the smallest change to it that
    lifts the subject's total to the next grade (none: [] )."""
    if subject.rank is None or not award.grades:
        return []
    total = Fraction(subject.total)
    above = [(label, floor) for label, floor in award.grades if floor > total]
    if not above:
        return []
    label, floor = min(above, key=lambda g: g[1])
    return _lifts(award, subject, floor, label, precision, catalog)


def _lifts(
    award: AwardPlan,
    subject: Standing,
    goal: Fraction,
    label: str,
    precision: int,
    catalog: Catalog,
) -> list[Lift]:
    """Per metric (every leaf reading it moves with it), the smallest change
    that brings the total to at least `goal`."""
    out = []
    for leaves in _metric_groups(award).values():
        found = _lift(award, leaves, subject, goal, precision, catalog)
        if found is not None:
            first = leaves[0]
            assert first.metric is not None
            path = ", ".join(leaf.path for leaf in leaves)
            out.append(Lift(path, first.title, first.metric.text, *found, label))
    return out


def _metric_groups(award: AwardPlan) -> dict[str, list[NodePlan]]:
    """The leaves of each metric whose change moves only leaves scored from
    it: none read by a formula or scored by a function that reads more."""
    groups: dict[str, list[NodePlan]] = {}
    for node in award.nodes.values():
        if node.is_leaf and node.metric is not None:
            groups.setdefault(node.metric.text, []).append(node)
    read = {
        path
        for node in award.nodes.values()
        if node.score is not None and node.score.expr is not None
        for path in node.score.expr.checked.nodes
    }
    return {
        text: leaves
        for text, leaves in groups.items()
        if all(leaf.score is not None and leaf.score.kind in _SCORED_BY_METRIC for leaf in leaves)
        and not any(_lineage(leaf.path) & read for leaf in leaves)
    }


def _lineage(path: str) -> set[str]:
    """A node's path and its ancestors' (`bonus.x` -> {bonus.x, bonus})."""
    parts = path.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


def _lift(
    award: AwardPlan,
    leaves: Sequence[NodePlan],
    subject: Standing,
    goal: Fraction,
    precision: int,
    catalog: Catalog,
) -> tuple[Fraction, Fraction] | None:
    """(metric now, metric needed): the nearest value, in whole units for a
    count (or a sum of an `int` column), else in steps of 0.000001, at which
    the re-scored total reaches `goal`; None when none does."""
    values = {str(subject.metrics.get(leaf.path)) for leaf in leaves}
    stored = subject.metrics.get(leaves[0].path)
    if len(values) != 1 or not isinstance(stored, dict) or "n" not in stored:
        return None  # no data, not a number, or defaults that differ
    x = Fraction(stored["n"])
    points = {p: Fraction(v) for p, v in subject.points.items()}

    def total_at(value: Fraction) -> Fraction:
        return _total_with(award, leaves, points, value, precision)

    rising = _direction(award, leaves)
    if rising is None:
        return None  # the leaves pull the total in different directions
    unit = 1 if _whole(leaves[0], catalog) else 10**6
    edges = [e for leaf in leaves for e in _edges(leaf)]
    if rising:
        low, high = math.floor(x * unit) + 1, math.ceil(max([*edges, x]) * unit) + 1
    else:
        floor = 0 if x >= 0 else min([*edges, x])  # metrics of counts and hours stay >= 0
        high, low = math.ceil(x * unit) - 1, math.floor(floor * unit)
        if high < low:
            return None
    # the total is monotone in the metric: bisect on whole steps
    extreme = Fraction(high if rising else low, unit)
    if total_at(extreme) < goal:
        return None
    while low < high:
        mid = (low + high) // 2 if rising else (low + high + 1) // 2
        reached = total_at(Fraction(mid, unit)) >= goal
        if rising:
            low, high = (low, mid) if reached else (mid + 1, high)
        else:
            low, high = (mid, high) if reached else (low, mid - 1)
    return x, Fraction(low, unit)


def _total_with(
    award: AwardPlan,
    leaves: Sequence[NodePlan],
    stored: dict[str, Fraction],
    x: Fraction,
    precision: int,
) -> Fraction:
    """The total re-scored with `x` as the metric of `leaves`: each leaf
    clipped and rounded, parents and blocks summed and clipped as the engine does."""
    points = dict(stored)
    for leaf in leaves:
        assert leaf.score is not None
        raw = leaf.score.raw_points(x, leaf.max)
        points[leaf.path] = round_half_up(min(max(raw, Fraction(0)), leaf.max), precision)
    for path in award.order:
        node = award.nodes[path]
        if node.children:
            summed = sum((points[c] for c in node.children), Fraction(0))
            points[path] = round_half_up(min(max(summed, Fraction(0)), node.max), precision)
    total = sum((points[p] for p in award.top), Fraction(0))
    for name, block in (("bonus", award.bonus), ("deductions", award.deductions)):
        if block is not None:
            summed = sum((points[i] for i in block.items), Fraction(0))
            part = round_half_up(min(max(summed, Fraction(0)), block.max), precision)
            total += part if name == "bonus" else -part
    return max(total, Fraction(0))


def _edges(leaf: NodePlan) -> list[Fraction]:
    """The metric values where a leaf's points stop changing or jump."""
    score = leaf.score
    assert score is not None
    if score.kind == "linear":
        assert score.lo is not None and score.hi is not None
        return [score.lo, score.hi]
    if score.kind == "bands":
        return [t for b in score.bands for t in (b.min, b.max) if t is not None]
    assert score.per is not None
    return [Fraction(0), abs(leaf.max / score.per)]


def _direction(award: AwardPlan, leaves: Sequence[NodePlan]) -> bool | None:
    """True when raising the metric never lowers the total, False when
    lowering it never does, None when the leaves disagree or a band table
    goes up and down."""
    found: set[bool] = set()
    for leaf in leaves:
        score = leaf.score
        assert score is not None
        edges = sorted(set(_edges(leaf)))
        probes = [
            edges[0] - 1,
            *edges,
            *(a + (b - a) / 2 for a, b in pairwise(edges)),
            edges[-1] + 1,
        ]
        seen = [score.raw_points(p, leaf.max) for p in sorted(probes)]
        ups = any(b > a for a, b in pairwise(seen))
        downs = any(b < a for a, b in pairwise(seen))
        if ups and downs:
            return None
        if ups or downs:
            found.add(ups != (leaf.part == "deductions"))
    return found.pop() if len(found) == 1 else None


def _whole(node: NodePlan, catalog: Catalog) -> bool:
    """Whether the metric moves in whole units: a count, or a sum of an `int` column."""
    assert node.metric is not None
    top = node.metric.checked.expr
    if not isinstance(top, Call):
        return False
    if top.func in ("count", "count_distinct"):
        return True
    arg = top.args[0] if top.args else None
    if top.func == "sum" and isinstance(arg, TableColumn):
        info = catalog.tables.get(arg.table)
        return info is not None and info.columns.get(arg.column) == "int"
    return False


def quota_line_lifts(
    award: AwardPlan,
    rows: Sequence[Standing],
    subject: Standing,
    group_of: Callable[[Standing], str | None],
    precision: int,
    catalog: Catalog,
) -> list[Lift]:
    """For a ranked subject outside the selection (not in a tie, at or above
    `min_score`), the smallest one-metric change that puts its total above
    the lowest total holding a seat of its `per` value: it then takes that seat."""
    quota = award.quota
    if quota is None or subject.rank is None or subject.selected or subject.boundary_tie:
        return []
    total = Fraction(subject.total)
    if quota.min_score is not None and total < quota.min_score:
        return []
    mine = group_of(subject) if award.quota_per else None
    holders = [
        Fraction(r.total)
        for r in rows
        if r.selected and (group_of(r) if award.quota_per else None) == mine
    ]
    if not holders:
        return []
    goal = min(holders) + Fraction(1, 10**precision)
    return _lifts(award, subject, goal, "入选", precision, catalog)


def why_notes(
    award: AwardPlan,
    rows: Sequence[Standing],
    subject: Standing,
    group_of: Callable[[Standing], str | None],
    precision: int,
    catalog: Catalog,
) -> list[str]:
    """The lines `explain` prints: why not selected, and the next grade's lifts."""
    out = [f"why not selected: {r}" for r in not_selected_reasons(award, rows, subject, group_of)]
    lifts = next_grade_lifts(award, subject, precision, catalog)
    out += [f"next grade: {lift.render()}" for lift in lifts]
    over = quota_line_lifts(award, rows, subject, group_of, precision, catalog)
    out += [f"over the quota line: {lift.render()}" for lift in over]
    return out
