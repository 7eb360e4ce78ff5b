"""Why a ranked subject is not selected, and the smallest change of one
metric that would lift it to the next grade, or over the quota line.

Both read the stored results and the compiled rules, never the engine's
internals. The reasons, in the order they decide: below `min_score`; in a
boundary tie (open, or all left out); the seats of its `per` value taken by
rank k, naming a remainder tie lost to another value where that decided the
seat count; without a quota nobody is selected.

The next grade: for each leaf scored by `linear` or `per` whose metric is
read by no other node of the award (so changing it moves that leaf alone),
the metric value at which the leaf's rounded points lift the total to the
next grade's minimum, through the clipping of every ancestor's (or the
bonus block's) `max`. A count (or a sum of an `int` column) moves in whole
units, any other metric in steps of 0.000001, rounded to the safe side. A leaf that
cannot give enough points is skipped, and so are deduction items (their
block's cap makes one item's change ambiguous). Over the quota line: the
same, for a total just above (by one unit of the last decimal) the lowest
total holding a seat of the subject's `per` value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
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
    """One metric change that lifts a subject to the next grade."""

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
    need = floor - total
    out = []
    for path, node in award.nodes.items():
        lift = _lift(award, node, subject, need, precision, catalog)
        if lift is not None:
            out.append(
                Lift(path, node.title, node.metric.text if node.metric else "", *lift, label)
            )
    return out


def _lift(
    award: AwardPlan,
    node: NodePlan,
    subject: Standing,
    need: Fraction,
    precision: int,
    catalog: Catalog,
) -> tuple[Fraction, Fraction] | None:
    score = node.score
    if not node.is_leaf or node.metric is None or score is None:
        return None
    if score.kind not in ("linear", "per") or node.part == "deductions" or _shared(award, node):
        return None
    stored = subject.metrics.get(node.path)
    if not isinstance(stored, dict) or "n" not in stored:
        return None  # no data, or not a number
    x = Fraction(stored["n"])
    points = Fraction(subject.points.get(node.path, "0"))
    goal = points + need  # the leaf's rounded points that lift the total enough
    if goal > node.max or need > _room(award, node, subject):
        return None
    # the unrounded points from which the leaf rounds (half up) to `goal`
    raw = goal - Fraction(1, 2 * 10**precision)
    target = _metric_for(node, raw)
    # whole units for a count, else 6 decimals (as metrics are shown), on the safe side
    unit = 1 if _whole(node, catalog) else 10**6
    step = math.ceil if target > x else math.floor
    target = Fraction(step(target * unit), unit)
    if target == x or round_half_up(_points(node, target), precision) < goal:
        return None
    return x, target


def _shared(award: AwardPlan, node: NodePlan) -> bool:
    """Whether another node reads the same metric, or a formula reads this node."""
    assert node.metric is not None
    for other in award.nodes.values():
        if other.path == node.path:
            continue
        if other.metric is not None and other.metric.text == node.metric.text:
            return True
        expr = other.score.expr if other.score is not None else None
        if expr is not None and node.path in expr.checked.nodes:
            return True
    return False


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


def _room(award: AwardPlan, node: NodePlan, subject: Standing) -> Fraction:
    """How many more points the total can take through this leaf's ancestors."""
    room: Fraction | None = None
    parts = node.path.split(".")
    for i in range(1, len(parts)):
        parent = ".".join(parts[:i])
        limit = award.nodes[parent].max if parent in award.nodes else None
        if parent == "bonus" and award.bonus is not None:
            limit = award.bonus.max
        if limit is not None:
            free = limit - Fraction(subject.points.get(parent, "0"))
            room = free if room is None else min(room, free)
    return room if room is not None else node.max


def _points(node: NodePlan, x: Fraction) -> Fraction:
    score = node.score
    assert score is not None
    if score.kind == "linear":
        assert score.lo is not None and score.hi is not None
        ratio = (x - score.lo) / (score.hi - score.lo)
        return node.max * min(max(ratio, Fraction(0)), Fraction(1))
    assert score.per is not None
    raw = score.per * x if score.per > 0 else node.max + score.per * x
    return min(max(raw, Fraction(0)), node.max)


def _metric_for(node: NodePlan, raw: Fraction) -> Fraction:
    """The metric value at which the unclipped points equal `raw`."""
    score = node.score
    assert score is not None
    if score.kind == "linear":
        assert score.lo is not None and score.hi is not None
        return score.lo + raw * (score.hi - score.lo) / node.max
    assert score.per is not None
    if score.per > 0:
        return raw / score.per
    return (raw - node.max) / score.per


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
    need = min(holders) + Fraction(1, 10**precision) - total
    out = []
    for path, node in award.nodes.items():
        lift = _lift(award, node, subject, need, precision, catalog)
        if lift is not None:
            title = node.title
            out.append(Lift(path, title, node.metric.text if node.metric else "", *lift, "入选"))
    return out


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
