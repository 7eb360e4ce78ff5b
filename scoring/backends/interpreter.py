"""The reference interpreter: a `Backend` that runs the plan in Python, exactly.

It reads the dataset through `scoring.data` one batch of subjects at a time
(with the records linked to that batch), adds the earlier awards' results
as virtual columns (`ReadUpstream`), runs the percentile population pass
(`PercentilePass`) when the award has percentile leaves, then scores each
subject (`scoring.backends.scorer`). It is the oracle other backends are
compared with, and `explain` relies on its semantics.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from scoring.award_fields import field_values
from scoring.backend import DatasetRef, Outcome, Upstream
from scoring.backends.scorer import CompiledAward, PercentRanks
from scoring.data import DatasetReader, Row
from scoring.numbers import Value
from scoring.periods import Period
from scoring.plan import AwardPlan, Plan

Batch = tuple[list[Row], dict[str, dict[Any, list[Row]]]]


class InterpreterBackend:
    """Scores any award of any plan (it never declines one)."""

    name = "interpreter"

    def unsupported(self, plan: Plan, award: AwardPlan) -> str | None:
        return None

    def score_award(
        self,
        plan: Plan,
        award: AwardPlan,
        dataset: DatasetRef,
        period: Period,
        upstream: Upstream,
    ) -> Iterator[Outcome]:
        """One `Outcome` per subject, in subject-key order."""
        reader = DatasetReader(dataset.db, dataset.dataset_id, plan.catalog)
        return _AwardRun(plan, award, reader, period, upstream).outcomes()


class _AwardRun:
    """One award scored over one dataset."""

    def __init__(
        self,
        plan: Plan,
        award: AwardPlan,
        reader: DatasetReader,
        period: Period,
        upstream: Upstream,
    ) -> None:
        self.award = award
        self.reader = reader
        self.bounds = (period.start, period.end)
        info = plan.catalog.tables[award.subjects]
        assert info.key is not None
        self.key = info.key
        self.compiled = CompiledAward(award, info, plan.precision, self.bounds)
        self.keys = {s.table: plan.catalog.tables[s.table].key or "" for s in award.upstream}
        self.virtual = {
            step.table: {a: upstream.get(a, {}) for a in step.awards} for step in award.upstream
        }

    def outcomes(self) -> Iterator[Outcome]:
        ranks = self.percent_ranks()
        for batch, linked in self.batches():
            for row in batch:
                key = row[self.key]
                yield self.compiled.score(key, row, {t: linked[t][key] for t in linked}, ranks)

    def with_upstream(self, table: str, row: Row) -> Row:
        """Step `ReadUpstream`: the row with each earlier award's result as the
        columns `A` (its total) and `A.FIELD` (`scoring.award_fields`)."""
        awards = self.virtual.get(table)
        if not awards:
            return row
        key = str(row[self.keys[table]])
        extra: dict[str, Value] = {}
        for name, results in awards.items():
            extra.update(field_values(name, results.get(key)))
        return {**row, **extra}

    def batches(self) -> Iterator[Batch]:
        subjects = self.award.subjects
        for batch in self.reader.subject_batches(subjects):
            keys = [r[self.key] for r in batch]
            linked = {
                t: self.reader.linked(t, subjects, keys, self.bounds)
                for t in sorted(self.award.tables)
            }
            for t, groups in linked.items():
                if t in self.virtual:
                    for k, rows in groups.items():
                        groups[k] = [self.with_upstream(t, r) for r in rows]
            yield [self.with_upstream(subjects, r) for r in batch], linked

    def percent_ranks(self) -> PercentRanks:
        """Step `PercentilePass`: each ranked subject's percent rank per leaf."""
        leaves = [self.award.nodes[p] for p in self.award.percentile_leaves]
        if not leaves:
            return {}
        values: dict[str, dict[Any, list[tuple[str, Fraction]]]] = {n.path: {} for n in leaves}
        for batch, linked in self.batches():
            for row in batch:
                key = row[self.key]
                env = self.compiled.env(row, {t: linked[t][key] for t in linked})
                eligible, vetoes = self.compiled.gate(env)
                if not eligible or vetoes:
                    continue
                for leaf in leaves:
                    x = self.compiled.metric(leaf, env)
                    if x is None or isinstance(x, bool) or not isinstance(x, int | Fraction):
                        continue
                    assert leaf.score is not None
                    group = row.get(leaf.score.within) if leaf.score.within else None
                    values[leaf.path].setdefault(group, []).append((str(key), Fraction(x)))
        return {path: _percent_rank(groups) for path, groups in values.items()}


def _percent_rank(groups: dict[Any, list[tuple[str, Fraction]]]) -> dict[str, Fraction]:
    """(number strictly smaller) / (n − 1) within each group; 1 when n = 1."""
    out: dict[str, Fraction] = {}
    for members in groups.values():
        ordered = sorted(v for _, v in members)
        n = len(ordered)
        for key, v in members:
            out[key] = Fraction(1) if n == 1 else Fraction(bisect.bisect_left(ordered, v), n - 1)
    return out


__all__ = ["InterpreterBackend"]
