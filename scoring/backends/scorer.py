"""The interpreter's per-subject scoring: one subject of one award, exactly.

`CompiledAward` holds the award's expressions compiled to closures (done
once per award, when the backend runs). `CompiledAward.score` runs the
plan's per-subject steps for one subject: the `Gate`, `ScoreNodes` in the
plan's order and `Combine`, and yields its `Outcome`. Points are clipped to `[0, max]` and rounded
half up at each leaf; parents add rounded figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from scoring.backend import Outcome
from scoring.catalog import TableInfo
from scoring.data import cell_text
from scoring.errors import InternalError
from scoring.expr import compile_expr
from scoring.numbers import Value, round_half_up
from scoring.plan import AwardPlan, CompiledExpr, NodePlan

Row = Mapping[str, Value]
Linked = Mapping[str, Sequence[Row]]
Fn = Callable[["SubjectEnv"], Value]
PercentRanks = Mapping[str, Mapping[str, Fraction]]  # leaf path -> subject key -> percent rank


@dataclass
class SubjectEnv:
    """What an expression sees while one subject is scored (implements EvalEnv)."""

    subject: Row
    period_start: dt.date
    period_end: dt.date
    linked: Linked
    points: Mapping[str, Fraction] = field(default_factory=dict)
    sink: list[str] = field(default_factory=list)
    where: str = ""
    x: Value = None

    def rows(self, table: str) -> Sequence[Row]:
        return self.linked.get(table, ())

    def node_points(self, path: str) -> Value:
        return self.points.get(path)

    def warn(self, message: str) -> None:
        self.sink.append(f"{self.where}: {message}" if self.where else message)


def clamp(value: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return max(low, min(high, value))


class CompiledAward:
    """One award's plan with every expression compiled to a closure."""

    def __init__(
        self,
        award: AwardPlan,
        subjects: TableInfo,
        precision: int,
        period: tuple[dt.date, dt.date],
    ) -> None:
        self.award = award
        self.name_col = "name" if "name" in subjects.columns else None
        self.unit_col = "unit" if "unit" in subjects.columns else None
        self.precision = precision
        self.period = period
        self.eligible = _fn(award.eligible)
        self.vetoes = [(_fn(v.when), v.reason) for v in award.vetoes]
        self.metric_fns = {p: _fn(n.metric) for p, n in award.nodes.items()}
        self.score_fns = {
            p: _fn(n.score.expr) for p, n in award.nodes.items() if n.score is not None
        }
        self.paths = award.point_paths()
        self.declared = {p: i for i, p in enumerate(award.nodes)}

    def env(self, subject: Row, linked: Linked) -> SubjectEnv:
        return SubjectEnv(subject, self.period[0], self.period[1], linked)

    def gate(self, env: SubjectEnv) -> tuple[bool, tuple[str, ...]]:
        """Step `Gate`: eligibility and the reasons of every veto that holds."""
        env.where = "eligible"
        eligible = self.eligible is None or self.eligible(env) is True
        vetoes = []
        for i, (when, reason) in enumerate(self.vetoes):
            env.where = f"veto {i + 1}"
            if when is not None and when(env) is True:
                vetoes.append(reason)
        env.where = ""
        return eligible, tuple(vetoes)

    def metric(self, node: NodePlan, env: SubjectEnv) -> Value:
        """A leaf's metric after `default`."""
        fn = self.metric_fns[node.path]
        x = fn(env) if fn is not None else None
        if x is None and node.default is not None:
            x = node.default
        return x

    def score(self, key_value: Value, subject: Row, linked: Linked, ranks: PercentRanks) -> Outcome:
        """Gate, every node in the plan's order, then the total."""
        key = str(key_value)
        env = self.env(subject, linked)
        eligible, vetoes = self.gate(env)
        ranked = eligible and not vetoes
        points: dict[str, Fraction] = {}
        env.points = points
        metrics: dict[str, Value] = {}
        no_data: list[str] = []
        nodes = self.award.nodes
        for path in self.award.order:
            node = nodes[path]
            if node.children:
                summed = sum((points[c] for c in node.children), Fraction(0))
                points[path] = self._round(clamp(summed, Fraction(0), node.max))
            else:
                rank = ranks.get(path, {}).get(key) if ranked else None
                points[path] = self._leaf(node, rank, env, metrics, no_data)
        total = sum((points[p] for p in self.award.top), Fraction(0))
        for name, block in (("bonus", self.award.bonus), ("deductions", self.award.deductions)):
            if block is None:
                continue
            summed = sum((points[i] for i in block.items), Fraction(0))
            points[name] = self._round(clamp(summed, Fraction(0), block.max))
            total += points[name] if name == "bonus" else -points[name]
        declared, per = self.declared, self.award.quota_per
        return Outcome(
            key=key,
            key_value=key_value,
            name=cell_text(subject.get(self.name_col)) if self.name_col else None,
            unit=cell_text(subject.get(self.unit_col)) if self.unit_col else None,
            group=cell_text(subject.get(per)) if per else None,
            eligible=eligible,
            vetoes=vetoes,
            points={p: points[p] for p in self.paths},
            metrics={p: metrics[p] for p in sorted(metrics, key=declared.__getitem__)},
            no_data=tuple(sorted(no_data, key=declared.__getitem__)),
            warnings=tuple(env.sink),
            total=max(total, Fraction(0)),
        )

    def _leaf(
        self,
        node: NodePlan,
        rank: Fraction | None,
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
        if score.kind in ("linear", "bands", "per"):
            raw = score.raw_points(_num(x), node.max)
        elif score.kind == "percentile":
            if rank is None:
                no_data.append(node.path)
                return Fraction(0)
            raw = node.max * rank
        else:
            fn = self.score_fns[node.path]
            assert fn is not None
            env.x = x
            raw_value = fn(env)
            env.x = None
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


def _fn(expr: CompiledExpr | None) -> Fn | None:
    return None if expr is None else compile_expr(expr.checked)


def _num(x: Value) -> Fraction:
    if isinstance(x, bool) or not isinstance(x, int | Fraction):
        raise InternalError(f"the type checker let a non-number metric through: {x!r}")
    return Fraction(x)
