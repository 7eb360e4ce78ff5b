"""Score awards with the reference interpreter and with the SQL backend, and compare.

The interpreter is the oracle: every field of every subject's outcome
(eligibility, vetoes, each node's points, each metric with its exact value
and type, no-data marks, warnings, the total) must be identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from scoring.award_fields import award_fields
from scoring.backend import AwardFields, DatasetRef, Outcome
from scoring.backend import Outcome as Reference
from scoring.backends.interpreter import InterpreterBackend
from scoring.backends.sql import SqlBackend
from scoring.periods import Period, parse_period
from scoring.pipeline import rank_award
from scoring.plan import AwardPlan, Plan

ENGINES = ("sqlite", "duckdb")


def dataset_ref(db: Database, dataset_id: int) -> DatasetRef:
    sha = db.execute("SELECT sha256 FROM datasets WHERE id = ?", [dataset_id]).fetchone()[0]
    return DatasetRef(db, dataset_id, str(sha))


def interpret(
    db: Database, plan: Plan, dataset_id: int, period: Period
) -> dict[str, list[Reference]]:
    """Every award scored by the reference interpreter, in dependency order."""
    return interpret_with_fields(db, plan, dataset_id, period)[0]


def interpret_with_fields(
    db: Database, plan: Plan, dataset_id: int, period: Period
) -> tuple[dict[str, list[Reference]], dict[str, dict[str, AwardFields]]]:
    """The interpreter's outcomes, and each award's results as later awards read them."""
    ref = dataset_ref(db, dataset_id)
    fields: dict[str, dict[str, AwardFields]] = {}
    out: dict[str, list[Reference]] = {}
    for award in plan.awards:
        outcomes = list(InterpreterBackend().score_award(plan, award, ref, period, fields))
        placing = rank_award(plan, award, outcomes)
        fields[award.name] = award_fields(outcomes, placing.placements)
        out[award.name] = outcomes
    return out, fields


def _typed(values: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [
        (k, type(v).__name__ if isinstance(v, bool | str) else "", v) for k, v in values.items()
    ]


def differences(got: list[Outcome], want: list[Reference]) -> list[str]:
    """Every field that differs between the SQL backend's outcomes and the interpreter's."""
    problems: list[str] = []
    if [o.key for o in got] != [o.key for o in want]:
        return [f"subjects differ: {[o.key for o in got]} != {[o.key for o in want]}"]
    for g, w in zip(got, want, strict=True):
        pairs = {
            "eligible": (g.eligible, w.eligible),
            "vetoes": (g.vetoes, tuple(w.vetoes)),
            "points": (list(g.points.items()), list(w.points.items())),
            "metrics": (_typed(dict(g.metrics)), _typed(w.metrics)),
            "no_data": (g.no_data, tuple(w.no_data)),
            "warnings": (g.warnings, tuple(w.warnings)),
            "total": (g.total, w.total),
        }
        for name, (a, b) in pairs.items():
            if a != b:
                problems.append(f"{g.key} {name}: sql {a!r} != interpreter {b!r}")
    return problems


@dataclass
class Comparison:
    """One award on one engine: compared, or why it fell back."""

    award: str
    engine: str
    fallback: str | None
    problems: list[str]


def compare_all(
    db: Database, plan: Plan, dataset_id: int, period_text: str, engines: tuple[str, ...] = ENGINES
) -> list[Comparison]:
    """Every award of the plan on every engine, against the interpreter."""
    period = parse_period(period_text)
    reference, upstream = interpret_with_fields(db, plan, dataset_id, period)
    ref = dataset_ref(db, dataset_id)
    out = []
    for award in plan.awards:
        for engine in engines:
            out.append(_compare(plan, award, engine, ref, period, upstream, reference))
    return out


def _compare(
    plan: Plan,
    award: AwardPlan,
    engine: str,
    ref: DatasetRef,
    period: Period,
    upstream: dict[str, dict[str, AwardFields]],
    reference: dict[str, list[Reference]],
) -> Comparison:
    backend = SqlBackend(engine)  # type: ignore[arg-type]
    why = backend.unsupported(plan, award) or backend.fallback_reason(
        plan, award, ref, period, upstream
    )
    if why is not None:
        return Comparison(award.name, engine, why, [])
    got = list(backend.score_award(plan, award, ref, period, upstream))
    return Comparison(award.name, engine, None, differences(got, reference[award.name]))
