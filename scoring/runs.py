"""A run: (rules, dataset, period) → results with breakdown, in one transaction.

`execute_run` scores every award in dependency order, ranks and selects,
stores every subject's breakdown, computes `results_sha256` and appends the
run to the audit log. Re-running the same inputs gives the same hash.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlite_utils import Database

from scoring import audit, run_notes
from scoring.audit import canonical
from scoring.award_fields import award_fields, field_values
from scoring.backend import AwardFields
from scoring.data import DatasetReader, Row
from scoring.evaluate import Outcome, SubjectEnv, SubjectScorer
from scoring.numbers import Value, fixed, metric_text
from scoring.periods import Period
from scoring.plan import AwardPlan, Plan
from scoring.ranking import Entry, Placement, place_award
from scoring.store import transaction

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


def ensure_run_schema(db: Database) -> None:
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
            PRIMARY KEY (run_id, award, subject)
        )"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS results_order ON results (run_id, award, ord)")
    for op, row in (("UPDATE", "OLD"), ("DELETE", "OLD")):
        db.execute(
            f"""CREATE TRIGGER IF NOT EXISTS results_frozen_{op.lower()} BEFORE {op} ON results
            WHEN (SELECT status FROM runs WHERE id = {row}.run_id) = 'published'
            BEGIN SELECT RAISE(ABORT, 'published results cannot change'); END"""
        )
    db.execute(
        """CREATE TRIGGER IF NOT EXISTS results_frozen_insert BEFORE INSERT ON results
        WHEN (SELECT status FROM runs WHERE id = NEW.run_id) = 'published'
        BEGIN SELECT RAISE(ABORT, 'published results cannot change'); END"""
    )
    audit.ensure_audit_schema(db)


@dataclass
class RunSummary:
    """What `score` reports about a finished run."""

    run_id: int
    results_sha256: str
    subjects: dict[str, int] = field(default_factory=dict)
    ranked: dict[str, int] = field(default_factory=dict)
    selected: dict[str, int] = field(default_factory=dict)
    outside_period: dict[str, int] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # award -> remainder-tie notes


class _Scorer:
    """Scores one award over the dataset, one batch of subjects at a time."""

    def __init__(
        self,
        plan: Plan,
        award: AwardPlan,
        reader: DatasetReader,
        period: Period,
        totals: dict[str, dict[str, AwardFields]],
    ) -> None:
        self.plan = plan
        self.award = award
        self.reader = reader
        self.period = (period.start, period.end)
        self.totals = totals
        self.notes: dict[str, list[str]] = {}
        info = plan.catalog.tables[award.subjects]
        assert info.key is not None
        self.info = info
        self.key = info.key
        self.key_is_int = info.columns.get(info.key) == "int"
        self.linked_tables = dict.fromkeys(sorted(award.tables), award.subjects)

    def with_virtual(self, table: str, row: Row) -> Row:
        info = self.plan.catalog.tables[table]
        if not info.virtual or info.key is None:
            return row
        key = str(row[info.key])
        extra: dict[str, Value] = {}
        for a in info.virtual:
            extra.update(field_values(a, self.totals.get(a, {}).get(key)))
        return {**row, **extra}

    def batches(self) -> Iterator[tuple[list[Row], dict[str, dict[Value, list[Row]]]]]:
        for batch in self.reader.subject_batches(self.award.subjects):
            keys = [r[self.key] for r in batch]
            linked = {
                t: self.reader.linked(t, self.award.subjects, keys, self.period)
                for t in self.linked_tables
            }
            for t, groups in linked.items():
                if self.plan.catalog.tables[t].virtual:
                    for k, rows in groups.items():
                        groups[k] = [self.with_virtual(t, r) for r in rows]
            yield [self.with_virtual(self.award.subjects, r) for r in batch], linked

    def percent_ranks(self) -> dict[str, dict[str, Fraction]]:
        """First pass for percentile leaves: each ranked subject's percent rank."""
        leaves = [n for n in self.award.nodes.values() if n.score and n.score.kind == "percentile"]
        if not leaves:
            return {}
        scorer = SubjectScorer(self.award, self.plan.precision, self.period)
        values: dict[str, dict[Any, list[tuple[str, Fraction]]]] = {n.path: {} for n in leaves}
        for batch, linked in self.batches():
            for row in batch:
                key = row[self.key]
                rows = {t: linked[t][key] for t in linked}
                eligible, vetoes, _ = scorer.gate(str(key), row, rows)
                if not eligible or vetoes:
                    continue
                env = SubjectEnv(row, self.period[0], self.period[1], rows, _no_points, [])
                for leaf in leaves:
                    x = scorer.metric(leaf, env)
                    if x is None or isinstance(x, bool) or not isinstance(x, int | Fraction):
                        continue
                    assert leaf.score is not None
                    group = row.get(leaf.score.within) if leaf.score.within else None
                    values[leaf.path].setdefault(group, []).append((str(key), Fraction(x)))
        return {path: _percent_rank(groups) for path, groups in values.items()}


def _no_points(path: str) -> Value:
    return None


def _percent_rank(groups: dict[Any, list[tuple[str, Fraction]]]) -> dict[str, Fraction]:
    """(number strictly smaller) / (n − 1) within each group; 1 when n = 1."""
    out: dict[str, Fraction] = {}
    for members in groups.values():
        ordered = sorted(v for _, v in members)
        n = len(ordered)
        for key, v in members:
            out[key] = Fraction(1) if n == 1 else Fraction(bisect.bisect_left(ordered, v), n - 1)
    return out


