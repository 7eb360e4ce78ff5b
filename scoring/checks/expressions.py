"""Expression passes: type-check every expression against the catalog, then
look for cycles between nodes (through `node()`) and between awards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import cast

from scoring.catalog import ColumnType
from scoring.checks.check_context import CheckContext, award_nodes, criteria_paths
from scoring.diagnostics import Diagnostic
from scoring.expr import ExprContext, ExprError, check
from scoring.expr.nodes import Call, Expr, Name, String, SubjectRef, TableColumn, walk
from scoring.model import Award, Bands, Formula, Linear, Node, Per, Percentile, When
from scoring.source import PathKey

Diags = Iterator[Diagnostic]


@dataclass(frozen=True)
class ExprSite:
    """One expression in the rule file and what it must be."""

    path: PathKey
    text: str
    ctx: ExprContext
    want: str | None  # "bool", "number" or None for any type
    what: str


def _check_one(ctx: CheckContext, site: ExprSite) -> Diags:
    try:
        checked = check(site.text, site.ctx)
    except ExprError as exc:
        for issue in exc.issues:
            line, col, end_col = ctx.src.expression_span(site.path, issue.start, issue.end)
            yield ctx.src.at(
                issue.code, f"{site.what}: {issue.message}", line, col, end_col, hint=issue.hint
            )
        return
    ctx.exprs[site.path] = checked
    if site.want is not None and checked.type not in (site.want, "null"):
        yield ctx.src.diag(
            "E-EXPR-TYPE",
            f"{site.what} must be {_article(site.want)}, but it is {_article(checked.type)}",
            site.path,
        )


def _article(t: str) -> str:
    return {"bool": "a condition (true/false)", "number": "a number"}.get(t, f"a {t}")


def _sites(ctx: CheckContext, name: str, award: Award) -> Iterator[ExprSite]:
    catalog = ctx.catalog
    base = ExprContext(
        catalog=catalog, subject_table=award.subjects, hidden_virtual=frozenset({name})
    )
    here = ("awards", name)
    if award.eligible is not None:
        yield ExprSite((*here, "eligible"), award.eligible, base, "bool", "eligible")
    for i, veto in enumerate(award.veto):
        yield ExprSite((*here, "veto", i, "when"), veto.when, base, "bool", "veto")
    paths = criteria_paths(award)
    for dotted, path, node, _part in award_nodes(name, award):
        if node.metric is not None:
            want = "number" if isinstance(node.score, Linear | Bands | Per | Percentile) else None
            yield ExprSite((*path, "metric"), node.metric, base, want, f"metric of `{dotted}`")
        yield from _score_sites(ctx, dotted, path, node, base, paths)


def _score_sites(
    ctx: CheckContext,
    dotted: str,
    path: PathKey,
    node: Node,
    base: ExprContext,
    paths: frozenset[str],
) -> Iterator[ExprSite]:
    score = node.score
    if not isinstance(score, Formula | When):
        return
    x_type = _metric_type(ctx, (*path, "metric")) if node.metric is not None else None
    sctx = ExprContext(
        catalog=base.catalog,
        subject_table=base.subject_table,
        x_type=x_type,
        node_paths=paths,
        hidden_virtual=base.hidden_virtual,
    )
    if isinstance(score, Formula):
        yield ExprSite(
            (*path, "score", "formula"), score.formula, sctx, "number", f"formula of `{dotted}`"
        )
    else:
        yield ExprSite((*path, "score", "when"), score.when, sctx, "bool", f"`when` of `{dotted}`")


def _metric_type(ctx: CheckContext, path: PathKey) -> ColumnType:
    """The type `x` has in a formula: its metric's type (number if unknown)."""
    checked = ctx.exprs.get(path)
    t = checked.type if checked is not None else "number"
    return cast(ColumnType, t) if t in ("bool", "text", "date") else "number"


def check_expressions(ctx: CheckContext) -> Diags:
    """Every expression parses and type-checks; defaults match their metric."""
    for name, award in ctx.rules.awards.items():
        subjects = ctx.catalog.tables.get(award.subjects)
        if subjects is None or subjects.kind != "subject":
            continue  # reported by check_awards; checking against it would only add noise
        for site in _sites(ctx, name, award):
            yield from _check_one(ctx, site)
        for dotted, path, node, _part in award_nodes(name, award):
            yield from _check_default(ctx, dotted, path, node)


