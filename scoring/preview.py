"""What-if: score rules over a stored run's dataset and period in memory and
compare with that run. Nothing is written: no run, no result, no audit entry
(no transaction is opened at all)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from scoring.backend import Backend, DatasetRef
from scoring.diff import RunDiff, StoredRun, diff_sides
from scoring.numbers import fixed, metric_text
from scoring.periods import Period
from scoring.pipeline import AwardResult, compute
from scoring.results import ResultRow
from scoring.rules import Rules


@dataclass
class ComputedRun:
    """Results computed in memory, read like a stored run (a `RunSide`)."""

    run_id: int | None = None
    by_award: dict[str, list[ResultRow]] = field(default_factory=dict)

    def awards(self) -> list[str]:
        return sorted(self.by_award)

    def rows(self, award: str) -> Sequence[ResultRow]:
        return self.by_award.get(award, [])

    def add(self, done: AwardResult, precision: int) -> None:
        """Keep one computed award as result rows, in placement order."""
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
        self.by_award[done.award.name] = rows


def whatif_diff(
    rules: Rules, base: StoredRun, dataset: DatasetRef, period: Period, backend: Backend
) -> RunDiff:
    """`rules` computed over `dataset` and `period`, compared with run `base`."""
    computed = ComputedRun()
    for done in compute(rules.plan, dataset, period, backend):
        computed.add(done, rules.plan.precision)
    return diff_sides(base, computed)
