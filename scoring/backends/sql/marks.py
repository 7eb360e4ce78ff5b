"""A subject's no-data marks and warnings as SQL, in the order the interpreter records them.

The interpreter scores the leaves in the plan's node order (children and
`node()` targets first; `outcomes.RowReader._fixed` reads the same order back
in Python): gate warnings first, then each leaf's metric warnings, its
no-data mark when the metric is null (and then nothing more of that leaf),
its formula's warnings, and its formula's no-data mark. The order is fixed;
only whether each entry is recorded depends on the row, so each entry is a
condition over the scored columns. No-data marks are listed in declaration
order, warnings in the order they were raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from .award import CompiledAward, Step
from .rational import lit
from .textsql import as_text, json_list, json_text, string


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

    def lists(self) -> tuple[exp.Expression, exp.Expression]:
        """(no_data, warnings): each a JSON list expression over the scored columns."""
        no_data, warnings = self._walk()
        return json_list(_items(no_data)), json_list(_items(warnings))

    def _walk(self) -> tuple[list[Mark], list[Mark]]:
        c = self.c
        nodes = c.award.nodes
        declared = {path: i for i, path in enumerate(nodes)}
        marked: list[tuple[str, Mark]] = []
        warnings: list[Mark] = []

        def steps(where: str, todo: Sequence[Step], guard: exp.Expression | None) -> None:
            warnings.extend(_warning(where, step, guard) for step in todo)

        for where, todo in c.gate_events:
            steps(where, todo, None)
        for path in c.award.order:
            if nodes[path].children:
                continue
            guard: exp.Expression | None = None
            out = c.metrics.get(path)
            if out is not None:
                steps(path, c.metric_events.get(path, ()), None)
                marked.append((path, Mark([string(json_text(path))], _is_null(out.column))))
                guard = exp.Not(this=_is_null(out.column))
            steps(path, c.score_events.get(path, ()), guard)
            flag = c.formula_null.get(path)
            if flag is not None:
                marked.append((path, Mark([string(json_text(path))], _and(guard, _truthy(flag)))))
        marked.sort(key=lambda entry: declared[entry[0]])  # stable: one leaf's two marks exclude
        return [mark for _, mark in marked], warnings


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
