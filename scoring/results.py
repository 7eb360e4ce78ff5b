"""Reading stored runs and results back: run metadata, rankings and the
§4.1 export document. Nothing here recomputes a figure: once a run is under
review, the export reads the effective standings the review stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scoring import audit, effective
from scoring.diagnostics import did_you_mean
from scoring.errors import PioneerError, Remedy
from scoring.numbers import metric_export
from scoring.store import StoreHandle


@dataclass(frozen=True)
class RunInfo:
    """A stored run's metadata."""

    id: int
    campaign: str
    status: str
    period_start: str
    period_end: str
    period_label: str
    rules_path: str
    rules_text: str
    rules_sha256: str
    dataset_id: int
    dataset_sha256: str
    results_sha256: str
    precision: int
    outside_period: dict[str, int]
    created: str


@dataclass(frozen=True)
class ResultRow:
    """One subject's stored result for one award."""

    award: str
    subject: str
    name: str | None
    unit: str | None
    eligible: bool
    veto: list[str]
    total: str
    rank: int | None
    grade: str | None
    selected: bool
    boundary_tie: bool
    points: dict[str, str]
    metrics: dict[str, Any]
    no_data: list[str]
    warnings: list[str]


def resolve_run(db: StoreHandle, ref: str | int) -> RunInfo:
    """A run by id, or `latest`."""
    if "runs" not in db.table_names():
        raise PioneerError("this store has no runs yet", remedy=Remedy.SCORE)
    if str(ref) == "latest":
        row = db.execute("SELECT MAX(id) FROM runs").fetchone()
        if row is None or row[0] is None:
            raise PioneerError("this store has no runs yet", remedy=Remedy.SCORE)
        run_id = int(row[0])
    else:
        try:
            run_id = int(ref)
        except ValueError:
            raise PioneerError(f"run `{ref}` is not a run id (a number, or `latest`)") from None
    row = db.execute(
        "SELECT r.id, r.campaign, r.status, r.period_start, r.period_end, r.period_label, r.rules_path,"
        " r.rules_text, r.rules_sha256, r.dataset_id, d.sha256, r.results_sha256, r.precision,"
        " r.outside_period, r.created FROM runs r JOIN datasets d ON d.id = r.dataset_id WHERE r.id = ?",
        [run_id],
    ).fetchone()
    if row is None:
        runs = _run_ids(db)
        raise PioneerError(
            f"there is no run {run_id} in this store",
            hint=f"its runs: {runs}",
            remedy=Remedy.LIST_RUNS,
            remedy_args={"runs": runs},
        )
    return RunInfo(
        id=row[0],
        campaign=row[1],
        status=row[2],
        period_start=row[3],
        period_end=row[4],
        period_label=row[5],
        rules_path=row[6],
        rules_text=row[7],
        rules_sha256=row[8],
        dataset_id=row[9],
        dataset_sha256=row[10],
        results_sha256=row[11],
        precision=row[12],
        outside_period=json.loads(row[13]),
        created=row[14],
    )


_COLUMNS = (
    "award, subject, name, unit, eligible, veto, total, rank, grade, selected, boundary_tie,"
    " points, metrics, no_data, warnings"
)


def _result(row: Any) -> ResultRow:
    return ResultRow(
        award=row[0],
        subject=row[1],
        name=row[2],
        unit=row[3],
        eligible=bool(row[4]),
        veto=json.loads(row[5]),
        total=row[6],
        rank=row[7],
        grade=row[8],
        selected=bool(row[9]),
        boundary_tie=bool(row[10]),
        points=json.loads(row[11]),
        metrics=json.loads(row[12]),
        no_data=json.loads(row[13]),
        warnings=json.loads(row[14]),
    )


def awards_of(db: StoreHandle, run_id: int) -> list[str]:
    rows = db.execute(
        "SELECT DISTINCT award FROM results WHERE run_id = ? ORDER BY award", [run_id]
    )
    return [r[0] for r in rows.fetchall()]


def results(
    db: StoreHandle, run_id: int, award: str, *, limit: int | None = None, offset: int = 0
) -> list[ResultRow]:
    """An award's results in export order: by rank then key, unranked last."""
    sql = f"SELECT {_COLUMNS} FROM results WHERE run_id = ? AND award = ? ORDER BY ord"
    params: list[Any] = [run_id, award]
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [_result(r) for r in db.execute(sql, params).fetchall()]


def result(db: StoreHandle, run_id: int, award: str, subject: str) -> ResultRow | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM results WHERE run_id = ? AND award = ? AND subject = ?",
        [run_id, award, subject],
    ).fetchone()
    return None if row is None else _result(row)


