"""Score awards with the reference interpreter and with the SQL backend, and compare.

The interpreter is the oracle: every field of every subject's outcome
(eligibility, vetoes, each node's points, each metric with its exact value
and type, no-data marks, warnings, the total) must be identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlite_utils import Database

from scoring.backend import AwardFields, DatasetRef, Outcome
from scoring.backends.sql import SqlBackend
from scoring.data import DatasetReader
from scoring.evaluate import Outcome as Reference
from scoring.evaluate import SubjectScorer
from scoring.periods import Period, parse_period
from scoring.plan import AwardPlan, Plan
from scoring.runs import _Scorer

ENGINES = ("sqlite", "duckdb")


def dataset_ref(db: Database, dataset_id: int) -> DatasetRef:
    sha = db.execute("SELECT sha256 FROM datasets WHERE id = ?", [dataset_id]).fetchone()[0]
    return DatasetRef(db, dataset_id, str(sha))


def interpret(
    db: Database, plan: Plan, dataset_id: int, period: Period
) -> dict[str, list[Reference]]:
    """Every award scored by the reference interpreter, in dependency order."""
    reader = DatasetReader(db, dataset_id, plan.catalog)
    totals: dict[str, dict[str, Fraction]] = {}
    out: dict[str, list[Reference]] = {}
    for award in plan.awards:
        scorer = _Scorer(plan, award, reader, period, totals)
        subject_scorer = SubjectScorer(award, plan.precision, scorer.period, scorer.percent_ranks())
        results = []
        for batch, linked in scorer.batches():
            for row in batch:
                key = row[scorer.key]
                rows = {t: linked[t][key] for t in linked}
                results.append(subject_scorer.score(str(key), row, rows))
        totals[award.name] = {o.key: o.total for o in results}
        out[award.name] = results
    return out


def upstream_of(reference: dict[str, list[Reference]]) -> dict[str, dict[str, AwardFields]]:
    """What later awards read of earlier ones (only the total matters to the SQL backend)."""
    return {
        award: {
            o.key: AwardFields(o.total, None, o.eligible, bool(o.vetoes), None, False)
            for o in outcomes
        }
        for award, outcomes in reference.items()
    }


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
    reference = interpret(db, plan, dataset_id, period)
    upstream = upstream_of(reference)
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
