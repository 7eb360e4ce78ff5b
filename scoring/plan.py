"""The compiled plan: a frozen, printable value the engine executes.

`compile_plan` turns a checked rule file into a `Plan`; `Plan.describe()`
prints a deterministic text form (golden tests compare it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from scoring.catalog import Catalog
from scoring.checks.context import CheckContext, award_nodes
from scoring.expr import CheckedExpr, EvalEnv, compile_expr
from scoring.expr import Value as ExprValue
from scoring.model import Award, Bands, Formula, Linear, Per, Percentile, When
from scoring.numbers import Value, plain, to_fraction
from scoring.ranking import QuotaSpec
from scoring.source import PathKey

ScoreKind = Literal["linear", "bands", "per", "percentile", "formula", "when"]
Part = Literal["criteria", "bonus", "deductions"]


@dataclass(frozen=True)
class CompiledExpr:
    """An expression's text, its type information and its evaluator."""

    text: str
    checked: CheckedExpr = field(repr=False, compare=False)
    run: Callable[[EvalEnv], ExprValue] = field(repr=False, compare=False)


@dataclass(frozen=True)
class BandPlan:
    min: Fraction | None
    max: Fraction | None
    points: Fraction

    def holds(self, x: Fraction) -> bool:
        return (self.min is None or self.min <= x) and (self.max is None or x <= self.max)


@dataclass(frozen=True)
class ScorePlan:
    """One scoring function with its parameters."""

    kind: ScoreKind
    lo: Fraction | None = None
    hi: Fraction | None = None
    bands: tuple[BandPlan, ...] = ()
    per: Fraction | None = None
    within: str | None = None
    expr: CompiledExpr | None = None

    def describe(self) -> str:
        if self.kind == "linear":
            assert self.lo is not None and self.hi is not None
            return f"linear [{plain(self.lo)}, {plain(self.hi)}]"
        if self.kind == "bands":
            parts = [f"{_bound(b.min, b.max)} -> {plain(b.points)}" for b in self.bands]
            return "bands " + "; ".join(parts)
        if self.kind == "per":
            assert self.per is not None
            return f"per {plain(self.per)}"
        if self.kind == "percentile":
            return "percentile" + (f" within {self.within}" if self.within else "")
        assert self.expr is not None
        return f"{self.kind} {self.expr.text}"


def _bound(lo: Fraction | None, hi: Fraction | None) -> str:
    if lo is None and hi is None:
        return "otherwise"
    parts = [f"x >= {plain(lo)}"] if lo is not None else []
    if hi is not None:
        parts.append(f"x <= {plain(hi)}")
    return " and ".join(parts)


@dataclass(frozen=True)
class NodePlan:
    """A criteria node, bonus item or deduction item."""

    path: str
    title: str
    max: Fraction
    part: Part
    children: tuple[str, ...] = ()
    metric: CompiledExpr | None = None
    default: Value = None
    score: ScorePlan | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True)
class BlockPlan:
    """`bonus` or `deductions`: items summed, clipped to `max`."""

    max: Fraction
    items: tuple[str, ...]


@dataclass(frozen=True)
class VetoPlan:
    when: CompiledExpr
    reason: str


@dataclass(frozen=True)
class AwardPlan:
    """Everything needed to score, rank and select one award."""

    name: str
    title: str
    subjects: str
    eligible: CompiledExpr | None
    vetoes: tuple[VetoPlan, ...]
    nodes: Mapping[str, NodePlan]
    top: tuple[str, ...]
    bonus: BlockPlan | None
    deductions: BlockPlan | None
    grades: tuple[tuple[str, Fraction], ...]
    tie_break: tuple[tuple[str, bool], ...]  # (path, higher first)
    quota: QuotaSpec | None
    quota_per: str | None
    tables: frozenset[str]  # tables aggregated by any expression
    depends_on: frozenset[str]

    @property
    def has_percentile(self) -> bool:
        return any(
            n.score is not None and n.score.kind == "percentile" for n in self.nodes.values()
        )

    def point_paths(self) -> list[str]:
        """Every figure of `points`: nodes, then the blocks and their items."""
        out = [p for p, n in self.nodes.items() if n.part == "criteria"]
        for name, block in (("bonus", self.bonus), ("deductions", self.deductions)):
            if block is not None:
                out.append(name)
                out.extend(block.items)
        return out


