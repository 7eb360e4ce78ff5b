"""The whole story of a run, in one place: read this module first.

    rules/*.yaml ──load──▶ Rules (checked model + compiled Plan, pure data)
    Plan + dataset ──backend.score_award──▶ Outcomes   (one award at a time,
                                                        in dependency order)
    Outcomes ──ranking.place_award──▶ Placements      (rank, grade, quota)
    Outcomes + Placements ──▶ Upstream                 (what later awards read)
    Outcomes + Placements ──runs──▶ results rows       (one transaction)

The SQL backend takes a shorter road (`store_award`): it is a
`ResultsWriter`, which scores, places and spells an award's rows in SQL
and inserts them itself (`INSERT … SELECT` on SQLite; one bulk fetch and
`executemany` from DuckDB), with no `Outcome` per subject. The rows and
their hash are byte-identical to the road above, which stays the oracle
and the fallback (per award). Either road hands back each row's hash line;
`runs.ResultsDigest` builds `results_sha256` from them as rows are written.

After the run: the review (`scoring.review`) lays approved adjustments, tie
resolutions and objections over the stored results, and the exports
(`scoring.results`, `scoring.export`) read them back.

Where each step lives: loading and checking `scoring.rules` (`load`), the
plan `scoring.plan`, the backend contract `scoring.backend` and the
reference interpreter `scoring.backends.interpreter`, ranking
`scoring.ranking`, what later awards read `scoring.award_fields`, storage
`scoring.runs` (and `scoring.run_notes`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

from scoring import run_notes
from scoring.award_fields import award_fields
from scoring.backend import (
    AwardFields,
    Backend,
    DatasetRef,
    Declined,
    Outcome,
    ResultsWriter,
    Upstream,
    Written,
)
from scoring.backends.interpreter import InterpreterBackend
from scoring.data import DatasetReader
from scoring.periods import Period
from scoring.plan import AwardPlan, Plan
from scoring.ranking import Entry, Placement, Placing, RemainderTie, place_award
from scoring.rules import Rules
from scoring.runs import (
    Progress,
    ResultsDigest,
    RunSummary,
    ensure_run_schema,
    finish_run,
    guard_unpublished,
    insert_results,
    insert_run,
    result_rows,
)
from scoring.store import transaction


@dataclass(frozen=True)
class AwardResult:
    """One award computed and placed, not yet stored."""

    award: AwardPlan
    backend: str
    outcomes: Sequence[Outcome]
    placements: Sequence[Placement]
    remainder_ties: Sequence[RemainderTie] = ()
    fallback: str | None = None


def score_run(
    rules: Rules,
    dataset: DatasetRef,
    period: Period,
    backend: Backend,
    *,
    actor: str,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Score `rules` over a stored dataset with `backend` and store the run,
    all in one transaction (an interrupted run leaves nothing behind)."""
    db, plan = dataset.db, rules.plan
    ensure_run_schema(db)
    with transaction(db):
        run_id = insert_run(
            db,
            plan,
            rules_path=rules.path,
            rules_text=rules.text,
            dataset_id=dataset.dataset_id,
            period=period,
            actor=actor,
        )
        summary = RunSummary(run_id, "")
        summary.results_sha256 = _store_awards(plan, dataset, period, backend, summary, progress)
        summary.outside_period = outside_period(plan, dataset, period)
        finish_run(
            db,
            plan,
            summary,
            dataset_id=dataset.dataset_id,
            period=period,
            actor=actor,
            today=today,
        )
    return summary


