"""Runs in the store: the `runs` and `results` tables, writing one award's
results, the results hash and the run's audit entry.

`scoring.pipeline.score_run` drives a run; this module only stores what the
backend computed and `scoring.ranking` placed (or what a `ResultsWriter`
backend wrote itself). Each result row is written once, complete (no update
pass after ranking), and `results_sha256` is built from the rows as they are
written (`ResultsDigest`); `results_hash` reads them back to recheck it. Beside the figures it stores
what re-ranking needs (`RANKING_FIELDS`: the subject's `per` group, its
tie-break figures, its key as a number for an `int` key), so the review can
rank again from `results` alone. Those columns are not part of
`results_sha256`, which covers `RESULT_FIELDS` only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from scoring import audit
from scoring.audit import canonical
from scoring.numbers import fixed, metric_text

if TYPE_CHECKING:  # annotations only: the plan module loads the rule model, and a
    # read command that opens the store (`ensure_run_schema`) needs none of them
    from tempfile import SpooledTemporaryFile

    from sqlite_utils import Database

    from scoring.backend import Outcome
    from scoring.periods import Period
    from scoring.plan import AwardPlan, Plan
    from scoring.ranking import Placement
    from scoring.store import StoreHandle

Progress = Callable[[str, int, int], None]

RESULT_FIELDS = (
    "run_id",
    "award",
    "ord",
    "subject",
    "name",
    "unit",
    "eligible",
    "veto",
    "total",
    "rank",
    "grade",
    "selected",
    "boundary_tie",
    "points",
    "metrics",
    "no_data",
    "warnings",
)
"""The stored result of a subject, in the order `results_sha256` hashes it."""

RANKING_FIELDS = ("per_group", "tie_break", "key_number")
"""What ranking reads beside the total, stored so re-ranking never needs the
dataset: the text of the quota's `per` value, the tie-break figures (JSON
list of rounded texts) and the key as a number for an `int` key column."""

_INSERT = (
    f"INSERT INTO results ({', '.join((*RESULT_FIELDS, *RANKING_FIELDS))})"
    f" VALUES ({', '.join('?' for _ in (*RESULT_FIELDS, *RANKING_FIELDS))})"
)
_BATCH = 500


def ensure_run_schema(db: StoreHandle) -> None:
    """Create the runs and results tables; published results cannot change."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS runs (
            id INTEGER PRIMARY KEY,
            campaign TEXT NOT NULL,
            rules_path TEXT NOT NULL,
            rules_sha256 TEXT NOT NULL,
            rules_text TEXT NOT NULL,
            dataset_id INTEGER NOT NULL REFERENCES datasets(id),
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            period_label TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'draft',
            created TEXT NOT NULL,
            actor TEXT NOT NULL,
            results_sha256 TEXT,
            outside_period TEXT NOT NULL DEFAULT '{}',
            precision INTEGER NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS results (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            award TEXT NOT NULL,
            ord INTEGER,
            subject TEXT NOT NULL,
            name TEXT,
            unit TEXT,
            eligible INTEGER NOT NULL,
            veto TEXT NOT NULL,
            total TEXT NOT NULL,
            rank INTEGER,
            grade TEXT,
            selected INTEGER NOT NULL DEFAULT 0,
            boundary_tie INTEGER NOT NULL DEFAULT 0,
            points TEXT NOT NULL,
            metrics TEXT NOT NULL,
            no_data TEXT NOT NULL,
            warnings TEXT NOT NULL,
            per_group TEXT,
            tie_break TEXT,
            key_number INTEGER,
            PRIMARY KEY (run_id, award, subject)
        )"""
    )
    have = {row[1] for row in db.execute("PRAGMA table_info(results)").fetchall()}
    for column, kind in zip(RANKING_FIELDS, ("TEXT", "TEXT", "INTEGER"), strict=True):
        if column not in have:  # a store made before these columns existed
            db.execute(f"ALTER TABLE results ADD COLUMN {column} {kind}")
    db.execute("CREATE INDEX IF NOT EXISTS results_order ON results (run_id, award, ord)")
    for op, row in (("UPDATE", "OLD"), ("DELETE", "OLD")):
        db.execute(
            f"""CREATE TRIGGER IF NOT EXISTS results_frozen_{op.lower()} BEFORE {op} ON results
            WHEN (SELECT status FROM runs WHERE id = {row}.run_id) = 'published'
            BEGIN SELECT RAISE(ABORT, 'published results cannot change'); END"""
        )
    # Rows are inserted only by `pipeline.store_award`, which checks the run
    # once per award before writing (`guard_unpublished`); a per-row INSERT
    # trigger cost a look-up per row.
    db.execute("DROP TRIGGER IF EXISTS results_frozen_insert")
    audit.ensure_audit_schema(db)


class PublishedRun(Exception):
    """Results were about to be written into a published run."""


def guard_unpublished(db: Database, run_id: int) -> None:
    """The publish guard of a write, once per run: a published run takes no new rows."""
    row = db.execute("SELECT status FROM runs WHERE id = ?", [run_id]).fetchone()
    if row is None or row[0] == "published":
        raise PublishedRun(f"run {run_id}: published results cannot change")


@dataclass
class RunSummary:
    """What `score` reports about a finished run."""

    run_id: int
    results_sha256: str
    subjects: dict[str, int] = field(default_factory=dict)
    ranked: dict[str, int] = field(default_factory=dict)
    selected: dict[str, int] = field(default_factory=dict)
    outside_period: dict[str, int] = field(default_factory=dict)
    backends: dict[str, str] = field(default_factory=dict)
    fallbacks: list[str] = field(default_factory=list)  # awards a backend declined
    notes: dict[str, list[str]] = field(default_factory=dict)  # award -> remainder-tie notes


def ordered_json(data: dict[str, Any]) -> str:
    """Compact JSON keeping the plan's node order (deterministic, not sorted)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def result_rows(
    run_id: int,
    award: AwardPlan,
    outcomes: Sequence[Outcome],
    placements: Sequence[Placement],
    precision: int,
) -> Iterator[tuple[Any, ...]]:
    """One row of `results` per subject, in placement order (`ord`)."""
    by_key = {o.key: o for o in outcomes}
    tie_paths = [p for p, _ in award.tie_break]
    for ord_, p in enumerate(placements):
        out = by_key[p.key]
        yield (
            run_id,
            award.name,
            ord_,
            out.key,
            out.name,
            out.unit,
            int(out.eligible),
            canonical(list(out.vetoes)),
            fixed(out.total, precision),
            p.rank,
            p.grade,
            int(p.selected),
            int(p.boundary_tie),
            ordered_json({k: fixed(v, precision) for k, v in out.points.items()}),
            ordered_json({k: metric_text(v) for k, v in out.metrics.items()}),
            canonical(list(out.no_data)),
            canonical(list(out.warnings)),
            out.group,
            canonical([fixed(out.points.get(t, Fraction(0)), precision) for t in tie_paths]),
            key_number(out),
        )


