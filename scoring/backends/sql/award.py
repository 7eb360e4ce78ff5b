"""Compile one award of the plan into one SQL query.

The query is a stack of SELECTs, each adding columns to the one below:

1. base: the subject table, LEFT JOINed to one GROUP BY subquery per linked
   table (every aggregate of the award, see `passes`) and to the
   upstream awards' totals it reads; subject columns as `c_NAME`;
2. gate and metrics: `e` (eligible), `v0..` (each veto holds), each metric
   after `default` (`x0..`, a numerator/denominator pair for numbers);
3. points, one layer per level of the criteria tree (leaves first; a
   `formula` reading `node()` after the nodes it reads), each a scaled
   integer (units of 10^-precision), clipped and rounded half up exactly;
4. the bonus and deduction blocks and the total (never below 0).

Rows come out in subject-key order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from sqlglot import exp

from scoring.expr.functions import AGGREGATES
from scoring.expr.nodes import Call, Expr, Name, Number, SubjectRef, TableColumn, render
from scoring.numbers import Value
from scoring.plan import AwardPlan, CompiledExpr, NodePlan, Plan

from . import upstream
from .dialects import Dialect
from .exprs import ExprCompiler, evaluation_events, literal, node_target
from .passes import Aggregates, TableRef
from .points import Points, add_all, half_up_units
from .rational import Arith, Bounds, Ratio, paren
from .stats import DatasetStats
from .values import Scalar, SqlValue, Unsupported, is_null_test, named

MetricKind = Literal["number", "bool", "text", "date", "null"]


@dataclass(frozen=True)
class Step:
    """A warning the interpreter may give while it computes: when the value count in
    `column` is at most 2k, warn `label` (a `trimmed_mean`)."""

    column: str = ""
    trim: int = 0
    label: str = ""


@dataclass(frozen=True)
class MetricOut:
    """Where a node's metric is in the result row."""

    path: str
    kind: MetricKind
    column: str  # numerator, or the value itself
    denominator: str | int = 1  # a column name, or a constant
    dmax: int = 1  # the largest the denominator can be


@dataclass
class CompiledAward:
    """The query of one award and how to read its rows back."""

    award: AwardPlan
    query: exp.Select
    columns: list[str]
    metrics: dict[str, MetricOut]
    formula_null: dict[str, str]  # leaf path -> column: the formula was null
    gate_events: list[tuple[str, list[Step]]]  # ("eligible" / "veto N", steps)
    metric_events: dict[str, list[Step]]  # leaf path -> steps of its metric
    score_events: dict[str, list[Step]]  # leaf path -> steps of its formula / when
    upstream: tuple[str, ...]  # awards whose totals the query reads
    bounds: Bounds
    subject_columns: dict[str, str] = field(default_factory=dict)  # name/unit/group -> column