@dataclass(frozen=True)
class Plan:
    """A whole campaign, awards in the order they must be scored."""

    campaign: str
    title: str
    precision: int
    catalog: Catalog = field(repr=False, compare=False)
    awards: tuple[AwardPlan, ...]
    rules_sha256: str

    def award(self, name: str) -> AwardPlan:
        for a in self.awards:
            if a.name == name:
                return a
        raise KeyError(name)

    def describe(self) -> str:
        """A deterministic, diffable text form of the plan."""
        lines = [f"campaign {self.campaign} ({self.title}) precision {self.precision}"]
        for a in self.awards:
            lines.append(f"award {a.name} ({a.title}) over {a.subjects}")
            if a.depends_on:
                lines.append(f"  after {', '.join(sorted(a.depends_on))}")
            if a.eligible:
                lines.append(f"  eligible {a.eligible.text}")
            lines.extend(f"  veto {v.when.text} => {v.reason}" for v in a.vetoes)
            for node in a.nodes.values():
                depth = node.path.count(".") + 1 if node.part == "criteria" else 1
                pad = "  " * depth
                head = f"{pad}{node.path} max {plain(node.max)}"
                if node.is_leaf:
                    metric = f" metric {node.metric.text}" if node.metric else ""
                    default = f" default {_shown(node.default)}" if node.default is not None else ""
                    score = f" score {node.score.describe()}" if node.score else ""
                    head += metric + default + score
                lines.append(head)
            for name, block in (("bonus", a.bonus), ("deductions", a.deductions)):
                if block is not None:
                    lines.append(f"  {name} max {plain(block.max)}: {', '.join(block.items)}")
            if a.grades:
                lines.append("  grades " + ", ".join(f"{g} >= {plain(m)}" for g, m in a.grades))
            if a.tie_break:
                lines.append(
                    "  tie_break " + ", ".join(p if d else f"-{p}" for p, d in a.tie_break)
                )
            if a.quota:
                lines.append("  quota " + _quota_text(a.quota, a.quota_per))
        return "\n".join(lines) + "\n"


def _shown(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Fraction):
        return plain(value)
    return str(value)


def _quota_text(q: QuotaSpec, per: str | None) -> str:
    parts = [f"count {q.count}" if q.count is not None else f"share {plain(q.share or 0)}"]
    if q.at_least is not None:
        parts.append(f"at_least {q.at_least}")
    if per:
        parts.append(f"per {per}")
    if q.per_at_least is not None:
        parts.append(f"per_at_least {q.per_at_least}")
    if q.min_score is not None:
        parts.append(f"min_score {plain(q.min_score)}")
    parts.append(f"boundary_tie {q.boundary_tie}")
    return ", ".join(parts)


def compile_plan(ctx: CheckContext) -> Plan:
    """Compile a rule file that passed every check into a Plan."""
    awards = {name: _compile_award(ctx, name, award) for name, award in ctx.rules.awards.items()}
    order = ctx.order or list(awards)
    text = ctx.src.text.encode("utf-8")
    return Plan(
        campaign=ctx.rules.campaign.id,
        title=ctx.rules.campaign.title,
        precision=ctx.rules.campaign.precision,
        catalog=ctx.catalog,
        awards=tuple(awards[a] for a in order),
        rules_sha256=hashlib.sha256(text).hexdigest(),
    )