def _store_awards(
    plan: Plan,
    dataset: DatasetRef,
    period: Period,
    backend: Backend,
    summary: RunSummary,
    progress: Progress | None,
) -> str:
    """Every award's results written into run `summary.run_id`, in dependency
    order, reported in `summary`; returns `results_sha256`."""
    db, run_id = dataset.db, summary.run_id

    def step(award: AwardPlan, upstream: Upstream, keep: bool) -> tuple[Stored, Fields | None]:
        done = store_award(plan, award, dataset, period, backend, upstream, run_id, keep, progress)
        return done, done.written.fields

    with ResultsDigest(a.name for a in plan.awards) as digest:
        stored = in_dependency_order(plan, step)
        for name, done in zip((a.name for a in plan.awards), stored, strict=True):
            digest.add(name, done.written.lines)
            summary.subjects[name] = done.written.subjects
            summary.ranked[name] = done.written.ranked
            summary.selected[name] = done.written.selected
            summary.backends[name] = done.backend
            if progress is not None:
                progress(name, done.written.subjects, done.written.subjects)
            ties = run_notes.store_remainder_ties(db, run_id, name, done.written.remainder_ties)
            if ties:
                summary.notes[name] = ties
            if done.fallback:
                summary.fallbacks.append(done.fallback)
        return digest.hexdigest()


Fields = Mapping[str, AwardFields]
"""One award's computed results as later awards read them (subject key -> fields)."""

_Done = TypeVar("_Done")


def in_dependency_order(
    plan: Plan, step: Callable[[AwardPlan, Upstream, bool], tuple[_Done, Fields | None]]
) -> Iterator[_Done]:
    """`step` over every award of `plan`, in dependency order.

    `step(award, upstream, keep)` gets what the earlier awards computed and
    whether a later award reads this one (`keep`); it returns its result and,
    when `keep`, the award's fields, which later steps then find in `upstream`."""
    upstream: dict[str, Fields] = {}
    read_later = {a for award in plan.awards for a in award.depends_on}
    for award in plan.awards:
        keep = award.name in read_later
        done, fields = step(award, upstream, keep)
        if keep:
            assert fields is not None, f"{award.name}: a later award reads its results"
            upstream[award.name] = fields
        yield done


@dataclass(frozen=True)
class Stored:
    """One award's results written into the run, and by which backend."""

    written: Written
    backend: str
    fallback: str | None = None


def store_award(
    plan: Plan,
    award: AwardPlan,
    dataset: DatasetRef,
    period: Period,
    backend: Backend,
    upstream: Upstream,
    run_id: int,
    keep: bool,
    progress: Progress | None = None,
) -> Stored:
    """Write one award's results into run `run_id` (refused with `PublishedRun`,
    before any row, when that run is published: its results cannot change).

    A `ResultsWriter` backend writes them itself in SQL; when it cannot spell
    the award it hands back None and its outcomes are written here (said in
    the run's log); when it declines the award the interpreter scores it.
    Outcomes are ranked (`rank_award`) and stored by `scoring.runs`; the hash
    lines come back either way."""
    guard_unpublished(dataset.db, run_id)
    if isinstance(backend, ResultsWriter):
        try:
            written = backend.write_award(plan, award, dataset, period, upstream, run_id, keep)
        except Declined as exc:
            return _store_outcomes(
                plan,
                award,
                dataset,
                period,
                InterpreterBackend(),
                upstream,
                run_id,
                keep,
                _fell_back(award, backend, exc),
                progress,
            )
        if written is not None:
            return Stored(written, backend.name)
    chosen, fallback = _choose(plan, award, backend)
    if chosen is backend and isinstance(backend, ResultsWriter):
        fallback = (
            f"{award.name}: scored by {backend.name}, ranked and written in Python"
            f" ({backend.name} cannot write this award's results in SQL)"
        )
    return _store_outcomes(
        plan, award, dataset, period, chosen, upstream, run_id, keep, fallback, progress
    )


def _store_outcomes(
    plan: Plan,
    award: AwardPlan,
    dataset: DatasetRef,
    period: Period,
    backend: Backend,
    upstream: Upstream,
    run_id: int,
    keep: bool,
    fallback: str | None,
    progress: Progress | None,
) -> Stored:
    done = _score(plan, award, dataset, period, backend, upstream, fallback, progress)
    rows = result_rows(run_id, award, done.outcomes, done.placements, plan.precision)
    lines = insert_results(dataset.db, rows)
    written = Written(
        lines,
        subjects=len(done.outcomes),
        ranked=sum(o.ranked for o in done.outcomes),
        selected=sum(p.selected for p in done.placements),
        remainder_ties=tuple(done.remainder_ties),
        fields=award_fields(done.outcomes, done.placements) if keep else None,
    )
    return Stored(written, done.backend, done.fallback)


