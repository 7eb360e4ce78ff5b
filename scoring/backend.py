"""The seam between a compiled plan and whatever computes it: a backend.

A backend scores one award over one stored dataset for one period and hands
back one `Outcome` per subject, in subject-key order (numerically for an
`int` key, else code-point order). It computes figures only: eligibility,
vetoes, every node's metric and rounded points, the blocks and the total.
It decides nothing about rank, grade or selection; `scoring.pipeline` ranks
the outcomes of whichever backend produced them (`scoring.ranking`) and
`scoring.runs` stores them, so results are byte-identical whichever backend
ran.

The reference interpreter is one backend; a SQL backend is another. A
backend that cannot compile some feature of an award says so through
`unsupported` and the run scores that award with the interpreter instead
(per award, said in the run's log).

A backend may also write an award's results itself (`ResultsWriter`): the
SQL backend places, spells and inserts them in SQL, with no `Outcome` per
subject; the stored rows are byte-identical to the ones `scoring.runs`
writes from outcomes, and it says how they hash (`Written.lines`).

Awards are scored in dependency order. What later awards may read of an
earlier award's computed result (before any review) arrives as `Upstream`:
award name -> subject key (as text) -> `AwardFields`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from scoring.numbers import Value
from scoring.periods import Period
from scoring.ranking import RemainderTie

if TYPE_CHECKING:
    from sqlite_utils import Database

    from scoring.plan import AwardPlan, Plan


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything a backend computes for one subject of one award.

    `key` is the subject key as text and `key_value` the key as stored (an
    `int` for an `int` key column). `name` and `unit` are the subject's
    `name` and `unit` columns as text (None when absent or null). `group` is
    the text of the subject's value of the quota's `per` column (None for a
    null value or when the quota has no `per`). `points` holds every path of
    `AwardPlan.point_paths()` in that order, rounded to the campaign's
    precision; `metrics` every node that has a metric, after `default`,
    exact; `no_data` the nodes marked no data; `warnings` the per-subject
    warnings (each names its node); `total` the rounded total, never below 0.
    """

    key: str
    key_value: Value
    name: str | None
    unit: str | None
    group: str | None
    eligible: bool
    vetoes: tuple[str, ...]
    points: Mapping[str, Fraction]
    metrics: Mapping[str, Value]
    no_data: tuple[str, ...]
    warnings: tuple[str, ...]
    total: Fraction

    @property
    def ranked(self) -> bool:
        """Eligible and not vetoed: the subjects that take part in the ranking."""
        return self.eligible and not self.vetoes


@dataclass(frozen=True, slots=True)
class AwardFields:
    """An earlier award's computed result for one subject (SPEC §2.3).

    Readable by later awards as `A` / `A.total`, `A.grade`, `A.eligible`,
    `A.vetoed`, `A.ranked`, `A.rank` and `A.selected`. `selected` is false
    for a subject in a boundary tie that `flag` holds open.
    """

    total: Fraction
    grade: str | None
    eligible: bool
    vetoed: bool
    rank: int | None
    selected: bool

    @property
    def ranked(self) -> bool:
        return self.eligible and not self.vetoed


Upstream = Mapping[str, Mapping[str, AwardFields]]
"""award name -> subject key (text) -> that award's computed result."""


@dataclass(frozen=True)
class DatasetRef:
    """One stored, immutable dataset: the store that holds it, its id and SHA-256."""

    db: Database
    dataset_id: int
    sha256: str


class Declined(Exception):
    """Raised by `score_award` before it yields anything when this dataset stops the
    backend (say, integers that could pass 64 bits): the run scores that award with
    the interpreter instead and says why, as for `unsupported`."""


class Backend(Protocol):
    """What every backend implements."""

    name: str

    def unsupported(self, plan: Plan, award: AwardPlan) -> str | None:
        """None when this backend can score `award`, else why not (for the run's log)."""
        ...

    def score_award(
        self,
        plan: Plan,
        award: AwardPlan,
        dataset: DatasetRef,
        period: Period,
        upstream: Upstream,
    ) -> Iterator[Outcome]:
        """One `Outcome` per subject of `award.subjects`, in subject-key order."""
        ...


@dataclass
class Written:
    """One award's results as a backend wrote them into the run.

    `lines` are the canonical JSON of each stored row's hashed columns, in
    publication order (what `scoring.runs.ResultsDigest` hashes; read once); `fields`
    what later awards read (only when asked for).
    """

    lines: Iterable[str]
    subjects: int
    ranked: int
    selected: int
    remainder_ties: tuple[RemainderTie, ...] = ()
    fields: dict[str, AwardFields] | None = None


@runtime_checkable
class ResultsWriter(Backend, Protocol):
    """A backend that also writes an award's results into the store itself."""

    def write_award(
        self,
        plan: Plan,
        award: AwardPlan,
        dataset: DatasetRef,
        period: Period,
        upstream: Upstream,
        run_id: int,
        keep_fields: bool,
    ) -> Written | None:
        """Place, spell and insert `award`'s results into run `run_id` (inside the
        caller's transaction); None when it cannot spell this award (the caller
        then writes outcomes from `score_award`). Raises `Declined` before writing
        anything, as `score_award` does."""
        ...
