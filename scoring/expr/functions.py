"""The fixed set of functions an expression may call, with their arity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FunctionKind = Literal["aggregate", "scalar"]


@dataclass(frozen=True)
class FunctionSpec:
    """A callable function: its kind, argument count range and a usage example."""

    name: str
    kind: FunctionKind
    min_args: int
    max_args: int | None  # None: any number from min_args
    usage: str


_SPECS = (
    FunctionSpec("count", "aggregate", 1, 1, "count(deliveries) or count(complaints[verified])"),
    FunctionSpec("count_distinct", "aggregate", 1, 1, "count_distinct(deliveries.day)"),
    FunctionSpec("sum", "aggregate", 1, 1, "sum(deliveries.parcels)"),
    FunctionSpec("avg", "aggregate", 1, 1, "avg(ratings.stars)"),
    FunctionSpec("min", "aggregate", 1, 1, "min(deliveries.day)"),
    FunctionSpec("max", "aggregate", 1, 1, "max(deliveries.parcels)"),
    FunctionSpec("median", "aggregate", 1, 1, "median(panel.score)"),
    FunctionSpec("trimmed_mean", "aggregate", 2, 2, "trimmed_mean(panel.score, 1)"),
    FunctionSpec("share", "aggregate", 1, 1, "share(votes[option == '优秀'])"),
    FunctionSpec("abs", "scalar", 1, 1, "abs(x)"),
    FunctionSpec("round", "scalar", 1, 2, "round(x, 2)"),
    FunctionSpec("least", "scalar", 1, None, "least(x, 10)"),
    FunctionSpec("greatest", "scalar", 1, None, "greatest(x, 0)"),
    FunctionSpec("coalesce", "scalar", 1, None, "coalesce(x, 0)"),
    FunctionSpec("days", "scalar", 1, 1, "period.end - days(180)"),
    FunctionSpec("months", "scalar", 1, 1, "period.end - months(6)"),
    FunctionSpec("years", "scalar", 1, 1, "period.end - years(1)"),
    FunctionSpec("node", "scalar", 1, 1, "node('business.volume')"),
)

FUNCTIONS: dict[str, FunctionSpec] = {spec.name: spec for spec in _SPECS}
AGGREGATES: frozenset[str] = frozenset(s.name for s in _SPECS if s.kind == "aggregate")
DURATIONS: frozenset[str] = frozenset({"days", "months", "years"})
"""The functions that make a duration for date arithmetic (SPEC §2.3)."""
