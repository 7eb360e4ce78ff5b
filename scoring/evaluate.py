"""The reference interpreter: scores one subject of one award, exactly.

Given the subject's row, the records linked to it and (for percentile
leaves) the population's percent ranks, it yields every node's metric and
points, eligibility, vetoes, warnings and the total. Points are clipped to
`[0, max]` and rounded half up at each leaf; parents add rounded figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from scoring.numbers import Value, round_half_up
from scoring.plan import AwardPlan, CompiledExpr, NodePlan

Row = Mapping[str, Value]
PercentRanks = Mapping[str, Mapping[str, Fraction]]  # leaf path -> subject key -> percent rank


@dataclass
class Outcome:
    """Everything computed for one subject of one award."""

    key: str
    eligible: bool
    vetoes: list[str]
    points: dict[str, Fraction]
    metrics: dict[str, Value]
    no_data: list[str]
    warnings: list[str]
    total: Fraction

    @property
    def ranked(self) -> bool:
        return self.eligible and not self.vetoes


@dataclass
class SubjectEnv:
    """What an expression sees while one subject is scored (implements EvalEnv)."""

    subject: Row
    period_start: dt.date
    period_end: dt.date
    linked: Mapping[str, Sequence[Row]]
    points_of: Callable[[str], Value]
    sink: list[str]
    where: str = ""
    x: Value = None

    def rows(self, table: str) -> Sequence[Row]:
        return self.linked.get(table, ())

    def node_points(self, path: str) -> Value:
        return self.points_of(path)

    def warn(self, message: str) -> None:
        self.sink.append(f"{self.where}: {message}" if self.where else message)


def clamp(value: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return max(low, min(high, value))


@dataclass
class SubjectScorer:
    """Scores subjects of one award; reuse it across subjects."""

    award: AwardPlan
    precision: int
    period: tuple[dt.date, dt.date]
    percent_ranks: PercentRanks = field(default_factory=dict)

    def gate(
        self, key: str, subject: Row, linked: Mapping[str, Sequence[Row]]
    ) -> tuple[bool, list[str], list[str]]:
        """Eligibility, holding veto reasons and warnings (decided before scoring)."""
        warnings: list[str] = []
        env = self._env(subject, linked, lambda p: None, warnings, "eligible")
        eligible = True
        if self.award.eligible is not None:
            eligible = self.award.eligible.run(env) is True
        vetoes: list[str] = []
        for i, veto in enumerate(self.award.vetoes):
            env.where = f"veto {i + 1}"
            if veto.when.run(env) is True:
                vetoes.append(veto.reason)
        return eligible, vetoes, warnings

    def metric(self, node: NodePlan, env: SubjectEnv) -> Value:
        """A leaf's metric after `default`."""
        x = node.metric.run(env) if node.metric is not None else None
        if x is None and node.default is not None:
            x = node.default
        return x

    def score(self, key: str, subject: Row, linked: Mapping[str, Sequence[Row]]) -> Outcome:
        """Score one subject: gate, every node, blocks and the total."""
        eligible, vetoes, warnings = self.gate(key, subject, linked)
        ranked = eligible and not vetoes
        points: dict[str, Fraction] = {}
        metrics: dict[str, Value] = {}
        no_data: list[str] = []
        nodes = self.award.nodes

        def node_points(path: str) -> Fraction:
            if path in points:
                return points[path]
            node = nodes[path]
            if node.children:
                summed = sum((node_points(c) for c in node.children), Fraction(0))
                value = self._round(clamp(summed, Fraction(0), node.max))
            else:
                value = self._leaf(node, key, ranked, env, metrics, no_data)
            points[path] = value
            return value

        env = self._env(subject, linked, node_points, warnings, "")
        for path in nodes:
            node_points(path)
        total = sum((points[p] for p in self.award.top), Fraction(0))
        for name, block in (("bonus", self.award.bonus), ("deductions", self.award.deductions)):
            if block is None:
                continue
            summed = sum((points[i] for i in block.items), Fraction(0))
            points[name] = self._round(clamp(summed, Fraction(0), block.max))
            total += points[name] if name == "bonus" else -points[name]
        total = max(total, Fraction(0))
        ordered = {p: points[p] for p in self.award.point_paths()}
        return Outcome(key, eligible, vetoes, ordered, metrics, no_data, warnings, total)

    def _leaf(
        self,
        node: NodePlan,
        key: str,
        ranked: bool,
        env: SubjectEnv,
        metrics: dict[str, Value],
        no_data: list[str],
    ) -> Fraction:
        env.where = node.path
        x = self.metric(node, env)
        if node.metric is not None:
            metrics[node.path] = x
            if x is None:
                no_data.append(node.path)
                return Fraction(0)
        score = node.score
        assert score is not None
        raw: Fraction
        if score.kind == "linear":
            assert score.lo is not None and score.hi is not None
            raw = node.max * clamp(
                (_num(x) - score.lo) / (score.hi - score.lo), Fraction(0), Fraction(1)
            )
        elif score.kind == "bands":
            raw = next((b.points for b in score.bands if b.holds(_num(x))), Fraction(0))
        elif score.kind == "per":
            assert score.per is not None
            raw = score.per * _num(x) if score.per > 0 else node.max + score.per * _num(x)
        elif score.kind == "percentile":
            rank = self.percent_ranks.get(node.path, {}).get(key) if ranked else None
            if rank is None:
                no_data.append(node.path)
                return Fraction(0)
            raw = node.max * rank
        else:
            raw_value = _run_score(score.expr, env, x)
            if score.kind == "when":
                raw = node.max if raw_value is True else Fraction(0)
            elif raw_value is None or isinstance(raw_value, bool | str | dt.date):
                no_data.append(node.path)
                return Fraction(0)
            else:
                raw = Fraction(raw_value)
        return self._round(clamp(raw, Fraction(0), node.max))

    def _round(self, value: Fraction) -> Fraction:
        return round_half_up(value, self.precision)

    def _env(
        self,
        subject: Row,
        linked: Mapping[str, Sequence[Row]],
        points_of: Callable[[str], Value],
        warnings: list[str],
        where: str,
    ) -> SubjectEnv:
        return SubjectEnv(
            subject=subject,
            period_start=self.period[0],
            period_end=self.period[1],
            linked=linked,
            points_of=points_of,
            sink=warnings,
            where=where,
        )


def _num(x: Value) -> Fraction:
    if isinstance(x, bool) or not isinstance(x, int | Fraction):
        raise TypeError(f"expected a number, got {x!r}")
    return Fraction(x)


def _run_score(expr: CompiledExpr | None, env: SubjectEnv, x: Value) -> Value:
    assert expr is not None
    env.x = x
    try:
        return expr.run(env)
    finally:
        env.x = None
