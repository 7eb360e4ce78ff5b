"""A subject's no-data marks and warnings as SQL, in the order the interpreter records them.

The interpreter walks the criteria tree (`outcomes.RowReader._walk` reads
the same walk back in Python): gate warnings first, then each leaf's metric
warnings, its no-data mark when the metric is null (and then nothing more
of that leaf), its formula's node reads and warnings, and its formula's
no-data mark. Most of that order is fixed; only a leaf whose formula reads
`node()` and that has a metric makes it depend on the row (a null metric
skips the reads). Those leaves are few: the walk is done once for every
combination of their metrics being null, and the SQL picks the right one.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from .award import CompiledAward, Step
from .rational import lit
from .textsql import as_text, json_list, json_text, string
from .values import Unsupported

MAX_BRANCHES = 3
"""Leaves whose metric decides the walk's order; more is left to Python (2^n orders)."""


@dataclass(frozen=True)
class Mark:
    """One entry that may be recorded: its JSON spelling and when it holds (None: always)."""

    spelled: list[exp.Expression]
    cond: exp.Expression | None


def _col(name: str) -> exp.Expression:
    return exp.column(name, quoted=True)


def _and(a: exp.Expression | None, b: exp.Expression | None) -> exp.Expression | None:
    if a is None:
        return b
    if b is None:
        return a
    return exp.And(this=exp.Paren(this=a), expression=exp.Paren(this=b))


def _is_null(column: str) -> exp.Expression:
    return exp.Is(this=_col(column), expression=exp.Null())


class Walk:
    """The interpreter's walk over one compiled award, symbolically."""

    def __init__(self, compiled: CompiledAward) -> None:
        self.c = compiled
        nodes = compiled.award.nodes
        self.branching = [
            path
            for path in nodes
            if path in compiled.metrics
            and any(st.kind == "node" for st in compiled.score_events.get(path, ()))
        ]
        if len(self.branching) > MAX_BRANCHES:
            raise Unsupported(f"more than {MAX_BRANCHES} formulas reading node() after a metric")

    def lists(self) -> tuple[exp.Expression, exp.Expression]:
        """(no_data, warnings): each a JSON list expression over the scored columns."""
        variants = []
        for nulls in itertools.product((False, True), repeat=len(self.branching)):
            null_set = {p for p, is_null in zip(self.branching, nulls, strict=True) if is_null}
            no_data, warnings = self._walk(null_set)
            conds = [
                _is_null(self.c.metrics[p].column)
                if p in null_set
                else exp.Not(this=_is_null(self.c.metrics[p].column))
                for p in self.branching
            ]
            variants.append((conds, json_list(_items(no_data)), json_list(_items(warnings))))
        if len(variants) == 1:
            return variants[0][1], variants[0][2]
        return _pick([(c, n) for c, n, _ in variants]), _pick([(c, w) for c, _, w in variants])

    def _walk(self, null_set: set[str]) -> tuple[list[Mark], list[Mark]]:
        c = self.c
        nodes = c.award.nodes
        no_data: list[Mark] = []
        warnings: list[Mark] = []
        done: set[str] = set()

        def steps(where: str, todo: Sequence[Step], guard: exp.Expression | None) -> None:
            for step in todo:
                if step.kind == "node":
                    visit(step.target)
                else:
                    warnings.append(_warning(where, step, guard))

        def visit(path: str) -> None:
            if path in done:
                return
            done.add(path)
            node = nodes[path]
            if node.children:
                for child in node.children:
                    visit(child)
                return
            guard: exp.Expression | None = None
            out = c.metrics.get(path)
            if out is not None:
                steps(path, c.metric_events.get(path, ()), None)
                if path in self.branching:
                    if path in null_set:
                        no_data.append(Mark([string(json_text(path))], None))
                        return
                else:
                    no_data.append(Mark([string(json_text(path))], _is_null(out.column)))
                    guard = exp.Not(this=_is_null(out.column))
            steps(path, c.score_events.get(path, ()), guard)
            flag = c.formula_null.get(path)
            if flag is not None:
                no_data.append(Mark([string(json_text(path))], _and(guard, _truthy(flag))))

        for where, todo in c.gate_events:
            steps(where, todo, None)
        for path in nodes:
            visit(path)
        return no_data, warnings


def _truthy(column: str) -> exp.Expression:
    return exp.EQ(
        this=exp.Case(ifs=[exp.If(this=_col(column), true=lit(1))], default=lit(0)),
        expression=lit(1),
    )


def _warning(where: str, step: Step, guard: exp.Expression | None) -> Mark:
    """`trimmed_mean` with too few values: the interpreter's warning text."""
    text = json_text(
        f"{where}: {step.label} needs more than {2 * step.trim} values"
        f" to drop {step.trim} at each end, got "
    )
    count = _col(step.column)
    spelled = [string(text[:-1]), as_text(count), string('"')]
    return Mark(spelled, _and(guard, exp.LTE(this=count, expression=lit(2 * step.trim))))


def _items(marks: list[Mark]) -> list[tuple[exp.Expression | None, list[exp.Expression]]]:
    return [(m.cond, m.spelled) for m in marks]


def _pick(variants: list[tuple[list[exp.Expression], exp.Expression]]) -> exp.Expression:
    ifs = []
    for conds, value in variants[:-1]:
        cond = conds[0]
        for more in conds[1:]:
            cond = exp.And(this=cond, expression=more)
        ifs.append(exp.If(this=cond, true=value))
    return exp.Case(ifs=ifs, default=variants[-1][1])