def key_number(out: Outcome) -> int | None:
    """The key as a number when it is stored as one (an `int` key column)."""
    value = out.key_value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def insert_results(db: Database, rows: Iterable[tuple[Any, ...]]) -> list[str]:
    """Write result rows, a batch at a time; returns each row's hash line (`hash_line`)."""
    lines: list[str] = []
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        lines.append(hash_line(row[1 : len(RESULT_FIELDS)]))
        if len(batch) >= _BATCH:
            db.conn.executemany(_INSERT, batch)
            batch = []
    if batch:
        db.conn.executemany(_INSERT, batch)
    return lines


def hash_line(fields: Sequence[Any]) -> str:
    """What `results_sha256` hashes of one row: the canonical JSON of its
    `RESULT_FIELDS` after `run_id`, as stored."""
    return canonical(list(fields))


class ResultsDigest:
    """`results_sha256` built from the rows as they are written, not read back.

    The hash covers every row in (award, ord) order, but awards are written in
    dependency order: an award written before its turn keeps its lines in a
    spooled file (memory up to `_SPOOL`, then disk) until the awards before it
    in name order are in."""

    def __init__(self, awards: Iterable[str]) -> None:
        import hashlib  # here and below: a read command never hashes (see audit.entry_hash)

        self._digest = hashlib.sha256()
        self._pending = sorted(awards)
        self._held: dict[str, SpooledTemporaryFile[bytes]] = {}

    def add(self, award: str, lines: Iterable[str]) -> None:
        """The hash lines of `award`'s rows, in `ord` order."""
        if self._pending and award == self._pending[0]:
            self._feed(lines)
            self._pending.pop(0)
            while self._pending and self._pending[0] in self._held:
                spool = self._held.pop(self._pending.pop(0))
                spool.seek(0)
                while chunk := spool.read(1 << 20):
                    self._digest.update(chunk)
                spool.close()
            return
        from tempfile import SpooledTemporaryFile  # here: rarely needed, and slow to import

        spool = SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 - closed once hashed
        for line in lines:
            spool.write(line.encode("utf-8") + b"\n")
        self._held[award] = spool

    def _feed(self, lines: Iterable[str]) -> None:
        update = self._digest.update
        for line in lines:
            update(line.encode("utf-8"))
            update(b"\n")

    def __enter__(self) -> ResultsDigest:
        return self

    def __exit__(self, *exc: object) -> None:
        """Drop the lines still held (a run that failed midway)."""
        for spool in self._held.values():
            spool.close()
        self._held.clear()

    def hexdigest(self) -> str:
        """The hash, once every award of the run is in."""
        if self._pending:
            raise ValueError(f"awards not written yet: {', '.join(self._pending)}")
        return self._digest.hexdigest()