def _fell_back(award: AwardPlan, backend: Backend, why: object) -> str:
    return f"{award.name}: scored by the interpreter ({backend.name}: {why})"


def _choose(plan: Plan, award: AwardPlan, backend: Backend) -> tuple[Backend, str | None]:
    """`backend`, or the interpreter (and why) where `backend` cannot compile the award."""
    why = backend.unsupported(plan, award)
    if why is None:
        return backend, None
    return InterpreterBackend(), _fell_back(award, backend, why)


def _score(
    plan: Plan,
    award: AwardPlan,
    dataset: DatasetRef,
    period: Period,
    chosen: Backend,
    upstream: Upstream,
    fallback: str | None,
    progress: Progress | None = None,
) -> AwardResult:
    """One award's outcomes by `chosen` (the interpreter where it declines), placed."""
    try:
        scored = chosen.score_award(plan, award, dataset, period, upstream)
    except Declined as exc:
        fallback = _fell_back(award, chosen, exc)
        chosen = InterpreterBackend()
        scored = chosen.score_award(plan, award, dataset, period, upstream)
    outcomes = _collect(plan, dataset, award, scored, progress)
    placing = rank_award(plan, award, outcomes)
    return AwardResult(
        award, chosen.name, outcomes, placing.placements, placing.remainder_ties, fallback
    )


def compute(
    plan: Plan,
    dataset: DatasetRef,
    period: Period,
    backend: Backend,
    progress: Progress | None = None,
) -> Iterator[AwardResult]:
    """Every award in dependency order: scored by `backend` (or by the
    interpreter where `backend` declines the award), then placed. Writes
    nothing; later awards read earlier ones' results through `Upstream`."""

    def step(award: AwardPlan, upstream: Upstream, keep: bool) -> tuple[AwardResult, Fields | None]:
        chosen, fallback = _choose(plan, award, backend)
        done = _score(plan, award, dataset, period, chosen, upstream, fallback, progress)
        return done, award_fields(done.outcomes, done.placements) if keep else None

    return in_dependency_order(plan, step)


def rank_award(plan: Plan, award: AwardPlan, outcomes: Sequence[Outcome]) -> Placing:
    """Rank, grade and select an award's outcomes (`scoring.ranking`)."""
    info = plan.catalog.tables[award.subjects]
    numeric = info.key is not None and info.columns.get(info.key) == "int"
    entries = [
        Entry(
            key=o.key,
            key_number=o.key_value if numeric and isinstance(o.key_value, int) else None,
            ranked=o.ranked,
            total=o.total,
            tie=tuple(o.points.get(p, Fraction(0)) for p, _ in award.tie_break),
            group=o.group,
        )
        for o in outcomes
    ]
    return place_award(
        entries,
        tie_desc=[d for _, d in award.tie_break],
        grades=dict(award.grades),
        quota=award.quota,
    )


def outside_period(plan: Plan, dataset: DatasetRef, period: Period) -> dict[str, int]:
    """Per record table, how many records fall outside the period."""
    reader = DatasetReader(dataset.db, dataset.dataset_id, plan.catalog)
    return {
        name: reader.outside_period(name, (period.start, period.end))
        for name, info in sorted(plan.catalog.tables.items())
        if info.kind == "record"
    }


def _collect(
    plan: Plan,
    dataset: DatasetRef,
    award: AwardPlan,
    outcomes: Iterator[Outcome],
    progress: Progress | None,
) -> list[Outcome]:
    """All of an award's outcomes (ranking needs every one), reporting progress."""
    if progress is None:
        return list(outcomes)
    total = DatasetReader(dataset.db, dataset.dataset_id, plan.catalog).count(award.subjects)
    out: list[Outcome] = []
    for outcome in outcomes:
        out.append(outcome)
        if len(out) % _EVERY == 0:
            progress(award.name, len(out), total)
    progress(award.name, len(out), total)
    return out


_EVERY = 500
