"""What-if: score rules over a stored run's dataset and period in memory and
compare with that run. Nothing is written: no run, no result, no audit entry
(no transaction is opened at all)."""

from __future__ import annotations

from sqlite_utils import Database

from scoring.backend import Backend, DatasetRef
from scoring.diff import RunDiff, compare_rows, stored_rows
from scoring.numbers import fixed, metric_text
from scoring.periods import Period
from scoring.pipeline import AwardResult, compute
from scoring.results import ResultRow
from scoring.rules import Rules


def computed_rows(done: AwardResult, precision: int) -> list[ResultRow]:
    """One award computed in memory, as the result rows a run would store
    (placement order, figures as text)."""
    by_key = {o.key: o for o in done.outcomes}
    rows = []
    for p in done.placements:
        out = by_key[p.key]
        rows.append(
            ResultRow(
                award=done.award.name,
                subject=out.key,
                name=out.name,
                unit=out.unit,
                eligible=out.eligible,
                veto=list(out.vetoes),
                total=fixed(out.total, precision),
                rank=p.rank,
                grade=p.grade,
                selected=p.selected,
                boundary_tie=p.boundary_tie,
                points={k: fixed(v, precision) for k, v in out.points.items()},
                metrics={k: metric_text(v) for k, v in out.metrics.items()},
                no_data=list(out.no_data),
                warnings=list(out.warnings),
            )
        )
    return rows


def whatif_diff(
    rules: Rules, db: Database, base_run: int, dataset: DatasetRef, period: Period, backend: Backend
) -> RunDiff:
    """`rules` computed over `dataset` and `period`, compared with stored run `base_run`."""
    precision = rules.plan.precision
    computed = {
        done.award.name: computed_rows(done, precision)
        for done in compute(rules.plan, dataset, period, backend)
    }
    return compare_rows(base_run, None, stored_rows(db, base_run), computed)
