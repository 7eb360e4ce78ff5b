"""Evaluate aggregates over the rows linked to the subject.

Nulls are skipped; over no values `count`, `count_distinct` and `sum` are 0
while `avg`, `min`, `max`, `median`, `trimmed_mean` and `share` are null.
`trimmed_mean(T.col, k)` with n <= 2k values is null and warns (for k > 0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from .env import EvalEnv, Fn, Row
from .nodes import Call, Expr, Name, Number, TableColumn, TableRows, render
from .numeric import mean, normalize

RowsFn = Callable[[EvalEnv], Sequence[Row]]


def compile_aggregate(call: Call, compile_filter: Callable[[Expr], Fn]) -> Fn:
    """The closure computing aggregate `call`; `compile_filter` compiles row conditions."""
    table, column, where = _source(call.args[0])
    cond = None if where is None else compile_filter(where)
    func = call.func
    if func == "share":
        assert cond is not None
        return _share(table, cond)
    rows = _rows(table, cond)
    if column is None:
        return lambda env, row: len(rows(env))
    if func == "trimmed_mean":
        trim = call.args[1]
        assert isinstance(trim, Number) and isinstance(trim.value, int)
        return _trimmed_mean(rows, column, trim.value, render(call))
    reduce = _REDUCERS[func]

    def aggregate(env: EvalEnv, row: Row) -> Any:
        return reduce([v for r in rows(env) if (v := r.get(column)) is not None])

    return aggregate


def _source(arg: Expr) -> tuple[str, str | None, Expr | None]:
    match arg:
        case Name(id=table):
            return table, None, None
        case TableRows(table=table, where=where):
            return table, None, where
        case TableColumn(table=table, column=column, where=where):
            return table, column, where
        case _:  # pragma: no cover - the checker rejects anything else
            raise TypeError(f"not an aggregate source: {render(arg)}")


def _rows(table: str, cond: Fn | None) -> RowsFn:
    if cond is None:
        return lambda env: env.rows(table)
    return lambda env: [r for r in env.rows(table) if cond(env, r) is True]


def _share(table: str, cond: Fn) -> Fn:
    def share(env: EvalEnv, row: Row) -> Any:
        rows = env.rows(table)
        if not rows:
            return None
        hits = sum(1 for r in rows if cond(env, r) is True)
        return normalize(Fraction(hits, len(rows)))

    return share


def _trimmed_mean(rows: RowsFn, column: str, k: int, label: str) -> Fn:
    def trimmed_mean(env: EvalEnv, row: Row) -> Any:
        values: list[Any] = sorted(v for r in rows(env) if (v := r.get(column)) is not None)
        n = len(values)
        if n <= 2 * k:
            if k > 0:
                env.warn(f"{label} needs more than {2 * k} values to drop {k} at each end, got {n}")
            return None
        kept = values[k : n - k]
        return mean(sum(kept), len(kept))

    return trimmed_mean


def _count(values: list[Any]) -> int:
    return len(values)


def _count_distinct(values: list[Any]) -> int:
    return len(set(values))


def _sum(values: list[Any]) -> Any:
    return sum(values)


def _avg(values: list[Any]) -> Any:
    return mean(sum(values), len(values)) if values else None


def _min(values: list[Any]) -> Any:
    return min(values) if values else None


def _max(values: list[Any]) -> Any:
    return max(values) if values else None


def _median(values: list[Any]) -> Any:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return mean(ordered[middle - 1] + ordered[middle], 2)


_REDUCERS: dict[str, Callable[[list[Any]], Any]] = {
    "count": _count,
    "count_distinct": _count_distinct,
    "sum": _sum,
    "avg": _avg,
    "min": _min,
    "max": _max,
    "median": _median,
}