def _compiled(ctx: CheckContext, path: PathKey, text: str) -> CompiledExpr:
    checked = ctx.exprs[path]
    return CompiledExpr(text, checked, compile_expr(checked))


def _compile_award(ctx: CheckContext, name: str, award: Award) -> AwardPlan:
    base: PathKey = ("awards", name)
    nodes: dict[str, NodePlan] = {}
    for dotted, path, node, part in award_nodes(name, award):
        assert node.max is not None
        children = tuple(f"{dotted}.{k}" for k in node.criteria) if node.criteria else ()
        metric = _compiled(ctx, (*path, "metric"), node.metric) if node.metric else None
        default: Value = (
            to_fraction(node.default) if isinstance(node.default, Decimal) else node.default
        )
        nodes[dotted] = NodePlan(
            path=dotted,
            title=node.title or dotted,
            max=to_fraction(node.max),
            part=part,  # type: ignore[arg-type]
            children=children,
            metric=metric,
            default=default,
            score=_compile_score(ctx, path, node.score) if node.score is not None else None,
        )
    tables: set[str] = set()
    deps: set[str] = set()
    for path, checked in ctx.exprs.items():
        if path[:2] == base:
            tables.update(checked.tables)
            for t, col in checked.reads:
                info = ctx.catalog.tables.get(t)
                if info is not None and col in info.virtual:
                    deps.add(col)
    quota = award.quota
    return AwardPlan(
        name=name,
        title=award.title,
        subjects=award.subjects,
        eligible=_compiled(ctx, (*base, "eligible"), award.eligible) if award.eligible else None,
        vetoes=tuple(
            VetoPlan(_compiled(ctx, (*base, "veto", i, "when"), v.when), v.reason)
            for i, v in enumerate(award.veto)
        ),
        nodes=nodes,
        top=tuple(award.criteria),
        bonus=_block(award, "bonus"),
        deductions=_block(award, "deductions"),
        grades=tuple(
            sorted(((g, to_fraction(m)) for g, m in award.grades.items()), key=lambda t: -t[1])
        ),
        tie_break=tuple((t.lstrip("-"), not t.startswith("-")) for t in award.ranking.tie_break),
        quota=None
        if quota is None
        else QuotaSpec(
            count=quota.count,
            share=to_fraction(quota.share) if quota.share is not None else None,
            at_least=quota.at_least,
            min_score=to_fraction(quota.min_score) if quota.min_score is not None else None,
            per=quota.per is not None,
            boundary_tie=quota.boundary_tie,
            per_at_least=quota.per_at_least,
        ),
        quota_per=quota.per if quota else None,
        tables=frozenset(tables),
        depends_on=frozenset(deps - {name}),
    )


def _block(award: Award, name: str) -> BlockPlan | None:
    block = getattr(award, name)
    if block is None:
        return None
    assert block.max is not None
    return BlockPlan(to_fraction(block.max), tuple(f"{name}.{k}" for k in block.items))


def _compile_score(ctx: CheckContext, path: PathKey, score: object) -> ScorePlan:
    if isinstance(score, Linear):
        return ScorePlan("linear", lo=to_fraction(score.linear[0]), hi=to_fraction(score.linear[1]))
    if isinstance(score, Bands):
        bands = tuple(
            BandPlan(
                to_fraction(b.min) if b.min is not None else None,
                to_fraction(b.max) if b.max is not None else None,
                to_fraction(b.points),
            )
            for b in score.bands
        )
        return ScorePlan("bands", bands=bands)
    if isinstance(score, Per):
        return ScorePlan("per", per=to_fraction(score.per))
    if isinstance(score, Percentile):
        return ScorePlan("percentile", within=score.percentile.within)
    if isinstance(score, Formula):
        return ScorePlan("formula", expr=_compiled(ctx, (*path, "score", "formula"), score.formula))
    assert isinstance(score, When)
    return ScorePlan("when", expr=_compiled(ctx, (*path, "score", "when"), score.when))
