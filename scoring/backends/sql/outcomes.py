"""Read the rows of a compiled award back into `Outcome`s, exactly as the interpreter would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from fractions import Fraction
from typing import Any

from scoring.backend import Outcome
from scoring.catalog import ColumnType
from scoring.numbers import Value

from .award import CompiledAward, MetricOut, Step

_EXACT: dict[tuple[int, int], Value] = {}


def _number(n: Any, d: Any) -> Value:
    """n/d as the interpreter holds it: an int when integral, else a Fraction (memoised:
    the same few values recur across subjects, and building a Fraction costs a gcd).
    Both must be ints: a float from an engine raises (Fraction refuses it)."""
    pair = (n, d)
    found = _EXACT.get(pair)
    if found is None:
        q = Fraction(n, d)
        found = q.numerator if q.denominator == 1 else q
        if len(_EXACT) < 200_000:
            _EXACT[pair] = found
    return found


class Units:
    """Points as Fractions from integer units of 1/scale (memoised per scale)."""

    def __init__(self, scale: int) -> None:
        self.scale = scale
        self.known: dict[int, Fraction] = {}

    def __call__(self, units: Any) -> Fraction:
        found = self.known.get(units)
        if found is None:
            found = Fraction(units, self.scale)
            if len(self.known) < 200_000:
                self.known[units] = found
        return found


Reader = Callable[[Sequence[Any]], Value]


def metric_reader(out: MetricOut, index: dict[str, int]) -> Reader:
    """A function reading one metric from a result row."""
    i = index[out.column]
    if out.kind == "number":
        if isinstance(out.denominator, int):
            d = out.denominator

            def constant(row: Sequence[Any]) -> Value:
                raw = row[i]
                return None if raw is None else _number(raw, d)

            return constant
        j = index[out.denominator]
        return lambda row: None if row[i] is None else _number(row[i], row[j])
    return lambda row: metric_value(out, row, index)


def metric_value(out: MetricOut, row: Sequence[Any], index: dict[str, int]) -> Value:
    raw = row[index[out.column]]
    if raw is None:
        return None
    if out.kind == "number":
        d = out.denominator if isinstance(out.denominator, int) else row[index[out.denominator]]
        return _number(raw, d)
    if out.kind == "bool":
        return bool(raw)
    if out.kind == "date":
        return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    return str(raw)


def display(raw: Any, ctype: ColumnType | None, scale: int, scaled: bool) -> str | None:
    """A subject column as the interpreter shows it (name, unit, quota group)."""
    if raw is None:
        return None
    if ctype == "number":
        if scaled:
            value: Value = _number(raw, 10**scale)
        else:
            whole, dot, frac = str(raw).partition(".")
            value = int(whole) if not dot else _number(int(whole + frac), 10 ** len(frac))
        return str(value)
    if ctype == "bool":
        return str(bool(raw))
    if ctype == "int":
        return str(int(raw))
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw)


class RowReader:
    """Turns result rows of one compiled award into Outcomes."""

    def __init__(
        self,
        compiled: CompiledAward,
        precision: int,
        key_type: ColumnType,
        display_types: dict[str, tuple[ColumnType | None, int]],
        scaled: bool,
    ) -> None:
        self.c = compiled
        self.award = compiled.award
        self.index = {name: i for i, name in enumerate(compiled.columns)}
        self.scale = 10**precision
        self.key_type = key_type
        self.display_types = display_types
        self.scaled = scaled
        self.vetoes = [(self.index[f"v{i}"], v.reason) for i, v in enumerate(self.award.vetoes)]
        self.paths = self.award.point_paths()
        points_col = {p: f"p{i}" for i, p in enumerate(self.award.nodes)}
        points_col.update({"bonus": "bonus", "deductions": "deductions"})
        self.point_index = [(p, self.index[points_col[p]]) for p in self.paths]
        self.units = Units(self.scale)
        self.declared: dict[str, int] | None = None  # set when node() reads reorder leaves
        self.leaves = self._leaf_order()

    def _leaf_order(self) -> list[tuple[str, Reader | None, list[Step], list[Step], int | None]]:
        """The leaves in the order the interpreter scores them: the plan's node order
        (children and `node()` targets first), whatever condition a read sits under."""
        nodes = self.award.nodes
        order = [path for path in self.award.order if not nodes[path].children]
        declared = [path for path in nodes if not nodes[path].children]
        self.declared = None if order == declared else {p: i for i, p in enumerate(nodes)}
        c = self.c
        return [
            (
                path,
                metric_reader(c.metrics[path], self.index) if path in c.metrics else None,
                c.metric_events.get(path, []),
                c.score_events.get(path, []),
                self.index[c.formula_null[path]] if path in c.formula_null else None,
            )
            for path in order
        ]

    def outcomes(self, rows: Iterable[Sequence[Any]]) -> Iterator[Outcome]:
        for row in rows:
            yield self.outcome(row)

    def _display(self, role: str, raw: Any) -> str | None:
        ctype, scale = self.display_types.get(role, (None, 0))
        return display(raw, ctype, scale, self.scaled)

    def outcome(self, row: Sequence[Any]) -> Outcome:
        ix = self.index
        key_raw = row[ix["k"]]
        key_value: Value = int(key_raw) if self.key_type == "int" else str(key_raw)
        metrics, no_data, warnings = self._fixed(row)
        units = self.units
        return Outcome(
            key=str(key_value),
            key_value=key_value,
            name=self._display("name", row[ix["d_name"]]),
            unit=self._display("unit", row[ix["d_unit"]]),
            group=self._display("group", row[ix["d_group"]]),
            eligible=bool(row[ix["e"]]),
            vetoes=tuple(reason for i, reason in self.vetoes if row[i]),
            points={p: units(row[i]) for p, i in self.point_index},
            metrics=metrics,
            no_data=tuple(no_data),
            warnings=tuple(warnings),
            total=units(row[ix["total"]]),
        )

    def _warn(
        self, where: str, steps: Sequence[Step], row: Sequence[Any], warnings: list[str]
    ) -> None:
        for step in steps:
            n = int(row[self.index[step.column]])
            if n <= 2 * step.trim:
                warnings.append(
                    f"{where}: {step.label} needs more than {2 * step.trim} values"
                    f" to drop {step.trim} at each end, got {n}"
                )

    def _fixed(self, row: Sequence[Any]) -> tuple[dict[str, Value], list[str], list[str]]:
        """Metrics, no-data marks and warnings in the interpreter's order: one pass
        over the leaves."""
        metrics: dict[str, Value] = {}
        no_data: list[str] = []
        warnings: list[str] = []
        for where, steps in self.c.gate_events:
            if steps:
                self._warn(where, steps, row, warnings)
        for path, read, metric_steps, score_steps, flag in self.leaves:
            if metric_steps:
                self._warn(path, metric_steps, row, warnings)
            if read is not None:
                x = read(row)
                metrics[path] = x
                if x is None:
                    no_data.append(path)
                    continue
            if score_steps:
                self._warn(path, score_steps, row, warnings)
            if flag is not None and row[flag]:
                no_data.append(path)
        if self.declared is not None:  # marks and metrics are listed in declaration order
            no_data.sort(key=self.declared.__getitem__)
            metrics = {p: metrics[p] for p in sorted(metrics, key=self.declared.__getitem__)}
        return metrics, no_data, warnings