class AwardCompiler:
    """Builds the query for one award."""

    def __init__(
        self,
        plan: Plan,
        award: AwardPlan,
        dialect: Dialect,
        stats: DatasetStats,
        period: tuple[dt.date, dt.date],
        upstream_largest: Callable[[str], int] = lambda award: 0,
        tables: TableRef | None = None,
        scan_whole: frozenset[str] = frozenset(),
    ) -> None:
        self.tables: TableRef = tables or _declared_table
        self.plan = plan
        self.award = award
        self.catalog = plan.catalog
        self.info = plan.catalog.tables[award.subjects]
        self.dialect = dialect
        self.stats = stats
        self.period = period
        self.bounds = Bounds(enforce=stats.known)
        self.arith = Arith(dialect, self.bounds)
        self.upstream_largest = upstream_largest
        self.aggs = Aggregates(
            plan.catalog,
            award.subjects,
            self.arith,
            stats,
            period,
            plan.precision,
            upstream_largest,
            scan_whole,
        )
        self.base_columns: dict[str, exp.Expression] = {}  # name -> expression over s / t_* / u_*
        self._base_names: dict[str, str] = {}  # SQL text -> its b* column (shared when equal)
        self.virtual: set[str] = set()
        self.scale = 10**plan.precision
        self.scores = Points(self.arith, self.scale)

    # -- leaves of expressions in the outer query ----------------------------------

    def _resolver(self, checked: CompiledExpr, x: SqlValue | None) -> Callable[[Expr], SqlValue]:
        def resolve(e: Expr) -> SqlValue:
            if isinstance(e, Name):
                if e.id == "x" and checked.checked.reads_x:
                    if x is None:
                        raise Unsupported("`x` without a metric")
                    return x
                return self._subject_value(e.id)
            if isinstance(e, Call) and e.func in AGGREGATES:
                value = self.aggs.value(e, checked.checked)
                return self._lift(value)
            if isinstance(e, Call) and e.func == "node":
                raise Unsupported("`node()` outside a formula")  # handled by _node_resolver
            if isinstance(e, SubjectRef):
                raise Unsupported("`subject.NAME` outside a row filter")
            if isinstance(e, TableColumn) and e.where is None:  # an award result field
                return self._subject_value(f"{e.table}.{e.column}")
            raise Unsupported(f"`{render(e)}`")

        return resolve

    def _lift(self, value: SqlValue) -> SqlValue:
        """An aggregate's value re-expressed over columns of the base layer."""
        if isinstance(value, Scalar):
            return Scalar(self._base(value.sql), value.kind)
        n = self._base(value.n)
        d: int | exp.Expression = value.d if isinstance(value.d, int) else self._base(value.d)
        return Ratio(n, d, value.nmax, value.dmax)

    def _base(self, e: exp.Expression) -> exp.Expression:
        """Expose `e` (over t_*.g* columns) as a base column; return a reference to it."""
        # aggregate columns come from the GROUP BY subqueries: qualify them
        expr = e
        for col in list(expr.find_all(exp.Column)):
            if not col.table:
                owner = self.aggs.owner[col.name]
                col.set("table", exp.to_identifier(owner, quoted=True))
        key = expr.sql(copy=False)
        name = self._base_names.get(key)
        if name is None:
            name = self._base_names[key] = f"b{len(self.base_columns)}"
            self.base_columns[name] = expr
        return exp.column(name, quoted=True)

    def _subject_value(self, column: str) -> SqlValue:
        read = upstream.split(self.info, column)
        if read is not None:
            award, fld = read
            self.virtual.add(award)
            name = f"v_{award}_{fld}"
            self.base_columns.setdefault(name, upstream.field_sql(f"u_{award}", fld))
            ref = exp.column(name, quoted=True)
            kind = upstream.field_type(fld)
            if fld == "total":
                return Ratio(ref, self.scale, self.upstream_largest(award), self.scale)
            if kind == "int":
                return Ratio(ref, 1, max(self.stats.rows.values(), default=0), 1)
            return Scalar(ref, kind)  # type: ignore[arg-type]
        ctype = self.info.columns.get(column)
        if ctype is None:
            raise Unsupported(f"the subject column `{column}`")
        src = exp.column(column, table="s", quoted=True)
        name = f"c_{column}"
        ref = exp.column(name, quoted=True)
        if ctype == "number":
            cs = self.stats.column(self.award.subjects, column)
            self.base_columns.setdefault(name, self.dialect.scaled_number(src, cs.scale))
            return Ratio(ref, 10**cs.scale, cs.largest, 10**cs.scale)
        self.base_columns.setdefault(name, src)
        if ctype == "int":
            return Ratio(ref, 1, self.stats.column(self.award.subjects, column).largest, 1)
        return Scalar(ref, ctype)

    def _compiler(self, checked: CompiledExpr, x: SqlValue | None = None) -> ExprCompiler:
        return ExprCompiler(checked.checked, self.arith, self.period, self._resolver(checked, x))

    # -- the award ---------------------------------------------------------------

    def compile(self) -> CompiledAward:
        award = self.award
        key = self.info.key
        assert key is not None
        layers: list[list[tuple[str, exp.Expression]]] = []
        gate: list[tuple[str, exp.Expression]] = []
        gate_events: list[tuple[str, list[Step]]] = []
        if award.eligible is not None:
            cond = self._compiler(award.eligible).boolean(award.eligible.checked.expr)
            gate.append(("e", exp.Coalesce(this=paren(cond), expressions=[exp.false()])))
            gate_events.append(("eligible", self._steps(award.eligible)))
        else:
            gate.append(("e", exp.true()))
        for i, veto in enumerate(award.vetoes):
            cond = self._compiler(veto.when).boolean(veto.when.checked.expr)
            gate.append((f"v{i}", exp.Coalesce(this=paren(cond), expressions=[exp.false()])))
            gate_events.append((f"veto {i + 1}", self._steps(veto.when)))
        metric_events: dict[str, list[Step]] = {}
        metrics: dict[str, MetricOut] = {}
        metric_values: dict[str, SqlValue] = {}
        for i, node in enumerate(award.nodes.values()):
            if node.metric is None:
                continue
            value = self._metric(node)
            metric_events[node.path] = self._steps(node.metric)
            metric_values[node.path] = value
            out, cols = self._metric_columns(node.path, f"x{i}", value)
            metrics[node.path] = out
            gate.extend(cols)
        layers.append(gate)
        points, formula_null, score_events = self._points(metrics, metric_values)
        layers.extend(points)
        query = self._stack(layers)
        names = ["k", "d_name", "d_unit", "d_group"] + [n for layer in layers for n, _ in layer]
        every = [*(st for _, sts in gate_events for st in sts)]
        every += [st for sts in (*metric_events.values(), *score_events.values()) for st in sts]
        names += sorted({st.column for st in every})
        final = exp.select(*(exp.column(n, quoted=True) for n in names)).from_(
            exp.alias_(exp.Subquery(this=query), "q", quoted=True, copy=False)
        )
        final = final.order_by(exp.column("k", quoted=True), copy=False)
        return CompiledAward(
            award=award,
            query=final,
            columns=names,
            metrics=metrics,
            formula_null=formula_null,
            gate_events=gate_events,
            metric_events=metric_events,
            score_events=score_events,
            upstream=tuple(
                sorted(
                    self.virtual
                    | {v for tp in self.aggs.passes.values() for v in tp.virtual}
                    | {v for tp in self.aggs.passes.values() for v in tp.subject_virtual}
                )
            ),
            bounds=self.bounds,
        )

    def _metric(self, node: NodePlan) -> SqlValue:
        assert node.metric is not None
        compiler = self._compiler(node.metric)
        value = compiler.compile(node.metric.checked.expr)
        if node.default is None:
            return value
        default = literal(node.default, _kind_of(node.default))
        return compiler.choose([(exp.Not(this=is_null_test(value)), value)], default)

    def _metric_columns(
        self, path: str, name: str, value: SqlValue
    ) -> tuple[MetricOut, list[tuple[str, exp.Expression]]]:
        if isinstance(value, Ratio):
            cols = [(f"{name}_n", value.n)]
            denominator: str | int = value.d if isinstance(value.d, int) else f"{name}_d"
            if not isinstance(value.d, int):
                cols.append((f"{name}_d", value.d))
            return MetricOut(path, "number", f"{name}_n", denominator, value.dmax), cols
        return MetricOut(path, value.kind, name), [(name, value.sql)]

    def metric_ref(self, out: MetricOut, value: SqlValue) -> SqlValue:
        """The metric as a reference to its column in a later layer."""
        if isinstance(value, Scalar):
            return Scalar(exp.column(out.column, quoted=True), value.kind)
        d = (
            out.denominator
            if isinstance(out.denominator, int)
            else exp.column(out.denominator, quoted=True)
        )
        return Ratio(exp.column(out.column, quoted=True), d, value.nmax, value.dmax)

    # -- points --------------------------------------------------------------------

    def _points(
        self, metrics: dict[str, MetricOut], values: dict[str, SqlValue]
    ) -> tuple[list[list[tuple[str, exp.Expression]]], dict[str, str], dict[str, list[Step]]]:
        award = self.award
        nodes = award.nodes
        refs: dict[str, list[str]] = {}
        for node in nodes.values():
            if node.is_leaf and node.score is not None and node.score.expr is not None:
                refs[node.path] = [
                    node_target(c)
                    for kind, c in evaluation_events(node.score.expr.checked.expr)
                    if kind == "node"
                ]
        level: dict[str, int] = {}

        def level_of(path: str, seen: tuple[str, ...] = ()) -> int:
            if path in level:
                return level[path]
            if path in seen:
                raise Unsupported(f"a cycle through node('{path}')")
            node = nodes[path]
            deps = list(node.children) if node.children else refs.get(path, [])
            result = 0 if not deps else 1 + max(level_of(d, (*seen, path)) for d in deps)
            level[path] = result
            return result

        for path in nodes:
            level_of(path)
        depth = max(level.values(), default=-1) + 1
        layers: list[list[tuple[str, exp.Expression]]] = [[] for _ in range(depth)]
        self.point_column = {p: f"p{i}" for i, p in enumerate(nodes)}
        formula_null: dict[str, str] = {}
        for i, node in enumerate(nodes.values()):
            column = self.point_column[node.path]
            if node.children:
                summed = add_all(
                    [exp.column(self.point_column[c], quoted=True) for c in node.children]
                )
                layers[level[node.path]].append((column, self.scores.clip_sum(summed, node.max)))
                continue
            expr, null_flag = self._leaf(node, metrics, values)
            layers[level[node.path]].append((column, expr))
            if null_flag is not None:
                formula_null[node.path] = f"f{i}"
                layers[level[node.path]].append((f"f{i}", null_flag))
        final: list[tuple[str, exp.Expression]] = []
        total_parts: list[exp.Expression] = [
            exp.column(self.point_column[p], quoted=True) for p in award.top
        ]
        signed: list[tuple[exp.Expression, bool]] = [(t, False) for t in total_parts]
        for name, block in (("bonus", award.bonus), ("deductions", award.deductions)):
            if block is None:
                continue
            summed = add_all([exp.column(self.point_column[i], quoted=True) for i in block.items])
            final.append((name, self.scores.clip_sum(summed, block.max)))
        blocks: list[tuple[exp.Expression, bool]] = [
            (exp.column(n, quoted=True), n == "deductions") for n, _ in final
        ]
        layers.append(final)
        total: exp.Expression = exp.Literal.number(0)
        for i, (part, negative) in enumerate(signed + blocks):
            if i == 0 and not negative:
                total = part
            else:
                total = (exp.Sub if negative else exp.Add)(this=total, expression=part)
        zero = exp.Literal.number(0)
        clipped = exp.Case(
            ifs=[exp.If(this=exp.LT(this=paren(total), expression=zero), true=zero)], default=total
        )
        layers.append([("total", clipped)])
        score_events = {
            node.path: self._steps(node.score.expr)
            for node in nodes.values()
            if node.is_leaf and node.score is not None and node.score.expr is not None
        }
        return layers, formula_null, score_events

    def _steps(self, compiled: CompiledExpr) -> list[Step]:
        """The trimmed_mean warnings of an expression, in evaluation order."""
        steps = []
        for kind, call in evaluation_events(compiled.checked.expr):
            if kind == "node":  # a figure computed earlier in the plan's node order
                continue
            k = call.args[1]
            trim = k.value if isinstance(k, Number) and isinstance(k.value, int) else 0
            if trim == 0:
                continue
            count = self.aggs.trim_counts[f"{call.func}|{render(call)}"]
            column = self._base(count)
            assert isinstance(column, exp.Column)
            steps.append(Step(column=column.name, trim=trim, label=render(call)))
        return steps

    def _leaf(
        self, node: NodePlan, metrics: dict[str, MetricOut], values: dict[str, SqlValue]
    ) -> tuple[exp.Expression, exp.Expression | None]:
        score = node.score
        assert score is not None
        zero = exp.Literal.number(0)
        x: SqlValue | None = None
        if node.metric is not None:
            x = self.metric_ref(metrics[node.path], values[node.path])
        null_flag: exp.Expression | None = None
        scores = self.scores
        if score.kind == "linear":
            points = scores.linear(self._number_x(x, node), node, score)
        elif score.kind == "per":
            points = scores.per(self._number_x(x, node), node, score)
        elif score.kind == "bands":
            points = scores.bands(self._number_x(x, node), node, score)
        elif score.kind == "when":
            assert score.expr is not None
            cond = self._formula_compiler(node, x).boolean(score.expr.checked.expr)
            points = scores.when(cond, node)
        elif score.kind == "formula":
            assert score.expr is not None
            value = self._formula_compiler(node, x).compile(score.expr.checked.expr)
            if isinstance(value, Scalar):
                points, null_flag = zero, exp.true()
            else:
                null_flag = is_null_test(value)
                points = exp.Case(
                    ifs=[exp.If(this=null_flag, true=zero)],
                    default=scores.clip_round(value, node.max),
                )
        else:
            points, null_flag = self._percentile(node, self._number_x(x, node))
        if x is not None:
            points = exp.Case(ifs=[exp.If(this=is_null_test(x), true=zero)], default=points)
            if null_flag is not None:
                null_flag = exp.And(this=exp.Not(this=is_null_test(x)), expression=paren(null_flag))
        return points, null_flag

    def _percentile(self, node: NodePlan, x: Ratio) -> tuple[exp.Expression, exp.Expression]:
        """Percentile points, and the flag of an unranked subject (no data)."""
        assert node.score is not None
        ranked: exp.Expression = exp.column("e", quoted=True)
        for i in range(len(self.award.vetoes)):
            ranked = exp.And(this=ranked, expression=exp.Not(this=exp.column(f"v{i}", quoted=True)))
        ranked = exp.Paren(this=ranked)
        group = None
        if node.score.within is not None:
            value = self._subject_value(node.score.within)
            group = value.n if isinstance(value, Ratio) else value.sql
        people = self.stats.row_count(self.award.subjects)
        points = self.scores.percentile(x, node, ranked, group, people)
        return points, exp.Not(this=ranked)

    def _number_x(self, x: SqlValue | None, node: NodePlan) -> Ratio:
        if not isinstance(x, Ratio):
            raise Unsupported(
                f"a non-number metric scored by `{node.score.kind if node.score else ''}`"
            )
        return x

    def _formula_compiler(self, node: NodePlan, x: SqlValue | None) -> ExprCompiler:
        assert node.score is not None and node.score.expr is not None
        checked = node.score.expr
        base = self._resolver(checked, x)

        def resolve(e: Expr) -> SqlValue:
            if isinstance(e, Call) and e.func == "node":
                arg = e.args[0]
                path = getattr(arg, "value", "")
                column = self.point_column[path]
                return Ratio(
                    exp.column(column, quoted=True),
                    self.scale,
                    self._max_units(path),
                    self.scale,
                )
            return base(e)

        return ExprCompiler(checked.checked, self.arith, self.period, resolve)

    def _max_units(self, path: str) -> int:
        return half_up_units(self.award.nodes[path].max, self.scale)

    # -- the stack of SELECTs ------------------------------------------------------

    def _stack(self, layers: list[list[tuple[str, exp.Expression]]]) -> exp.Select:
        key = self.info.key
        assert key is not None
        s = exp.column(key, table="s", quoted=True)
        tables = self.tables
        items: list[exp.Expression] = [named(s, "k")]
        display = {"d_name": "name", "d_unit": "unit", "d_group": self.award.quota_per}
        for alias, column in display.items():
            if column is not None and column in self.info.columns:
                items.append(named(exp.column(column, table="s", quoted=True), alias))
            else:
                items.append(named(exp.Null(), alias))
        for name, e in self.base_columns.items():
            items.append(named(e, name))
        base = exp.select(*items).from_(
            exp.alias_(tables(self.award.subjects), "s", quoted=True, copy=False)
        )
        for tp, sub in self.aggs.subqueries(tables):
            base = base.join(
                exp.alias_(exp.Subquery(this=sub), tp.alias, quoted=True, copy=False),
                on=exp.EQ(this=exp.column("k", table=tp.alias, quoted=True), expression=s.copy()),
                join_type="left",
                copy=False,
            )
        for award in sorted(self.virtual):
            alias = f"u_{award}"
            base = base.join(
                exp.alias_(tables(upstream.upstream_table(award)), alias, quoted=True, copy=False),
                on=exp.EQ(this=exp.column("k", table=alias, quoted=True), expression=s.copy()),
                join_type="left",
                copy=False,
            )
        query = base
        for i, layer in enumerate(layers):
            if not layer:
                continue
            below = exp.Subquery(this=self.dialect.layer(query))
            query = exp.select(exp.Star(), *(named(e, n) for n, e in layer)).from_(
                exp.alias_(below, f"l{i}", quoted=True, copy=False)
            )
        return query


def _declared_table(name: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(name, quoted=True))


def _kind_of(value: Value) -> Literal["number", "bool", "text", "date", "null"]:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | Fraction):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.date):
        return "date"
    return "null"


def compile_award(
    plan: Plan,
    award: AwardPlan,
    dialect: Dialect,
    stats: DatasetStats,
    period: tuple[dt.date, dt.date],
    tables: TableRef | None = None,
    upstream_largest: Callable[[str], int] = lambda award: 0,
    scan_whole: frozenset[str] = frozenset(),
) -> CompiledAward:
    """The query scoring `award` (raises `Unsupported` or `rational.TooLarge`).

    `scan_whole`: record tables most of whose rows lie in the period (read
    whole rather than through their date index, on SQLite)."""
    compiler = AwardCompiler(
        plan, award, dialect, stats, period, upstream_largest, tables, scan_whole
    )
    return compiler.compile()