_SPOOL = 64 << 20


def results_hash(db: Database, run_id: int) -> str:
    """SHA-256 over every stored result of a run, in export order, read back from
    the store (`audit verify` rechecks runs with it; a run hashes as it writes)."""
    import hashlib

    digest = hashlib.sha256()
    cols = ", ".join(RESULT_FIELDS[1:])
    cursor = db.execute(
        f"SELECT {cols} FROM results WHERE run_id = ? ORDER BY award, ord", [run_id]
    )
    for row in cursor:
        digest.update(hash_line(row).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def insert_run(
    db: Database,
    plan: Plan,
    *,
    rules_path: str,
    rules_text: str,
    dataset_id: int,
    period: Period,
    actor: str,
) -> int:
    """A new run row (status draft); its results and hash follow."""
    cur = db.execute(
        "INSERT INTO runs (campaign, rules_path, rules_sha256, rules_text, dataset_id,"
        " period_start, period_end, period_label, created, actor, precision)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            plan.campaign,
            rules_path,
            plan.rules_sha256,
            rules_text,
            dataset_id,
            period.start.isoformat(),
            period.end.isoformat(),
            period.label,
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            actor,
            plan.precision,
        ],
    )
    return int(cur.lastrowid or 0)


def finish_run(
    db: Database,
    plan: Plan,
    summary: RunSummary,
    *,
    dataset_id: int,
    period: Period,
    actor: str,
    today: dt.date | None,
) -> None:
    """Record the results hash (`summary.results_sha256`, built as the rows were
    written) in the run and the audit log."""
    db.execute(
        "UPDATE runs SET results_sha256 = ?, outside_period = ? WHERE id = ?",
        [summary.results_sha256, canonical(summary.outside_period), summary.run_id],
    )
    audit.append(
        db,
        actor,
        "score",
        run_id=summary.run_id,
        today=today,
        detail={
            "campaign": plan.campaign,
            "rules_sha256": plan.rules_sha256,
            "dataset_id": dataset_id,
            "period": period.label,
            "results_sha256": summary.results_sha256,
        },
    )
