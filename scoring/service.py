"""The public functions of pioneer. The CLI and the TUI are thin layers over
these; none of them prints.

    rules = load("rules/three_pioneers.yaml")
    db = open_db("x.db", actor="clerk")
    report = ingest_folder(db, rules, "examples/qianyang", actor="clerk")
    summary = score(db, rules, "2022", actor="clerk")
    doc = export_document(db, "latest")
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from scoring import audit, effective, roles
from scoring.errors import PioneerError, Remedy
from scoring.results import RunInfo, resolve_run, subject_hint
from scoring.results import export_document as build_export
from scoring.review.ddl import ensure_review_schema
from scoring.roles import current_user
from scoring.runs import RunSummary, ensure_run_schema
from scoring.store import StoreError, StoreHandle, open_reader, open_store, transaction

# The scoring engine, ingest, the dataset reader, the diff, the what-if
# preview and the exports (openpyxl) are imported inside the functions that
# use them: a read command such as `pioneer rank` never needs them, and
# loading them would cost it most of its start-up time (and so would
# sqlite-utils: a read command opens the store with `open_reader`).
# The review workflow (SPEC §5, scoring.review.api), the rule loader and the
# ingest report are re-exported here the same way: loaded on first use
# (`__getattr__` below).
if TYPE_CHECKING:
    from sqlite_utils import Database

    from scoring.backend import Backend
    from scoring.data import DatasetReader
    from scoring.diff import RunDiff
    from scoring.explain import Explanation
    from scoring.ingest import CellWarning, IngestReport, Reject
    from scoring.periods import Period
    from scoring.plan import AwardPlan
    from scoring.review.api import (
        RunStatus,
        adjust,
        approve,
        flag,
        grant_role,
        import_calendar,
        open_notice,
        publish,
        raise_objection,
        reject_adjustment,
        resolve_objection,
        resolve_tie,
        reveal_private,
        review_of,
        review_start,
        revoke,
        revoke_role,
        run_status,
        unflag,
        verify_review,
    )
    from scoring.review.calendar_store import CalendarLine
    from scoring.rules import Rules, check_file, load, run_rules

_LAZY = {
    **dict.fromkeys(
        [
            "RunStatus",
            "adjust",
            "approve",
            "flag",
            "grant_role",
            "import_calendar",
            "open_notice",
            "publish",
            "raise_objection",
            "reject_adjustment",
            "resolve_objection",
            "resolve_tie",
            "reveal_private",
            "review_of",
            "review_start",
            "revoke",
            "revoke_role",
            "run_status",
            "unflag",
            "verify_review",
        ],
        "scoring.review.api",
    ),
    **dict.fromkeys(["Rules", "check_file", "load", "run_rules"], "scoring.rules"),
    **dict.fromkeys(["IngestReport", "Reject"], "scoring.ingest"),
    "RunDiff": "scoring.diff",
    "Explanation": "scoring.explain",
}

__all__ = [
    "DEMO_DATA",
    "DEMO_RULES",
    "Explanation",
    "IngestReport",
    "PROJECT",
    "Reject",
    "Rules",
    "RunDiff",
    "RunStatus",
    "RunSummary",
    "adjust",
    "approve",
    "audit_entries",
    "calendar_year",
    "check_file",
    "current_user",
    "demo_lines",
    "diff",
    "explain",
    "export",
    "export_document",
    "flag",
    "grant_role",
    "import_calendar",
    "ingest_folder",
    "latest_dataset",
    "list_roles",
    "load",
    "open_db",
    "open_existing",
    "open_for_reading",
    "open_notice",
    "parse_period_text",
    "publish",
    "raise_objection",
    "ranking",
    "reject_adjustment",
    "rejects",
    "resolve_objection",
    "resolve_tie",
    "reveal_private",
    "review_of",
    "review_start",
    "revoke",
    "revoke_role",
    "run_rules",
    "run_status",
    "score",
    "unflag",
    "verify_audit",
    "verify_review",
    "whatif",
]


def open_db(path: str | Path, *, actor: str | None = None) -> Database:
    """Open (or create) a store with every table pioneer needs.

    Whoever creates a store is its first admin.
    """
    try:
        db = open_store(path)
    except StoreError as exc:
        raise PioneerError(str(exc)) from None
    _ensure_schema(db, actor)
    return db


def _ensure_schema(db: StoreHandle, actor: str | None) -> None:
    """Every table, index, trigger and view pioneer needs beyond the core
    ones, and the store's first admin."""
    ensure_run_schema(db)
    ensure_review_schema(db)
    roles.ensure_roles_schema(db, actor or current_user())


