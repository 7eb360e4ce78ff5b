"""The compiled plan: a frozen, printable value that backends execute.

`compile_plan` turns a checked rule file into a `Plan`; `Plan.describe()`
prints a deterministic text form (golden tests compare it).

The plan is pure data. Expressions are kept as their checked, typed trees
(`CompiledExpr.checked`), never as closures: each backend compiles them its
own way when it runs (`scoring.backends`). Each award is a sequence of
explicit steps (`AwardPlan.steps`), executed in this order:

1. `ReadUpstream`: earlier awards' computed results read as virtual columns
   of a subject table's rows (SPEC §2.3), one step per table;
2. `Gate`: eligibility and vetoes, decided before any node is scored;
3. `PercentilePass`: a first pass over the award's ranked subjects that
   gives each one its percent rank on every percentile leaf's metric;
4. `ScoreNodes`: every node in an explicit order, children and `node()`
   targets before the nodes that add or read them;
5. `Combine`: the total, criteria + bonus − deductions, never below 0.

Ranking, grades and the quota (`scoring.ranking`) come after the backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal, TypeVar

from scoring.catalog import Catalog
from scoring.checks.check_context import CheckContext, award_nodes
from scoring.errors import InternalError
from scoring.expr import CheckedExpr
from scoring.model import Award, Bands, Formula, Linear, Per, Percentile, When
from scoring.numbers import Value, plain, to_fraction
from scoring.ranking import QuotaSpec
from scoring.source import PathKey

ScoreKind = Literal["linear", "bands", "per", "percentile", "formula", "when"]
Part = Literal["criteria", "bonus", "deductions"]


@dataclass(frozen=True)
class CompiledExpr:
    """An expression's text and its checked, typed tree (no evaluator: a
    backend compiles `checked` when it runs the plan)."""

    text: str
    checked: CheckedExpr = field(repr=False, compare=False)


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

    def raw_points(self, x: Fraction, top: Fraction) -> Fraction:
        """The points of `linear`, `bands` or `per` for a metric value `x`
        on a leaf whose `max` is `top`, before clipping to `[0, top]`."""
        if self.kind == "linear":
            assert self.lo is not None and self.hi is not None
            ratio = (x - self.lo) / (self.hi - self.lo)
            return top * max(Fraction(0), min(Fraction(1), ratio))
        if self.kind == "bands":
            return next((b.points for b in self.bands if b.holds(x)), Fraction(0))
        if self.kind == "per":
            assert self.per is not None
            return self.per * x if self.per > 0 else top + self.per * x
        raise ValueError(f"`{self.kind}` does not score from the metric alone")

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
class ReadUpstream:
    """Step 1: earlier awards' computed results read as virtual columns of
    `table`'s rows (the award's own subjects, or a subject table it aggregates)."""

    table: str
    awards: tuple[str, ...]

    def describe(self) -> str:
        names = ", ".join(self.awards)
        return f"read the results of {names} (total and fields) as columns of {self.table}"


@dataclass(frozen=True)
class Gate:
    """Step 2: eligibility and vetoes (a null `eligible` is not eligible; a
    null `veto.when` does not veto); decided before scoring, without points."""

    eligible: CompiledExpr | None
    vetoes: tuple[VetoPlan, ...]

    def describe(self) -> str:
        lines = [f"eligible {self.eligible.text}"] if self.eligible else []
        lines.extend(f"veto {v.when.text} => {v.reason}" for v in self.vetoes)
        return "\n".join(lines)


@dataclass(frozen=True)
class PercentilePass:
    """Step 3: over the ranked subjects with a non-null metric, each subject's
    percent rank on each of these leaves (within the leaf's `within` column)."""

    leaves: tuple[str, ...]

    def describe(self) -> str:
        return f"percentile pass over ranked subjects: {', '.join(self.leaves)}"


@dataclass(frozen=True)
class ScoreNodes:
    """Step 4: every node's points, in `order` (children and `node()` targets
    first); leaves clip to `[0, max]` and round, parents add rounded figures."""

    order: tuple[str, ...]

    def describe(self) -> str:
        return f"score nodes in order: {', '.join(self.order)}"


@dataclass(frozen=True)
class Combine:
    """Step 5: total = `top` + bonus − deductions (blocks clipped to their
    `max`, then rounded), never below 0."""

    top: tuple[str, ...]
    bonus: BlockPlan | None
    deductions: BlockPlan | None

    def describe(self) -> str:
        text = " + ".join(self.top)
        if self.bonus is not None:
            text += " + bonus"
        if self.deductions is not None:
            text += " - deductions"
        return f"total = max(0, {text})"


Step = ReadUpstream | Gate | PercentilePass | ScoreNodes | Combine


@dataclass(frozen=True)
class AwardPlan:
    """Everything needed to score, rank and select one award.

    `steps` is what a backend executes (see the module docstring); `nodes`
    holds every criteria node, bonus item and deduction item by dotted path.
    """

    name: str
    title: str
    subjects: str
    steps: tuple[Step, ...]
    nodes: Mapping[str, NodePlan]
    grades: tuple[tuple[str, Fraction], ...]
    tie_break: tuple[tuple[str, bool], ...]  # (path, higher first)
    quota: QuotaSpec | None
    quota_per: str | None
    tables: frozenset[str]  # tables aggregated by any expression
    depends_on: frozenset[str]

    def _step(self, kind: type[_S]) -> _S:
        for step in self.steps:
            if isinstance(step, kind):
                return step
        raise InternalError(f"award {self.name} has no {kind.__name__} step")  # pragma: no cover

    @property
    def upstream(self) -> tuple[ReadUpstream, ...]:
        """The `ReadUpstream` steps, one per table that carries virtual columns."""
        return tuple(s for s in self.steps if isinstance(s, ReadUpstream))

    @property
    def gate(self) -> Gate:
        return self._step(Gate)

    @property
    def eligible(self) -> CompiledExpr | None:
        return self.gate.eligible

    @property
    def vetoes(self) -> tuple[VetoPlan, ...]:
        return self.gate.vetoes

    @property
    def percentile_leaves(self) -> tuple[str, ...]:
        found = [s.leaves for s in self.steps if isinstance(s, PercentilePass)]
        return found[0] if found else ()

    @property
    def order(self) -> tuple[str, ...]:
        """Every node, children and `node()` targets before what reads them."""
        return self._step(ScoreNodes).order

    @property
    def top(self) -> tuple[str, ...]:
        return self._step(Combine).top

    @property
    def bonus(self) -> BlockPlan | None:
        return self._step(Combine).bonus

    @property
    def deductions(self) -> BlockPlan | None:
        return self._step(Combine).deductions

    @property
    def has_percentile(self) -> bool:
        return bool(self.percentile_leaves)

    def point_paths(self) -> list[str]:
        """Every figure of `points`: nodes, then the blocks and their items."""
        out = [p for p, n in self.nodes.items() if n.part == "criteria"]
        for name, block in (("bonus", self.bonus), ("deductions", self.deductions)):
            if block is not None:
                out.append(name)
                out.extend(block.items)
        return out

    def describe(self) -> list[str]:
        """The award's lines of `Plan.describe()`."""
        lines = [f"award {self.name} ({self.title}) over {self.subjects}"]
        if self.depends_on:
            lines.append(f"  after {', '.join(sorted(self.depends_on))}")
        for step in self.steps:
            if isinstance(step, ScoreNodes):
                lines.extend(self._describe_nodes())
            text = step.describe()
            lines.extend(f"  {line}" for line in text.splitlines())
        if self.grades:
            lines.append("  grades " + ", ".join(f"{g} >= {plain(m)}" for g, m in self.grades))
        if self.tie_break:
            lines.append("  tie_break " + ", ".join(p if d else f"-{p}" for p, d in self.tie_break))
        if self.quota:
            lines.append("  quota " + _quota_text(self.quota, self.quota_per))
        return lines

    def _describe_nodes(self) -> Iterator[str]:
        for node in self.nodes.values():
            depth = node.path.count(".") + 1 if node.part == "criteria" else 1
            head = f"{'  ' * depth}{node.path} max {plain(node.max)}"
            if node.is_leaf:
                metric = f" metric {node.metric.text}" if node.metric else ""
                default = f" default {_shown(node.default)}" if node.default is not None else ""
                score = f" score {node.score.describe()}" if node.score else ""
                head += metric + default + score
            yield head
        for name, block in (("bonus", self.bonus), ("deductions", self.deductions)):
            if block is not None:
                yield f"  {name} max {plain(block.max)}: {', '.join(block.items)}"


_S = TypeVar("_S", ReadUpstream, Gate, PercentilePass, ScoreNodes, Combine)


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
            lines.extend(a.describe())
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
    return CompiledExpr(text, ctx.exprs[path])


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
    reads: set[tuple[str, str]] = set()
    for path, checked in ctx.exprs.items():
        if path[:2] == base:
            tables.update(checked.tables)
            reads.update(checked.reads)
    upstream = _upstream_reads(ctx.catalog, award.subjects, tables, reads, name)
    gate = Gate(
        eligible=_compiled(ctx, (*base, "eligible"), award.eligible) if award.eligible else None,
        vetoes=tuple(
            VetoPlan(_compiled(ctx, (*base, "veto", i, "when"), v.when), v.reason)
            for i, v in enumerate(award.veto)
        ),
    )
    steps: list[Step] = [*upstream, gate]
    leaves = tuple(p for p, n in nodes.items() if n.score and n.score.kind == "percentile")
    if leaves:
        steps.append(PercentilePass(leaves))
    steps.append(ScoreNodes(node_order(nodes)))
    steps.append(
        Combine(tuple(award.criteria), _block(award, "bonus"), _block(award, "deductions"))
    )
    quota = award.quota
    return AwardPlan(
        name=name,
        title=award.title,
        subjects=award.subjects,
        steps=tuple(steps),
        nodes=nodes,
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
        depends_on=frozenset(a for step in upstream for a in step.awards),
    )


def _upstream_reads(
    catalog: Catalog,
    subjects: str,
    tables: set[str],
    reads: set[tuple[str, str]],
    own: str,
) -> list[ReadUpstream]:
    """One `ReadUpstream` per table whose virtual award columns the award reads."""
    out = []
    for table in [subjects, *sorted(tables - {subjects})]:
        info = catalog.tables.get(table)
        if info is None or not info.virtual:
            continue
        awards = tuple(sorted({c for t, c in reads if t == table and c in info.virtual} - {own}))
        if awards:
            out.append(ReadUpstream(table, awards))
    return out


def node_order(nodes: Mapping[str, NodePlan]) -> tuple[str, ...]:
    """Every node after its children and the nodes its `node('PATH')` reads
    (depth first, in declaration order; the checks reject cycles)."""
    done: dict[str, None] = {}

    def visit(path: str) -> None:
        if path in done:
            return
        node = nodes[path]
        for dep in (*node.children, *_node_reads(node)):
            visit(dep)
        done[path] = None

    for path in nodes:
        visit(path)
    return tuple(done)


def _node_reads(node: NodePlan) -> list[str]:
    expr = node.score.expr if node.score is not None else None
    return sorted(expr.checked.nodes) if expr is not None else []


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