def _result_row(
    run_id: int,
    award: AwardPlan,
    info_name: str | None,
    info_unit: str | None,
    row: Row,
    out: Outcome,
    precision: int,
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "award": award.name,
        "subject": out.key,
        "name": None if info_name is None else _text(row.get(info_name)),
        "unit": None if info_unit is None else _text(row.get(info_unit)),
        "eligible": int(out.eligible),
        "veto": canonical(out.vetoes),
        "total": fixed(out.total, precision),
        "points": ordered_json({p: fixed(v, precision) for p, v in out.points.items()}),
        "metrics": ordered_json({p: metric_text(v) for p, v in out.metrics.items()}),
        "no_data": canonical(out.no_data),
        "warnings": canonical(out.warnings),
    }


def ordered_json(data: dict[str, Any]) -> str:
    """Compact JSON keeping the plan's node order (deterministic, not sorted)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _text(value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _score_award(
    db: Database, run_id: int, scorer: _Scorer, progress: Progress | None
) -> tuple[int, int, int]:
    """Score, rank and store one award; returns (subjects, ranked, selected)."""
    award, plan = scorer.award, scorer.plan
    ranks = scorer.percent_ranks()
    subject_scorer = SubjectScorer(award, plan.precision, scorer.period, ranks)
    info = scorer.info
    name_col = "name" if "name" in info.columns else None
    unit_col = "unit" if "unit" in info.columns else None
    per = award.quota_per
    entries: list[Entry] = []
    gates: dict[str, tuple[Fraction, bool, bool]] = {}
    done = 0
    total_subjects = scorer.reader.count(award.subjects)
    for batch, linked in scorer.batches():
        rows_out = []
        for row in batch:
            key_value = row[scorer.key]
            key = str(key_value)
            out = subject_scorer.score(key, row, {t: linked[t][key_value] for t in linked})
            gates[key] = (out.total, out.eligible, bool(out.vetoes))
            entries.append(
                Entry(
                    key=key,
                    key_number=int(key_value)
                    if scorer.key_is_int and isinstance(key_value, int)
                    else None,
                    ranked=out.ranked,
                    total=out.total,
                    tie=tuple(out.points.get(p, Fraction(0)) for p, _ in award.tie_break),
                    group=_text(row.get(per)) if per else None,
                )
            )
            rows_out.append(
                _result_row(run_id, award, name_col, unit_col, row, out, plan.precision)
            )
        _insert_results(db, rows_out)
        done += len(batch)
        if progress:
            progress(award.name, done, total_subjects)
    placing = place_award(
        entries,
        tie_desc=[d for _, d in award.tie_break],
        grades=dict(award.grades),
        quota=award.quota,
    )
    placements = placing.placements
    _store_placements(db, run_id, award.name, placements)
    notes = run_notes.store_remainder_ties(db, run_id, award.name, placing.remainder_ties)
    if notes:
        scorer.notes[award.name] = notes
    scorer.totals[award.name] = award_fields(placements, gates)
    return len(entries), sum(e.ranked for e in entries), sum(p.selected for p in placements)


def _insert_results(db: Database, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    db.conn.executemany(
        f"INSERT INTO results ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [tuple(r[c] for c in cols) for r in rows],
    )


def _store_placements(db: Database, run_id: int, award: str, placements: list[Placement]) -> None:
    db.conn.executemany(
        "UPDATE results SET ord = ?, rank = ?, grade = ?, selected = ?, boundary_tie = ?"
        " WHERE run_id = ? AND award = ? AND subject = ?",
        [
            (i, p.rank, p.grade, int(p.selected), int(p.boundary_tie), run_id, award, p.key)
            for i, p in enumerate(placements)
        ],
    )


def results_hash(db: Database, run_id: int) -> str:
    """SHA-256 over every stored result of a run, in export order."""
    digest = hashlib.sha256()
    cols = ", ".join(RESULT_FIELDS[1:])
    cursor = db.execute(
        f"SELECT {cols} FROM results WHERE run_id = ? ORDER BY award, ord", [run_id]
    )
    for row in cursor:
        digest.update(canonical(list(row)).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def execute_run(
    db: Database,
    plan: Plan,
    *,
    rules_path: str,
    rules_text: str,
    dataset_id: int,
    catalog_reader: DatasetReader,
    period: Period,
    actor: str,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Score every award of `plan` over a dataset, all in one transaction."""
    ensure_run_schema(db)
    with transaction(db):
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
        run_id = int(cur.lastrowid or 0)
        summary = RunSummary(run_id, "")
        totals: dict[str, dict[str, AwardFields]] = {}
        for award in plan.awards:
            scorer = _Scorer(plan, award, catalog_reader, period, totals)
            subjects, ranked, selected = _score_award(db, run_id, scorer, progress)
            summary.subjects[award.name] = subjects
            summary.ranked[award.name] = ranked
            summary.selected[award.name] = selected
            summary.notes.update(scorer.notes)
        for name, info in sorted(plan.catalog.tables.items()):
            if info.kind == "record":
                summary.outside_period[name] = catalog_reader.outside_period(
                    name, (period.start, period.end)
                )
        summary.results_sha256 = results_hash(db, run_id)
        db.execute(
            "UPDATE runs SET results_sha256 = ?, outside_period = ? WHERE id = ?",
            [summary.results_sha256, canonical(summary.outside_period), run_id],
        )
        audit.append(
            db,
            actor,
            "score",
            run_id=run_id,
            today=today,
            detail={
                "campaign": plan.campaign,
                "rules_sha256": plan.rules_sha256,
                "dataset_id": dataset_id,
                "period": period.label,
                "results_sha256": summary.results_sha256,
            },
        )
    return summary