def export_document(
    db: StoreHandle,
    run: RunInfo,
    titles: dict[str, str],
    order: list[str],
    campaign_title: str | None = None,
) -> dict[str, Any]:
    """The §4.1 JSON export document (numbers as Decimals)."""
    head: dict[str, Any] = {
        "id": run.id,
        "campaign": run.campaign,
        "period": {"start": run.period_start, "end": run.period_end},
        "status": run.status,
        "rules_sha256": run.rules_sha256,
        "dataset_sha256": run.dataset_sha256,
        "results_sha256": run.results_sha256,
        "audit_head": audit.head(db),
    }
    if campaign_title:
        head["campaign_title"] = campaign_title
    awards: dict[str, Any] = {}
    for award in order:
        awards[award] = {
            "title": titles.get(award, award),
            "results": _export_award(db, run.id, award),
        }
    return {"run": head, "awards": awards}


def _export_award(db: StoreHandle, run_id: int, award: str) -> list[dict[str, Any]]:
    """An award's effective results (SPEC §5): the review applied, its
    adjustments, upheld objections and revocations beside each subject."""
    return [export_result(r) for r in effective.read(db, run_id, award)]


def export_result(r: effective.EffectiveResult) -> dict[str, Any]:
    """One effective result as a §4.1 export item (numbers as Decimals).

    `computed_total` is there whenever the subject has adjustments (any
    status); `computed_points` holds the computed figure of every node an
    approved adjustment moved, so the computed breakdown stays readable.
    """
    out: dict[str, Any] = {
        "subject": r.subject,
        "name": r.name,
        "unit": r.unit,
        "eligible": r.eligible,
        "veto": r.veto,
        "total": Decimal(r.total),
        **({"computed_total": Decimal(r.computed_total)} if r.adjustments else {}),
        "rank": r.rank,
        "grade": r.grade,
        "selected": r.selected,
        "boundary_tie": r.boundary_tie,
        "points": {p: Decimal(v) for p, v in r.points.items()},
        "metrics": {p: metric_export(v) for p, v in r.metrics.items()},
        "adjustments": [
            {
                "id": adj.id,
                "target": adj.target,
                "delta": Decimal(adj.delta),
                "reason": adj.reason,
                "author": adj.author,
                "created": adj.created,
                "status": adj.status,
                "approved_by": adj.approved_by,
                "decided": adj.decided,
            }
            for adj in r.adjustments
        ],
    }
    changed = r.changed_points
    if changed:
        out["computed_points"] = {p: Decimal(v) for p, v in changed.items()}
    if r.warnings:
        out["warnings"] = r.warnings
    upheld = [o for o in r.objections if o.status == "upheld"]
    if upheld:
        o = upheld[-1]
        out["excluded"] = {"objection": o.id, "finding": o.finding, "on": o.resolved}
    if r.revocation is not None:
        v = r.revocation
        out["revoked"] = {"reason": v.reason, "by": v.actor, "on": v.revoked}
    return out


def _run_ids(db: StoreHandle) -> str:
    """The store's run ids, for a refusal that names a run it does not have."""
    ids = [int(r[0]) for r in db.execute("SELECT id FROM runs ORDER BY id").fetchall()]
    if len(ids) > 10:
        return f"{len(ids)} runs, {ids[0]} to {ids[-1]}"
    return ", ".join(map(str, ids))


SUGGEST_AMONG = 50_000
"""Up to this many subjects, a misspelt key gets a "did you mean" from all of them."""


def subject_hint(db: StoreHandle, run_id: int, awards: list[str], subject: str) -> str | None:
    """ "did you mean `KEY`?" for a subject key the run's `awards` do not have:
    the key in another case, else a close spelling; None when nothing is close."""
    marks = ", ".join("?" for _ in awards)
    where = f"run_id = ? AND award IN ({marks})"
    same = db.execute(
        f"SELECT subject FROM results WHERE {where} AND lower(subject) = lower(?) LIMIT 1",
        [run_id, *awards, subject.strip()],
    ).fetchone()
    if same is not None:
        return f"did you mean `{same[0]}`?"
    count = db.execute(f"SELECT COUNT(*) FROM results WHERE {where}", [run_id, *awards]).fetchone()
    if count[0] > SUGGEST_AMONG:
        return None
    keys = db.execute(f"SELECT subject FROM results WHERE {where}", [run_id, *awards]).fetchall()
    return did_you_mean(subject.strip(), (str(k[0]) for k in keys))