def open_existing(path: str | Path) -> Database:
    """Open a store that must already exist (commands that write)."""
    _require_file(path)
    return open_db(path)


def open_for_reading(path: str | Path) -> StoreHandle:
    """Open a store that must already exist, for a command that only reads:
    with `sqlite3` alone when the store is complete (`store.open_reader`),
    else as `open_existing` opens it (the same tables made, the same errors)."""
    _require_file(path)
    reader = open_reader(path, lambda db: _ensure_schema(db, None))
    return reader if reader is not None else open_db(path)


def _require_file(path: str | Path) -> None:
    if not Path(path).is_file():
        raise PioneerError("no such store", file=str(path), remedy=Remedy.CREATE_STORE)


def parse_period_text(text: str) -> Period:
    """A period from its text form; a clear error listing the accepted forms."""
    return _parse_period(text)


def ingest_folder(
    db: Database,
    rules: Rules,
    folder: str | Path,
    *,
    strict: bool = False,
    actor: str | None = None,
    today: dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Ingest one file per declared table of `rules` from `folder`."""
    from scoring.ingest import ingest

    who = actor or current_user()
    roles.require(db, who, "ingest")

    def tick(table: str, done: int) -> None:
        if progress is not None:
            progress(table, done, 0)

    report = ingest(Path(folder), rules.plan.catalog, db, strict=strict, progress=tick)
    with transaction(db):
        audit.append(
            db,
            who,
            "ingest",
            today=today,
            detail={
                "dataset_id": report.dataset_id,
                "sha256": report.sha256,
                "reused": report.reused,
                "rows_in": report.rows_in,
                "accepted": report.accepted,
                "rejected": report.rejected,
                "readers": dict(report.readers),
            },
        )
    return report


def rejects(db: Database, dataset_id: int | None = None) -> list[Reject]:
    """The reject report of a dataset (default: the latest)."""
    from scoring.ingest import list_rejects

    return _of_dataset(db, dataset_id, list_rejects)


def ingest_warnings(db: Database, dataset_id: int | None = None) -> list[CellWarning]:
    """The cell warnings of a dataset (default: the latest): numbers a spreadsheet rewrote."""
    from scoring.ingest import list_warnings

    return _of_dataset(db, dataset_id, list_warnings)


_Listed = TypeVar("_Listed", "Reject", "CellWarning")


def _of_dataset(
    db: Database, dataset_id: int | None, read: Callable[[Database, int | None], list[_Listed]]
) -> list[_Listed]:
    """What `read` lists of a dataset, refused in words when the store or dataset has none."""
    from scoring.ingest import DatasetNotFound, latest_dataset_id

    if latest_dataset_id(db) is None:
        raise PioneerError("this store holds no dataset yet", remedy=Remedy.INGEST)
    try:
        return read(db, dataset_id)
    except DatasetNotFound:
        raise PioneerError(f"there is no dataset {dataset_id} in this store") from None


def audit_entries(db: StoreHandle) -> list[audit.AuditEntry]:
    return audit.entries(db)


def _parse_period(text: str | Period) -> Period:
    from scoring.periods import Period, parse_period

    if isinstance(text, Period):
        return text
    try:
        return parse_period(text)
    except ValueError as exc:
        raise PioneerError(str(exc)) from None


def latest_dataset(db: Database, rules: Rules) -> int:
    """The newest dataset whose tables match the rule file's declarations."""
    from scoring.ingest.tables import declarations

    want = json.dumps(declarations(rules.plan.catalog), ensure_ascii=False)
    row = db.execute(
        "SELECT id FROM datasets WHERE catalog = ? ORDER BY id DESC LIMIT 1", [want]
    ).fetchone()
    if row is None:
        raise PioneerError(
            "the store holds no dataset with the tables of this rule file",
            file=rules.path,
            remedy=Remedy.INGEST,
        )
    return int(row[0])


def score(
    db: Database,
    rules: Rules,
    period: str | Period,
    *,
    dataset_id: int | None = None,
    actor: str | None = None,
    today: dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    backend: Backend | None = None,
) -> RunSummary:
    """Score every award of `rules` over a stored dataset; returns the new run.

    `backend` computes the figures (default: the reference interpreter)."""
    from scoring.backends.interpreter import InterpreterBackend
    from scoring.data import dataset_ref
    from scoring.pipeline import score_run

    who = actor or current_user()
    roles.require(db, who, "score")
    p = _parse_period(period)
    ds = dataset_id if dataset_id is not None else latest_dataset(db, rules)
    return score_run(
        rules,
        dataset_ref(db, ds),
        p,
        backend or InterpreterBackend(),
        actor=who,
        today=today,
        progress=progress,
    )


def _document(
    db: Database, run: RunInfo, rules: Rules, *, with_title: bool, **rows: Any
) -> dict[str, Any]:
    titles = {a.name: a.title for a in rules.plan.awards}
    title = rules.model.campaign.title if with_title else None
    return build_export(db, run, titles, list(rules.model.awards), title, **rows)


def export_document(
    db: Database, run_ref: str | int, *, with_title: bool = False
) -> dict[str, Any]:
    """The §4.1 export document of a run (`with_title` adds the campaign title
    for the 公示 renderers)."""
    from scoring.rules import run_rules

    run = resolve_run(db, run_ref)
    return _document(db, run, run_rules(run), with_title=with_title)


def export(db: Database, run_ref: str | int, fmt: str, *, today: dt.date | None = None) -> bytes:
    """A run's results as json, or the 公示 list as csv, xlsx, md or html
    (`today`: the date a list not yet on notice counts as made)."""
    out = io.BytesIO()
    export_to(db, run_ref, fmt, out, today=today)
    return out.getvalue()


def export_to(
    db: Database, run_ref: str | int, fmt: str, out: BinaryIO, *, today: dt.date | None = None
) -> None:
    """`export`, written to `out` as it is made: the JSON document result by
    result (never whole in memory), the 公示 list from the rows it shows. The
    run is found and its rules loaded before the first byte; everything is
    read in one read transaction, so a review action meanwhile is not half
    seen."""
    from scoring.export import render_notice
    from scoring.export.json_text import write_json
    from scoring.export.notice_csv import stream_notice_csv
    from scoring.notice_doc import add_notice_facts, listed_rows
    from scoring.rules import run_rules

    run = resolve_run(db, run_ref)
    rules = run_rules(run)
    with transaction(db):
        if fmt == "json":
            doc = _document(db, run, rules, with_title=False, lazy=True)
            write_json(doc, lambda text: out.write(text.encode("utf-8")))
            return
        masked: dict[str, frozenset[str]] = {}
        for award in rules.plan.awards:
            info = rules.plan.catalog.tables[award.subjects]
            masked[award.name] = frozenset(f for f in ("name", "unit") if f in info.private)
        streamed = fmt == "csv"  # the other formats lay out whole pages
        doc = _document(db, run, rules, with_title=True, only=listed_rows(rules), lazy=streamed)
        add_notice_facts(doc, db, run, rules, today or dt.date.today())
        if streamed:
            stream_notice_csv(doc, masked, out)
        else:
            out.write(render_notice(doc, fmt, masked=masked))


def explain(db: Database, run_ref: str | int, award: str, subject: str) -> Explanation:
    """One subject's effective result and breakdown with the evidence records
    behind it."""
    from scoring.counted import counted_rows
    from scoring.data import DatasetReader
    from scoring.explain import Explanation, fill_award_columns, gather_evidence, with_review
    from scoring.review.standings import Computer
    from scoring.rules import run_rules

    run = resolve_run(db, run_ref)
    rules = run_rules(run)
    plan_award = _award_of(run, rules, award)
    found = effective.one(db, run.id, award, subject)
    if found is None:
        raise PioneerError(
            f"award `{award}` of run {run.id} has no subject `{subject}`",
            hint=subject_hint(db, run.id, [award], subject),
        )
    reader = DatasetReader(db, run.dataset_id, rules.plan.catalog)
    period = (dt.date.fromisoformat(run.period_start), dt.date.fromisoformat(run.period_end))
    row, evidence = gather_evidence(rules.plan, plan_award, reader, found.subject, period)

    def computed_totals(upstream: str, keys: list[str]) -> dict[str, str]:
        rows = effective.read(db, run.id, upstream, subjects=keys)
        return {r.subject: r.computed_total for r in rows}

    fill_award_columns(rules.plan, evidence, computed_totals)
    explained = Explanation(
        run,
        plan_award,
        found,
        effective.breakdown(plan_award, found),
        row,
        evidence,
        effective.ranked_count(db, run.id, award),
        {name: info.private for name, info in rules.plan.catalog.tables.items() if info.private},
    )
    explained.notes = _why_notes(db, run, rules, plan_award, reader, found)
    if not found.selected and (found.boundary_tie or found.excluded):  # the review decides
        with_review(explained, Computer(db, run.id, run.dataset_id, rules.plan).award(plan_award))
    explained.counted = counted_rows(db, explained, rules.plan.catalog)
    return explained


def _why_notes(
    db: Database, run: RunInfo, rules: Rules, award: AwardPlan, reader: DatasetReader, found: Any
) -> list[str]:
    """Why a ranked subject is not selected, and what lifts it a grade (scoring.why)."""
    from scoring.why import why_notes

    per = award.quota_per
    groups: dict[str, str | None] = {}
    if per is not None and per != "unit":  # one pass over the subjects, not a query each
        info = rules.plan.catalog.tables[award.subjects]
        for batch in reader.subject_batches(award.subjects):
            for subject_row in batch:
                value = subject_row.get(per)
                groups[str(subject_row[info.key or "id"])] = None if value is None else str(value)

    def group_of(r: Any) -> str | None:
        if per is None:
            return None
        return r.unit if per == "unit" else groups.get(r.subject)

    rows = effective.read(db, run.id, award.name)
    return why_notes(award, rows, found, group_of, run.precision, rules.plan.catalog)


def _award_of(run: RunInfo, rules: Rules, award: str) -> AwardPlan:
    try:
        return rules.plan.award(award)
    except KeyError:
        names = ", ".join(a.name for a in rules.plan.awards)
        raise PioneerError(f"run {run.id} has no award `{award}` (awards: {names})") from None


def ranking(
    db: StoreHandle, run_ref: str | int, award: str, limit: int | None = None
) -> tuple[RunInfo, list[effective.EffectiveResult]]:
    """An award's effective results in rank order (unranked last)."""
    run = resolve_run(db, run_ref)
    rows = effective.read(db, run.id, award, limit=limit)
    if not rows:  # only then is the rule file needed: to tell an unknown award from an empty one
        from scoring.rules import run_rules

        _award_of(run, run_rules(run), award)
    return run, rows


def list_roles(db: StoreHandle) -> list[tuple[str, str]]:
    """Every (name, role) of the store, by name."""
    return roles.all_roles(db)


def calendar_year(db: StoreHandle, year: int) -> list[CalendarLine]:
    """Every holiday and make-up workday of `year`, from the store's calendar
    and the package, by date (UnknownYear when neither knows the year)."""
    from scoring.review.calendar_store import calendar_year as year_lines

    return year_lines(db, year)


def verify_audit(db: Database) -> str | None:
    """None when the audit chain and every run's results hash hold."""
    from scoring.review.api import verify_review
    from scoring.runs import results_hash

    broken = audit.verify_chain(db)
    if broken:
        return broken
    stored = dict(db.execute("SELECT id, results_sha256 FROM runs").fetchall())
    for run_id, published in sorted(stored.items()):
        if results_hash(db, run_id) != published:
            return f"run {run_id}: its stored results do not match its results_sha256"
    review_problem = verify_review(db)
    if review_problem:
        return review_problem
    for entry in audit.entries(db):
        if (
            entry.action == "score"
            and entry.run_id is not None
            and results_hash(db, entry.run_id) != entry.detail.get("results_sha256")
        ):
            return f"run {entry.run_id}: its stored results do not match the hash in audit entry {entry.seq}"
    return None


PROJECT = Path(__file__).resolve().parent.parent
DEMO_RULES = ("rules/three_pioneers.yaml", "rules/three_shows.yaml")
DEMO_DATA = "examples/qianyang"


def demo_lines(head: int = 5) -> list[str]:
    """Score the shipped campaigns over the example data in a temporary store
    and describe the head of every award's ranking."""
    import tempfile

    from scoring.rules import load

    data = PROJECT / DEMO_DATA
    if not data.is_dir():
        raise PioneerError(f"the example data set is missing: {data} (run examples/generate.py)")
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pioneer-demo-") as tmp:
        db = open_db(Path(tmp) / "demo.db")
        for rel in DEMO_RULES:
            rules = load(PROJECT / rel)
            report = ingest_folder(db, rules, data)
            summary = score(db, rules, "2022", dataset_id=report.dataset_id)
            lines.append(
                f"== {rules.model.campaign.title} ({rel}): run {summary.run_id}, "
                f"{report.accepted} rows accepted, {report.rejected} rejected"
            )
            for award in rules.plan.awards:
                rows = effective.read(db, summary.run_id, award.name, limit=head)
                lines.append(
                    f"-- {award.title} ({award.name}): {summary.subjects[award.name]} scored, "
                    f"{summary.ranked[award.name]} ranked, {summary.selected[award.name]} selected"
                )
                for r in rows:
                    mark = "入选" if r.selected else "并列" if r.boundary_tie else "    "
                    rank = r.rank if r.rank is not None else "-"
                    lines.append(
                        f"  {rank:>4} {mark} {r.total:>7}  {r.grade or '':<4} {r.name or r.subject} ({r.unit or ''})"
                    )
        db.close()
    return lines


def run_warnings(db: StoreHandle, run_ref: str | int) -> tuple[RunInfo, list[tuple[str, str, str]]]:
    """Every per-subject warning of a run: (award, subject, warning), in
    award and result order (e.g. a trimmed mean with too few values)."""
    run = resolve_run(db, run_ref)
    rows = db.execute(
        "SELECT award, subject, warnings FROM results WHERE run_id = ? AND warnings != '[]'"
        " ORDER BY award, ord",
        [run.id],
    ).fetchall()
    return run, [(award, subject, w) for award, subject, ws in rows for w in json.loads(ws)]


def diff(db: StoreHandle, run_a: str | int, run_b: str | int) -> RunDiff:
    """Rank movers and selection changes between two stored runs."""
    from scoring.diff import diff_runs

    a, b = resolve_run(db, run_a), resolve_run(db, run_b)
    return diff_runs(db, a.id, b.id)


def whatif(
    db: Database, rules: Rules, run_ref: str | int, *, backend: Backend | None = None
) -> RunDiff:
    """Score `rules` on a run's dataset and period in memory and compare with
    that run; writes nothing to the store."""
    from scoring.backends.interpreter import InterpreterBackend
    from scoring.data import dataset_ref
    from scoring.periods import Period
    from scoring.preview import whatif_diff

    base = resolve_run(db, run_ref)
    _check_dataset_fits(db, rules, base.dataset_id)
    period = Period(
        dt.date.fromisoformat(base.period_start),
        dt.date.fromisoformat(base.period_end),
        base.period_label,
    )
    return whatif_diff(
        rules,
        db,
        base.id,
        dataset_ref(db, base.dataset_id),
        period,
        backend or InterpreterBackend(),
    )


def _check_dataset_fits(db: Database, rules: Rules, dataset_id: int) -> None:
    """Refuse a what-if whose rules declare tables or columns the dataset lacks."""
    from scoring.ingest.tables import data_table

    for name, info in rules.plan.catalog.tables.items():
        table = data_table(dataset_id, name)
        if not db[table].exists():
            raise PioneerError(
                f"table `{name}` is not in dataset {dataset_id}",
                file=rules.path,
                remedy=Remedy.REINGEST_AND_DIFF,
            )
        have = {c.name for c in db[table].columns}
        missing = [c for c in info.columns if c not in have]
        if missing:
            raise PioneerError(
                f"column `{name}.{missing[0]}` is not in dataset {dataset_id}",
                file=rules.path,
                remedy=Remedy.REINGEST_AND_DIFF,
            )


def __getattr__(name: str) -> Any:
    """The re-exported names of `_LAZY`, each loaded on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