def _check_default(ctx: CheckContext, dotted: str, path: PathKey, node: Node) -> Diags:
    if node.default is None or node.metric is None:
        return
    checked = ctx.exprs.get((*path, "metric"))
    if checked is None or checked.type == "null":
        return
    d = node.default
    given = "bool" if isinstance(d, bool) else "text" if isinstance(d, str) else "number"
    if checked.type == "date":
        if not (isinstance(d, str) and _is_iso_date(d)):
            yield ctx.src.diag(
                "E-DEFAULT-TYPE",
                f"`default` of `{dotted}` must be a date like 2022-01-01: its metric is a date",
                (*path, "default"),
            )
        return
    if given != checked.type:
        yield ctx.src.diag(
            "E-DEFAULT-TYPE",
            f"`default` of `{dotted}` is a {given}, but its metric is a {checked.type}",
            (*path, "default"),
        )


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """A cycle in a small directed graph, as a list of names, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return [*stack[stack.index(m) :], m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (found := visit(n)):
            return found
    return None


def check_node_cycles(ctx: CheckContext) -> Diags:
    """`node('PATH')` references never form a cycle (parents depend on children)."""
    for name, award in ctx.rules.awards.items():
        graph: dict[str, set[str]] = {}
        where: dict[str, PathKey] = {}
        for dotted, path, node, part in award_nodes(name, award):
            if part != "criteria":
                continue
            deps = graph.setdefault(dotted, set())
            if node.criteria is not None:
                deps.update(f"{dotted}.{k}" for k in node.criteria)
            for key in ("formula", "when"):
                checked = ctx.exprs.get((*path, "score", key))
                if checked is not None:
                    deps.update(checked.nodes)
                    where[dotted] = (*path, "score", key)
        cycle = _find_cycle(graph)
        if not cycle:
            continue
        message = "node references form a cycle: " + " -> ".join(cycle)
        hint = "a formula cannot read its own node, an ancestor, or a node that reads it"
        for source, target in zip(cycle, cycle[1:], strict=False):
            at = where.get(source)
            checked = ctx.exprs.get(at) if at is not None else None
            if at is None or checked is None or target not in checked.nodes:
                continue
            call = next(
                (
                    e
                    for e in walk(checked.expr)
                    if isinstance(e, Call)
                    and e.func == "node"
                    and e.args
                    and isinstance(e.args[0], String)
                    and e.args[0].value == target
                ),
                None,
            )
            yield _at_part(ctx, at, call, "E-NODE-CYCLE", message, hint)
            break
        else:
            yield ctx.src.diag(
                "E-NODE-CYCLE", message, ("awards", name, "criteria"), at_key=True, hint=hint
            )


def _at_part(
    ctx: CheckContext, path: PathKey, part: Expr | None, code: str, message: str, hint: str
) -> Diagnostic:
    """A diagnostic under one sub-expression of the expression at `path` (or all of it)."""
    if part is None:
        return ctx.src.diag(code, message, path, hint=hint)
    line, col, end_col = ctx.src.expression_span(path, part.start, part.end)
    return ctx.src.at(code, message, line, col, end_col, hint=hint)


def award_dependencies(ctx: CheckContext) -> dict[str, set[str]]:
    """award -> the awards whose totals its expressions read."""
    deps: dict[str, set[str]] = {a: set() for a in ctx.rules.awards}
    for path, checked in ctx.exprs.items():
        award = str(path[1])
        for table, column in checked.reads:
            info = ctx.catalog.tables.get(table)
            if info is not None and column in info.virtual:
                deps[award].add(column)
    return deps


def check_award_cycles(ctx: CheckContext) -> Diags:
    """Awards read each other's totals without a cycle; records the scoring order."""
    deps = award_dependencies(ctx)
    cycle = _find_cycle(deps)
    if cycle:
        yield _award_cycle(ctx, cycle)
        return
    order: list[str] = []
    done: set[str] = set()

    def place(a: str) -> None:
        if a in done:
            return
        done.add(a)
        for d in sorted(deps[a]):
            place(d)
        order.append(a)

    for a in ctx.rules.awards:
        place(a)
    ctx.order = order


def _award_cycle(ctx: CheckContext, cycle: list[str]) -> Diagnostic:
    """The cycle, reported where the first award reads the next one's total."""
    message = "awards read each other's results in a cycle: " + " -> ".join(cycle)
    hint = "an award is scored after the awards it reads; one of these reads must go"
    reader, total = cycle[0], cycle[1]
    for path, checked in ctx.exprs.items():
        if path[1] != reader or not any(
            column == total and total in ctx.catalog.tables[table].virtual
            for table, column in checked.reads
            if table in ctx.catalog.tables
        ):
            continue
        ref = next(
            (
                e
                for e in walk(checked.expr)
                if isinstance(e, Name)
                and e.id == total
                or isinstance(e, TableColumn | SubjectRef)
                and (e.column == total or e.column.startswith(f"{total}."))
                or isinstance(e, TableColumn)
                and e.where is None
                and e.table == total  # an award result field, `A.grade`
            ),
            None,
        )
        return _at_part(ctx, path, ref, "E-AWARD-CYCLE", message, hint)
    return ctx.src.diag("E-AWARD-CYCLE", message, ("awards", reader), at_key=True, hint=hint)
